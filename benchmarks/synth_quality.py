"""Every bundled phrase sung at low C3 and A3, measured as tests/test_synth.py measures three.

Run: ``.venv/bin/python benchmarks/synth_quality.py`` (about 10 minutes on 2 cores). For each
target: the share of voiced frames within 50 cents of the sounding note (Praat and CREPE-tiny),
the high notes' share of voiced time against their share of beats, the voiced span against
the phrase's length at the tempo, and the score the scorer gives the target sung against its
own melody (it should be near 100). Prints the worst and median figures and every target
that misses a requirement. The cache is kept in a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REGISTERS = ("C3", "A3")


def main() -> int:
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="mitpractice-bench-")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from synth_measures import measure, praat_track

    from mitpractice.melody import set_melody
    from mitpractice.phrases import bundled_phrases_dir, iter_phrase_sets
    from mitpractice.pitch import track_pitch
    from mitpractice.scoring import score_track
    from mitpractice.synth import synthesize

    rows = []
    for phrase_set in iter_phrase_sets([bundled_phrases_dir()]):
        for phrase in phrase_set.phrases:
            for low in REGISTERS:
                melody = set_melody(phrase_set, phrase, low)
                target = synthesize(phrase, melody)
                row = {"target": f"{phrase_set.id}/{phrase.id}@{low}"}
                track = track_pitch(target.audio, target.sr, "crepe-tiny")  # measured and scored
                voiced = track.voiced()
                crepe = (track.times[voiced], track.f0_hz[voiced])
                for name, (times, f0) in (("praat", praat_track(target.audio, target.sr)), ("crepe", crepe)):
                    m = measure(times, f0, melody, target.start_s)
                    row[f"{name}_on_note"] = m["on_note"]
                    row[f"{name}_high"] = abs(m["high_share"] - m["high_beats"])
                    row[f"{name}_span"] = m["span"]
                row["score"] = score_track(track, melody, audio=target.audio, sr=target.sr).overall
                rows.append(row)
                print(" ".join(f"{v:.3f}" if isinstance(v, float) else v for v in row.values()), flush=True)

    def column(key: str) -> np.ndarray:
        return np.array([r[key] for r in rows])

    print(f"\n{len(rows)} targets")
    for name in ("praat", "crepe"):
        on, high, span = column(f"{name}_on_note"), column(f"{name}_high"), column(f"{name}_span")
        print(f"{name:6} on note (>= 85 %): worst {on.min():.1%}, median {np.median(on):.1%}; "
              f"high share off by (<= 15 %): worst {high.max():.1%}; "
              f"span (1 +- 15 %): {span.min():.2f}-{span.max():.2f}")
    scores = column("score")
    print(f"self-score: worst {scores.min():.1f}, median {np.median(scores):.1f}")
    misses = [r["target"] for r in rows
              if min(r["praat_on_note"], r["crepe_on_note"]) < 0.85
              or max(r["praat_high"], r["crepe_high"]) > 0.15
              or max(abs(r["praat_span"] - 1), abs(r["crepe_span"] - 1)) > 0.15 or r["score"] < 90]
    print("targets missing a requirement:", ", ".join(misses) or "none")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
