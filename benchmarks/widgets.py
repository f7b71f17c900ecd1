"""PitchView drawing cost during a take: how much of a core 60 fps of live pitch takes.

Run: ``.venv/bin/python benchmarks/widgets.py`` (about 20 s; offscreen raster painting, as
on a machine without GPU drivers).

A 10 s take of "I want some water" is replayed as the practice window would feed it: every
16 ms frame, the new pitch frames (10 ms hop), the cursor, and the current syllable once a
second; each frame the view's timer tick runs and the paint it asks for is timed. The view
is the size it has in a 1366x768 window, at pixel ratio 1 and 2 (4K). For comparison in the
same run, the same frames painted with everything redrawn each frame (no cached notes, the
whole line stroked, the whole view copied).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1318, 620)
TAKE_S = 10.0
FRAME_S = 1 / 60


def run(scale: float) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from mitpractice.gui.widgets import PitchView, note_at
    from mitpractice.melody import target_melody
    from mitpractice.phrases import Phrase
    from mitpractice.pitch import PitchTrack

    app = QApplication.instance() or QApplication([])
    syllables = ("I", "want", "some", "wa", "ter")
    phrase = Phrase(id="w", text="I want some water", syllables=syllables, pitches="LHLHL")
    melody = target_melody(phrase, low="C3", tempo=30)  # 10 s of notes
    times = np.arange(0.0, TAKE_S, 0.01)
    rng = np.random.default_rng(0)
    f0 = np.array([melody.notes[note_at(melody, t) or 0].pitch_hz for t in times])
    f0 *= 2 ** (rng.normal(0, 0.2, len(times)) / 12)
    confidence = (rng.random(len(times)) > 0.1).astype(float)

    results = {}
    for mode in ("cached", "naive"):
        view = PitchView()
        view.resize(*SIZE)
        view.show()
        app.processEvents()
        view.set_melody(melody)
        spent = []
        done = 0
        for k in range(int(TAKE_S / FRAME_S)):
            now = (k + 1) * FRAME_S
            upto = int(np.searchsorted(times, now))
            if upto > done:
                view.append_pitch(PitchTrack(times[done:upto], f0[done:upto], confidence[done:upto], "x"))
                done = upto
            view.set_cursor(now)
            view.set_current_syllable(note_at(melody, now))
            if mode == "naive":
                view._invalidate_background()
                view._layer = None
            start = time.perf_counter()
            view._tick()  # what the view's frame timer does
            app.processEvents()  # the paint it asked for
            spent.append(time.perf_counter() - start)
        spent.sort()
        results[mode] = {
            "median_ms": 1000 * statistics.median(spent),
            "p95_ms": 1000 * spent[int(0.95 * len(spent))],
            "max_ms": 1000 * spent[-1],
            "core_at_60fps": statistics.mean(spent) * 60,
        }
        view.close()
    return results


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        import json

        print(json.dumps(run(float(sys.argv[2]))))
        return 0
    import json

    print(f"PitchView {SIZE[0]}x{SIZE[1]}, {TAKE_S:g} s take at 60 fps, offscreen raster")
    print(f"{'ratio':>5} {'mode':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'core@60fps':>11}")
    for scale in (1.0, 2.0):
        child = [sys.executable, __file__, "--child", str(scale)]
        out = subprocess.run(child, capture_output=True, text=True, check=True, cwd=ROOT)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        for mode, f in figures.items():
            print(
                f"{scale:>5g} {mode:>7} {f['median_ms']:>10.2f} {f['p95_ms']:>8.2f} {f['max_ms']:>8.2f}"
                f" {f['core_at_60fps']:>10.1%}"
            )
        ratio = figures["naive"]["median_ms"] / figures["cached"]["median_ms"]
        print(f"{scale:>5g}  naive/cached median: {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
