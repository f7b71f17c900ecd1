"""``mitpractice score``: score a recorded attempt at a phrase, for people or (``--json``) machines."""

from __future__ import annotations

import argparse
import json

from mitpractice.cli.options import add_melody_arguments, add_model_argument, melody_from_args, open_store


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
    parser.add_argument(
        "--words", action="store_true",
        help="also check which words of the phrase were said (spoken or sung; offline)",
    )
    add_melody_arguments(parser)
    stored = parser.add_argument_group(
        "a patient's attempt",
        "With --patient, the patient's low pitch, interval and tempo are the defaults of the "
        "target; with --save the attempt (its audio first, then its score) is stored for them, "
        "as the practice window does. SET_FILE may then be the id of a bundled or imported set.",
    )
    stored.add_argument("--patient", metavar="PATIENT", help="id or unambiguous name")
    stored.add_argument("--save", action="store_true", help="store the attempt for the patient")
    stored.add_argument("--step", default=DEFAULT_STEP,
                        help="the MIT step the attempt was sung at (default: %(default)s)")
    parser.set_defaults(func=run)


#: The step recorded for an attempt scored from the command line: singing a phrase after
#: hearing it is what a recording made elsewhere most often is (practice.steps' id).
DEFAULT_STEP = "repeat"


def run(args: argparse.Namespace) -> int:
    from mitpractice.audiofile import load_audio
    from mitpractice.errors import ParameterError
    from mitpractice.phrases import load_phrase_set
    from mitpractice.scoring import score_audio

    if args.save and not args.patient:
        raise ParameterError("--save stores the attempt for a patient: add --patient PATIENT")
    if args.patient:
        return run_for_patient(args)
    phrase_set = load_phrase_set(args.set_file)
    phrase = phrase_set.phrase(args.phrase_id)
    melody = melody_from_args(args, phrase_set, phrase)
    y, sr = load_audio(args.audio)
    score = score_audio(y, sr, melody, model=args.model, mode=args.mode)
    return _print(args, with_words(args, score, y, sr, phrase.text))


def run_for_patient(args: argparse.Namespace) -> int:
    """Score with the patient's settings as defaults; with ``--save``, store the attempt:
    row and audio first (saved whole even if scoring then fails), then its score."""
    from datetime import UTC, datetime
    from pathlib import Path

    from mitpractice.audiofile import load_audio
    from mitpractice.melody import set_melody
    from mitpractice.phrases import load_phrase_set, parse_phrase_set
    from mitpractice.scoring import score_audio
    from mitpractice.store import NewAttempt

    with open_store() as store:
        patient = store.find_patient(args.patient)
        if Path(args.set_file).exists() or args.set_file.endswith(".toml"):
            if args.save:
                record = store.import_phrase_set(args.set_file)  # kept as its text
            else:
                record = None
                phrase_set = load_phrase_set(args.set_file)
        else:
            record = store.phrase_set_record(args.set_file)  # a bundled or imported set's id
        if record is not None:
            phrase_set = parse_phrase_set(record.toml, args.set_file)
        phrase = phrase_set.phrase(args.phrase_id)
        melody = set_melody(
            phrase_set, phrase,
            args.low if args.low is not None else patient.low_hz,
            args.interval if args.interval is not None else patient.interval,
            args.tempo if args.tempo is not None else patient.tempo,
        )
        y, sr = load_audio(args.audio)
        saved = None
        if args.save:
            from mitpractice.practice.steps import step

            step(args.step)  # an unknown step is bad input, named with the known ones
            saved = store.save_attempt(
                NewAttempt(
                    patient_id=patient.id, set_id=phrase_set.id, phrase_id=phrase.id, step=args.step,
                    started_at=datetime.now(UTC), low_hz=melody.low_hz, interval=melody.interval,
                    tempo=melody.tempo, model=args.model, mode=args.mode, phrase_set_id=record.id,
                ),
                y, sr,
            )
        score = score_audio(y, sr, melody, model=args.model, mode=args.mode)
        if saved is not None:  # scored even if the word check below fails
            saved = store.set_score(saved.id, score)
        if args.words:
            score = with_words(args, score, y, sr, phrase.text)
            if saved is not None:
                saved = store.set_score(saved.id, score)
    return _print(args, score, saved)


def with_words(args: argparse.Namespace, score, y, sr: int, text: str):
    """The score with the word check's result when ``--words`` was given (the recogniser is
    imported and loaded only then, so scoring without it starts no faster or slower). A take
    the scorer found sung is checked as sung: a word not found there is undecided."""
    if not args.words:
        return score
    from dataclasses import replace

    from mitpractice.words import check_words
    from mitpractice.words.check import is_sung

    return replace(score, words=check_words(y, sr, text, sung=is_sung(score.voiced, score.melodic)))


def _print(args: argparse.Namespace, score, saved=None) -> int:
    if args.json:
        data = score.to_json()
        if saved is not None:
            data = {**data, "attempt_id": saved.id, "patient_id": saved.patient_id}
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(summary(score.to_json()))
    if saved is not None:
        print(f"saved as attempt {saved.id}")
    return 0


#: How the summary names each kind of extra singing (``Extra.kind``).
EXTRA_WORDS = {"false_start": "restart", "repeat": "sung twice", "extra": "extra"}


def summary(result: dict) -> str:
    """A short report for people: the scores, then one line per syllable, then the feedback."""
    if not result["voiced"]:
        return "\n".join(
            [f"{result['phrase_id']}: no singing found", *words_lines(result), *result["feedback"]]
        )
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
    rows: list[tuple[float, str]] = []  # (time, line): the syllables and the extra singing in time order
    last = 0.0
    for s in result["syllables"]:
        if not s["detected"]:
            rows.append((last, f"  {s['text']:<10} {s['target']}  not heard"))
            continue
        marks = ("pitch ok" if s["pitch_ok"] else "pitch off") + ", " + (
            "timing ok" if s["timing_ok"] else "timing off"
        )
        last = s["onset_s"]
        rows.append((last, f"  {s['text']:<10} {s['target']}  {s['onset_s']:5.2f}–{s['offset_s']:5.2f} s  "
                           f"{s['pitch_semitones']:+5.1f} st  {marks}"))
    for e in result["extra"]:
        when = f"{e['onset_s']:5.2f}–{e['offset_s']:5.2f} s"
        label = f"({EXTRA_WORDS[e['kind']]})"  # as wide as a syllable's text and mark
        rows.append((e["onset_s"], f"  {label:<12}  {when}  left out of the scores"))
    lines.extend(line for _, line in sorted(rows, key=lambda row: row[0]))
    lines.extend(words_lines(result))
    lines.extend(result["feedback"])
    return "\n".join(lines)


#: How the summary marks a word the check did not credit (``said`` false, or null).
WORD_MARKS = {False: "not said", None: "could not tell"}


def words_lines(result: dict) -> list[str]:
    """The word check's line of the summary: every word in order, those not said marked
    (``words: thank [not said]  you``); nothing when the words were not checked.

    Examples
    --------
    >>> words_lines({"words": [{"word": "thank", "said": False}, {"word": "you", "said": True},
    ...                        {"word": "please", "said": None}]})
    ['  words: thank [not said]  you  please [could not tell]']
    """
    if result.get("words") is None:
        return []
    marked = [w["word"] if w["said"] else f"{w['word']} [{WORD_MARKS[w['said']]}]" for w in result["words"]]
    return ["  words: " + "  ".join(marked)]
