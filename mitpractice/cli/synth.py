"""``mitpractice synth``: write a phrase's sung target, or keep a therapist's recorded model."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mitpractice.cli.options import add_melody_arguments, check_output, melody_from_args, open_store
from mitpractice.errors import AudioError, ParameterError

if TYPE_CHECKING:
    from mitpractice.synth import SungTarget


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write the sung target of a phrase (or keep a therapist's recording of it)",
        description="Sing a phrase on its two pitches in a patient's register and write it to a "
        "WAV/FLAC file. With --from-recording, check a therapist's recording of the phrase and "
        "keep it as the phrase's target instead.",
    )
    parser.add_argument("set_file", metavar="SET_FILE", help="phrase-set file (.toml)")
    parser.add_argument("phrase_id", metavar="PHRASE_ID", help="id of the phrase in the set")
    parser.add_argument("-o", "--output", metavar="OUT.wav",
                        help="file to write (.wav, .flac or .ogg); optional with --from-recording")
    add_melody_arguments(parser)
    options = parser.add_argument_group("sound")
    options.add_argument("--hum", action="store_true", help="hum the melody, no words")
    options.add_argument("--taps", action="store_true", help="a soft tap on every syllable")
    options.add_argument("--fade", action="store_true", help="the voice fades out over the phrase")
    options.add_argument("--no-cache", action="store_true", help="synthesise again, do not use the cache")
    recorded = parser.add_argument_group("therapist recordings")
    which = recorded.add_mutually_exclusive_group()
    which.add_argument("--from-recording", metavar="AUDIO",
                          help="check this recording of the phrase (WAV/FLAC) and keep it as its target")
    which.add_argument("--prefer-recording", action="store_true",
                          help="write the kept recording if there is one, as the app plays it")
    which.add_argument("--forget-recording", action="store_true", help="delete the kept recording")
    recorded.add_argument("--patient", metavar="PATIENT",
                          help="the recording is this patient's, an id or unambiguous name "
                          "(default: everyone's using the set)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.melody import hz_to_note
    from mitpractice.phrases import load_phrase_set
    from mitpractice.synth import (
        SingOptions,
        apply_options,
        forget_model,
        save_model,
        sung_target,
        synthesize,
    )

    if args.output:
        check_output(args.output)
    phrase_set = load_phrase_set(args.set_file)
    phrase = phrase_set.phrase(args.phrase_id)
    if not args.output and not (args.from_recording or args.forget_recording):
        raise ParameterError("say where to write the target with -o OUT.wav")
    if args.from_recording and args.hum:
        raise ParameterError("--hum makes a synthesised target; it cannot be used with --from-recording")
    options = SingOptions(hum=args.hum, taps=args.taps, fade=args.fade)
    melody = melody_from_args(args, phrase_set, phrase)
    if args.forget_recording or args.from_recording or args.prefer_recording:
        with open_store() as store:  # the therapists' recorded models are kept there
            patient = store.find_patient(args.patient).id if args.patient else None
            if args.forget_recording:
                found = forget_model(phrase_set.id, phrase.id, patient, store=store)
                print(f"{'deleted' if found else 'there was no'} recorded model of {phrase.id!r}")
                return 0
            if args.from_recording:
                try:
                    kept = save_model(args.from_recording, phrase_set.id, phrase, patient=patient,
                                      store=store)
                except AudioError as exc:
                    if str(args.from_recording) in str(exc):
                        raise
                    raise AudioError(f"{args.from_recording}: {exc}") from None
                target = apply_options(kept, options)
            else:
                target = sung_target(phrase_set.id, phrase, melody, options, patient=patient, store=store)
    else:
        target = synthesize(phrase, melody, options, use_cache=not args.no_cache)
    if args.output:
        _write(args.output, target)
    m = target.melody
    kind = "recorded model, kept" if args.from_recording else target.source
    notes = f"{hz_to_note(m.low_hz)}/{hz_to_note(m.high_hz)}"
    print(
        f"{args.output or args.from_recording}: {phrase.text!r} on {notes} "
        f"({m.low_hz:.1f}/{m.high_hz:.1f} Hz) at {m.tempo:.0f} bpm, {target.duration_s:.1f} s, "
        f"first syllable at {target.start_s:.2f} s ({kind})"
    )
    return 0


def _write(path: str, target: SungTarget) -> None:
    from mitpractice.audiofile import write_audio

    try:
        write_audio(path, target.audio, target.sr)
    except OSError as exc:
        raise ParameterError(f"{path}: cannot write: {exc.strerror or exc}") from None
