"""Grab the shared widgets to PNG at the size of a 1366x768 screen, to look at them.

    .venv/bin/python scripts/screenshots.py [--scale 2] [-o docs/img]

The pitch line is real: a sung target tracked with CREPE, and for the scored picture an
attempt sung with too small an interval and one syllable cut out, scored by the scorer.
``--scale 2`` renders as on a high-DPI (4K) screen.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCREEN = (1366, 768)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2 for a 4K screen)")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"

    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from mitpractice.gui.app import make_app
    from mitpractice.gui.widgets import LevelMeter, PitchView, note_at
    from mitpractice.melody import target_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.pitch import PitchTrack, track_pitch
    from mitpractice.scoring import score_track
    from mitpractice.synth import sung_target

    app = make_app()  # the windows' font and colours
    phrase_set = load_phrase_set(bundled_phrases_dir() / "needs.toml")
    phrase = phrase_set.phrase("i-want-some-water")
    melody = target_melody(phrase, low="C3")
    target = sung_target(phrase_set.id, phrase, melody)
    track = track_pitch(target.audio, target.sr)

    # An attempt with the high notes only one semitone up and "wa" cut out.
    off = target_melody(phrase, low="C3", interval=1)
    attempt = sung_target(phrase_set.id, phrase, off).audio.copy()
    cut = melody.notes[3]
    attempt[int(cut.onset_s * target.sr) : int(cut.offset_s * target.sr)] = 0.0
    attempt_track = track_pitch(attempt, target.sr)
    score = score_track(attempt_track, melody, audio=attempt, sr=target.sr)

    window = QWidget()
    window.setWindowTitle("mitpractice widgets")
    window.resize(*SCREEN)
    layout = QVBoxLayout(window)
    layout.setContentsMargins(24, 24, 24, 24)
    layout.setSpacing(16)
    view = PitchView()
    meter = LevelMeter()
    layout.addWidget(view, stretch=1)
    layout.addWidget(meter)
    window.show()
    app.processEvents()

    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.scale == 1 else f"@{args.scale:g}x"
    saved = []

    def save(name: str, widget: QWidget) -> None:
        app.processEvents()
        path = args.out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        saved.append(path)

    # Singing along: the line so far, the syllable playing now, the playback cursor.
    now = 2.6
    view.set_melody(melody)
    so_far = track.times <= now
    view.append_pitch(
        PitchTrack(track.times[so_far], track.f0_hz[so_far], track.confidence[so_far], track.model)
    )
    view.set_current_syllable(note_at(melody, now))
    view.set_cursor(now)
    meter.set_level(-22.0)
    save("widgets-singing", window)

    # Scored: each syllable in its result's colour.
    view.set_melody(melody)
    view.append_pitch(attempt_track)
    view.set_results(score.syllables)
    meter.reset()
    save("widgets-scored", window)

    # The level meter's three zones.
    meters = QWidget()
    column = QVBoxLayout(meters)
    column.setContentsMargins(24, 24, 24, 24)
    column.setSpacing(24)
    for level in (-50.0, -22.0, -4.0):
        m = LevelMeter()
        m.set_level(level)
        column.addWidget(m)
    meters.resize(SCREEN[0] // 2, 3 * LevelMeter().sizeHint().height() + 100)
    meters.show()
    save("widgets-level", meters)

    print("syllables:", [(s.text, s.detected, s.pitch_ok, s.timing_ok) for s in score.syllables])
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
