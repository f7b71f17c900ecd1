"""Scoring benchmark: how long scoring a 10 s attempt takes once its pitch track is known.

Run: ``.venv/bin/python benchmarks/scoring.py`` (about a minute).

The attempt is the product's own sung target (piper + WORLD, :mod:`mitpractice.synth`) of a
nine-syllable phrase at 54 beats per minute, about 10 s, clean and with babble-like noise (the
same voice singing other phrases underneath at 10 dB SNR), which gives the segmentation many
more pieces to align. For context it also times pitch tracking of the same audio with
CREPE-tiny and pYIN. Scoring times are the median of repeated runs; the app scores after the
patient stops singing, so what matters is that scoring adds little to tracking.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.pitch import track_pitch
from mitpractice.scoring import score_track
from mitpractice.synth import sing


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="scoring runs per case")
    args = parser.parse_args()

    answers = load_phrase_set(bundled_phrases_dir() / "answers.toml")
    phrase = answers.phrase("my-daughter-is-coming-tomorrow")
    melody = target_melody(phrase, low="A2", interval=3, tempo=54)
    target = sing(phrase, melody)
    y, sr = target.audio, target.sr
    others = [sing(p, target_melody(p, low="E3", tempo=70)).audio for p in answers.phrases[10:13]]
    babble = np.concatenate(others)[: len(y)]
    babble = np.pad(babble, (0, len(y) - len(babble)))
    babble *= np.sqrt(np.mean(y**2) / np.mean(babble**2) / 10.0)
    noisy = (y + babble).astype(np.float32)
    seconds = len(y) / sr
    print(f"attempt: {phrase.id!r}, {len(phrase.syllables)} syllables, {seconds:.1f} s at {sr} Hz")

    for name, audio in (("clean", y), ("babble 10 dB", noisy)):
        for model in ("crepe-tiny", "pyin"):
            t_track, track = timed(lambda a=audio, m=model: track_pitch(a, sr, m), 1)
            t_audio, with_audio = timed(lambda t=track, a=audio: score_track(t, melody, audio=a, sr=sr),
                                        args.repeat)
            t_track_only, alone = timed(lambda t=track: score_track(t, melody), args.repeat)
            print(
                f"{name:>13} {model:>10}: tracking {t_track:6.2f} s ({seconds / t_track:5.1f}x real time); "
                f"scoring with audio {1000 * t_audio:6.1f} ms, from the track alone "
                f"{1000 * t_track_only:6.1f} ms ({100 * t_audio / t_track:4.1f} % of tracking); "
                f"overall {with_audio.overall:5.1f} / {alone.overall:5.1f}"
            )


if __name__ == "__main__":
    main()
