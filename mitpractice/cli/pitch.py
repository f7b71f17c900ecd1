"""``mitpractice pitch AUDIO [--model M] [--csv]``: the pitch track of a recording.

With ``--csv`` it prints the track as CSV (header ``time_s,f0_hz,confidence``, one row per
frame) for scripts and spreadsheets. Without it, it prints a short summary for a person: the
model, the length, how much of the recording is voiced, and the median and range of the
voiced pitch in Hz and as note names.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import TYPE_CHECKING

from mitpractice.cli.options import add_model_argument

if TYPE_CHECKING:
    from mitpractice.pitch import PitchTrack

#: Confidence from which the summary counts a frame as voiced.
VOICED_THRESHOLD = 0.5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pitch",
        help="track the pitch of a recording",
        description="Track the pitch of a WAV/FLAC recording (any sample rate; stereo is mixed to mono).",
    )
    parser.add_argument("audio", metavar="AUDIO", help="audio file (WAV, FLAC, ...)")
    add_model_argument(parser)
    parser.add_argument(
        "--hop",
        type=float,
        default=0.01,
        metavar="SECONDS",
        help="seconds between frames (default: %(default)s)",
    )
    parser.add_argument(
        "--viterbi", action="store_true", help="CREPE: smooth the track with Viterbi decoding"
    )
    parser.add_argument(
        "--csv", action="store_true", help="print every frame as CSV: time_s,f0_hz,confidence"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mitpractice.pitch import track_file

    track = track_file(args.audio, args.model, hop_s=args.hop, viterbi=args.viterbi)
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["time_s", "f0_hz", "confidence"])
        writer.writerows(
            (f"{t:.3f}", f"{f:.3f}", f"{c:.4f}")
            for t, f, c in zip(track.times, track.f0_hz, track.confidence, strict=True)
        )
        return 0
    print(summary(track, args.audio))
    return 0


def summary(track: PitchTrack, name: str) -> str:
    """A few lines a therapist can read: length, voiced share, pitch median and range."""
    import numpy as np

    from mitpractice.melody import hz_to_note

    voiced = track.voiced(VOICED_THRESHOLD)
    lines = [
        f"{name}: {track.model}, {len(track)} frames every {track.hop_s * 1000:.0f} ms, "
        f"{voiced.mean() * 100:.0f}% voiced (confidence >= {VOICED_THRESHOLD})"
    ]
    if voiced.any():
        low, median, high = np.percentile(track.f0_hz[voiced], [5, 50, 95])
        lines.append(
            f"pitch: median {median:.1f} Hz ({hz_to_note(median)}), "
            f"range {low:.1f}-{high:.1f} Hz ({hz_to_note(low)}-{hz_to_note(high)})"
        )
    else:
        lines.append("pitch: no voiced frames")
    lines.append("add --csv for every frame")
    return "\n".join(lines)
