"""How long a sung target takes: a 7-syllable bundled phrase, cold and from the cache.

Run: ``.venv/bin/python benchmarks/synth.py [--repeat N]``. The target is under 1 s for a cold
synthesis on 2 cores; a cached target should load in a few milliseconds. The cache is kept in
a temporary folder, so the user's own cache is neither used nor filled.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each kind (default 5)")
    parser.add_argument("--low", default="C3", help="register (default C3; A3 adds the formant shift)")
    args = parser.parse_args()
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="mitpractice-bench-")

    from mitpractice.melody import set_melody
    from mitpractice.phrases import bundled_phrases_dir, iter_phrase_sets
    from mitpractice.synth import sing, synthesize
    from mitpractice.synth.singing import spoken
    from mitpractice.synth.speech import load_voice, speak

    phrase_set, phrase = next(
        (s, p) for s in iter_phrase_sets([bundled_phrases_dir()]) for p in s.phrases if len(p.syllables) == 7
    )
    melody = set_melody(phrase_set, phrase, args.low)
    print(f"phrase: {phrase_set.id}/{phrase.id} {phrase.text!r}, {len(phrase.syllables)} syllables, "
          f"{melody.duration_s:.1f} s at {melody.tempo:g} bpm, low {args.low}; {os.cpu_count()} cores")

    t0 = time.perf_counter()
    load_voice()
    print(f"voice load (once per process):     {time.perf_counter() - t0:7.3f} s")
    audio_s = sing(phrase, melody).duration_s  # also the warm-up: espeak and onnxruntime first calls

    speech_s = _timed(lambda: speak(phrase.text), args.repeat)

    def cold_sing():
        spoken.cache_clear()  # nothing of this phrase known: speak, analyse, sing
        return sing(phrase, melody)

    cold = _timed(cold_sing, args.repeat)
    other_key = set_melody(phrase_set, phrase, "E3", melody.interval + 1, melody.tempo * 0.8)
    resung = _timed(lambda: sing(phrase, other_key), args.repeat)  # speech analysis reused
    synthesize(phrase, melody)  # fills the cache
    cached = _timed(lambda: synthesize(phrase, melody), args.repeat)

    print(f"speech only (piper):                {statistics.median(speech_s):7.3f} s")
    print(f"cold synthesis, median of {args.repeat}:      {statistics.median(cold):7.3f} s "
          f"(min {min(cold):.3f}, max {max(cold):.3f})")
    print(f"same words in another key/tempo:    {statistics.median(resung):7.3f} s")
    print(f"cached target, median of {args.repeat}:       {statistics.median(cached):7.3f} s")
    print(f"ratios: cold / 1 s target = {statistics.median(cold) / 1.0:.2f}, "
          f"cold / audio length = {statistics.median(cold) / audio_s:.3f} ({audio_s:.1f} s of audio), "
          f"cold / cached = {statistics.median(cold) / statistics.median(cached):.0f}x")


def _timed(run, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return times


if __name__ == "__main__":
    main()
