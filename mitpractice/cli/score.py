"""``mitpractice score``: score a recorded attempt at a phrase, for people or (``--json``) machines."""

from __future__ import annotations

import argparse
import json

from mitpractice.cli.options import add_melody_arguments, add_model_argument, melody_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a sung attempt at a phrase (melody, rhythm, per syllable)",
        description="Score a recorded attempt (WAV, FLAC, OGG or MP3) at one phrase of a set.",
    )
    parser.add_argument("set_file", metavar="SET_FILE", help="phrase-set file (TOML)")
    parser.add_argument("phrase_id", metavar="PHRASE_ID", help="id of the phrase in the set")
    parser.add_argument("audio", metavar="AUDIO", help="the recorded attempt")
    add_model_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the score as one JSON object")
    parser.add_argument(
        "--mode", default="sung", choices=("sung", "sprechgesang"),
        help="sung: melody and rhythm; sprechgesang: rhythm only (default: sung)",
    )
    add_melody_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.audiofile import load_audio
    from mitpractice.phrases import load_phrase_set
    from mitpractice.scoring import score_audio

    phrase_set = load_phrase_set(args.set_file)
    phrase = phrase_set.phrase(args.phrase_id)
    melody = melody_from_args(args, phrase_set, phrase)
    y, sr = load_audio(args.audio)
    score = score_audio(y, sr, melody, model=args.model, mode=args.mode)
    if args.json:
        print(json.dumps(score.to_json(), ensure_ascii=False))
        return 0
    print(summary(score.to_json()))
    return 0


def summary(result: dict) -> str:
    """A short report for people: the scores, then one line per syllable, then the feedback."""
    if not result["voiced"]:
        return "\n".join([f"{result['phrase_id']}: no singing found", *result["feedback"]])
    lines = [
        f"{result['phrase_id']}: overall {result['overall']:.0f}  "
        f"(melody {result['melodic']:.0f}, rhythm {result['rhythmic']:.0f}, {result['mode']})",
    ]
    extras = []
    if result["interval_semitones"] is not None:
        extras.append(f"interval {result['interval_semitones']:+.1f} semitones")
    if result["tempo_ratio"] is not None:
        extras.append(f"tempo ×{result['tempo_ratio']:.2f} of the target's length")
    if extras:
        lines.append("  " + ", ".join(extras))
    for s in result["syllables"]:
        if not s["detected"]:
            lines.append(f"  {s['text']:<10} {s['target']}  not heard")
            continue
        marks = ("pitch ok" if s["pitch_ok"] else "pitch off") + ", " + (
            "timing ok" if s["timing_ok"] else "timing off"
        )
        lines.append(
            f"  {s['text']:<10} {s['target']}  {s['onset_s']:5.2f}–{s['offset_s']:5.2f} s  "
            f"{s['pitch_semitones']:+5.1f} st  {marks}"
        )
    lines.extend(result["feedback"])
    return "\n".join(lines)
