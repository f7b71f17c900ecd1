"""The shared widgets as a user sees them: rendered offscreen and read back pixel by pixel."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFontMetricsF, QImage

from mitpractice.gui.widgets import LevelMeter, PitchView, note_at, palette
from mitpractice.gui.widgets import pitchview as pitchview_module
from mitpractice.melody import target_melody
from mitpractice.phrases import Phrase
from mitpractice.pitch import PitchTrack
from mitpractice.scoring import SyllableResult

PHRASE = Phrase(
    id="water", text="I want some water", syllables=("I", "want", "some", "wa", "ter"), pitches="LHLHL"
)


@pytest.fixture
def melody():
    return target_melody(PHRASE, low="C3", interval=3, tempo=60)


@pytest.fixture
def view(qtbot, melody):
    view = PitchView()
    qtbot.addWidget(view)
    view.resize(1200, 520)
    view.set_melody(melody)
    return view


def sung(melody, hop=0.01, inset=0.1):
    """Each note sung at its pitch from ``inset`` after its onset to ``inset`` before its end,
    unvoiced in between (confidence 0, f0 an octave up, which must not be drawn)."""
    times = np.arange(0.0, melody.duration_s, hop)
    f0 = np.full(len(times), 2 * melody.high_hz)
    confidence = np.zeros(len(times))
    for note in melody.notes:
        on = (times >= note.onset_s + inset) & (times < note.offset_s - inset)
        f0[on] = note.pitch_hz
        confidence[on] = 0.95
    return PitchTrack(times, f0, confidence, "crepe-tiny")


def pieces(track: PitchTrack, n: int):
    for idx in np.array_split(np.arange(len(track)), n):
        yield PitchTrack(track.times[idx], track.f0_hz[idx], track.confidence[idx], track.model)


def image_of(widget) -> QImage:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert image.width() == widget.width()  # 1:1 in these tests
    return image


def rgb(image: QImage, point: QPointF) -> str:
    return QColor(image.pixel(round(point.x()), round(point.y()))).name()


def rows_of(image: QImage, x: int, colour: QColor) -> list[int]:
    return [y for y in range(image.height()) if image.pixel(x, y) == colour.rgb()]


def test_the_pitch_line_lies_on_the_rows_of_the_notes_sung_and_breaks_where_unvoiced(view, melody):
    for piece in pieces(sung(melody), 7):  # as a streaming tracker hands it over
        view.append_pitch(piece)
    image = image_of(view)
    for note in melody.notes:
        bar = view.note_rect(note.index)
        for t in np.linspace(note.onset_s + 0.2, note.offset_s - 0.2, 5):
            x = round(view.point_at(t, 0).x())
            rows = rows_of(image, x, palette.PITCH)
            assert rows, f"no pitch line over {note.syllable!r} at {t:.2f} s"
            assert bar.top() <= min(rows) and max(rows) <= bar.bottom(), (note.syllable, rows, bar)
        # Between notes the track is unvoiced: nothing drawn (the octave-up f0 least of all).
        if note.index + 1 < len(melody.notes):
            x = round(view.point_at(note.offset_s, 0).x())
            assert rows_of(image, x, palette.PITCH) == []


def test_the_highlighted_syllable_changes_colour_and_only_it(view, melody):
    before = image_of(view)
    centres = [view.note_rect(i).center() for i in range(len(melody.notes))]
    assert {rgb(before, c) for c in centres} == {palette.NOTE.name()}
    view.set_current_syllable(2)
    after = image_of(view)
    assert rgb(after, centres[2]) == palette.HIGHLIGHT.name()
    assert [rgb(after, c) for i, c in enumerate(centres) if i != 2] == [palette.NOTE.name()] * 4
    assert "some (Low, now)" in view.accessibleDescription()
    view.set_current_syllable(None)
    assert rgb(image_of(view), centres[2]) == palette.NOTE.name()


def test_note_at_follows_the_beats(melody):
    assert [note_at(melody, t) for t in (0.0, 0.99, 1.0, 4.5, 5.0, -0.1)] == [0, 0, 1, 4, None, None]


def result(index, text, detected=True, pitch_ok=True, timing_ok=True):
    return SyllableResult(
        index=index, text=text, target="L", detected=detected, pitch_ok=pitch_ok, timing_ok=timing_ok
    )


def test_scored_syllables_take_their_result_colour_and_a_missed_one_is_an_outline(view, melody):
    view.set_results(
        [
            result(0, "I"),
            result(1, "want", pitch_ok=False),
            result(2, "some", timing_ok=False),
            result(3, "wa", detected=False),
            result(4, "ter"),
        ]
    )
    image = image_of(view)
    colours = [rgb(image, view.note_rect(i).center()) for i in range(5)]
    assert colours == [
        palette.GOOD.name(),
        palette.WRONG.name(),  # a wrong note is wrong, not "nearly"
        palette.CLOSE.name(),
        palette.BACKGROUND.name(),  # hollow
        palette.GOOD.name(),
    ]
    missed = view.note_rect(3)

    def red(x, y):
        c = QColor(image.pixel(round(x), y))
        return c.red() > 150 and c.green() < 110 and c.blue() < 110

    top = round(missed.top())
    columns = np.arange(missed.left() + 8, missed.right() - 8)
    dashed = [any(red(x, y) for y in range(top, top + 6)) for x in columns]
    assert 0.3 * len(columns) < sum(dashed) < 0.9 * len(columns)  # dashes along the top
    assert "wa (High, not heard)" in view.accessibleDescription()
    view.set_results(None)
    assert rgb(image_of(view), view.note_rect(3).center()) == palette.NOTE.name()


def test_an_upside_down_tune_is_drawn_wrong_not_nearly(view):
    view.set_results([result(i, "x", pitch_ok=False) for i in range(5)])
    image = image_of(view)
    assert {rgb(image, view.note_rect(i).center()) for i in range(5)} == {palette.WRONG.name()}
    assert view.accessibleDescription().count("wrong note") == 5
    assert "nearly" not in view.accessibleDescription()


def test_notes_placed_on_a_slow_take_end_where_its_singing_ends(view, melody):
    # A take sung at half the speed: the line runs to 10 s; the scored notes must run with it
    # rather than end at 5 s with green bars and the singing going on past them.
    slow = sung(melody)
    view.append_pitch(PitchTrack(slow.times * 2, slow.f0_hz, slow.confidence, "x"))
    view.place_notes(2.0, 0.0)
    last = view.note_rect(4)
    assert last.right() == pytest.approx(view.point_at(10.0, 0).x(), abs=5)
    assert view.note_rect(1).left() == pytest.approx(view.point_at(2.0, 0).x(), abs=5)
    image = image_of(view)
    x = round(view.point_at(9.0, 0).x())  # in the last syllable, sung slowly
    rows = rows_of(image, x, palette.PITCH)
    assert rows and last.top() <= min(rows) and max(rows) <= last.bottom()
    view.set_melody(melody)  # the next phrase: the target's own times again
    assert view.note_rect(4).right() == pytest.approx(view.point_at(5.0, 0).x(), abs=5)


def test_the_playback_cursor_is_drawn_where_playback_is(view):
    view.set_cursor(2.5)
    image = image_of(view)
    x = round(view.point_at(2.5, 0).x())
    middle = view.plot_rect().center().y()
    assert QColor(image.pixel(x, round(middle))).name() == palette.CURSOR.name()
    view.set_cursor(None)
    assert QColor(image_of(view).pixel(x, round(middle))).name() != palette.CURSOR.name()


def test_a_new_melody_clears_the_line_the_highlight_and_the_results(view, melody):
    view.append_pitch(sung(melody))
    view.set_current_syllable(1)
    view.set_results([result(0, "I")])
    view.set_melody(melody)
    image = image_of(view)
    assert all(rgb(image, view.note_rect(i).center()) == palette.NOTE.name() for i in range(5))
    assert view.current_syllable() is None
    assert not any(rows_of(image, x, palette.PITCH) for x in range(0, view.width(), 7))


def test_pitch_off_the_scale_is_left_out_not_drawn_along_the_edge(view, melody):
    # An octave slip of the tracker (and anything else beyond the drawing's range) drawn at
    # the edge looked like dashes sung along the top.
    times = np.arange(0.2, 0.8, 0.01)
    view.append_pitch(PitchTrack(times, np.full(len(times), 4 * melody.high_hz), np.ones(len(times)), "x"))
    times = np.arange(1.2, 1.8, 0.01)
    view.append_pitch(PitchTrack(times, np.full(len(times), melody.high_hz), np.ones(len(times)), "x"))
    image = image_of(view)
    assert rows_of(image, round(view.point_at(0.5, 0).x()), palette.PITCH) == []
    assert rows_of(image, round(view.point_at(1.5, 0).x()), palette.PITCH)  # in range: drawn


def on_screen(view) -> QImage:
    """What the window system shows of ``view`` (its backing store), unlike ``grab()``, which
    paints the whole view afresh and so cannot see a part left stale."""
    pixmap = view.screen().grabWindow(view.winId())
    return pixmap.toImage().convertToFormat(QImage.Format.Format_RGB32)


@pytest.fixture
def shown(qtbot, view):
    with qtbot.waitExposed(view):
        view.show()
    qtbot.wait(50)
    return view


def test_the_mark_is_repainted_whole_though_only_a_strip_was_asked_for(qtbot, shown, melody):
    # The cursor's strip was repainted with the notes redrawn behind it; the rest of the view
    # kept the old marks, so a mark showed only where the cursor had passed and stayed on
    # notes already sung.
    view = shown
    centres = [view.note_rect(i).center() for i in range(5)]
    for t in (0.2, 1.2, 2.2):  # off the bars' centres, which are read below
        view.set_playhead(t)
        x = round(view.point_at(t, 0).x())
        view.repaint(x - 5, 0, 10, view.height())  # a strip, as a cursor frame asks for
        qtbot.wait(3 * pitchview_module.FRAME_MS)
    image = on_screen(view)
    assert [rgb(image, c) for c in centres] == [palette.NOTE.name()] * 2 + [palette.HIGHLIGHT.name()] + [
        palette.NOTE.name()
    ] * 2


def test_results_appear_on_screen_though_a_strip_repaint_came_first(qtbot, shown):
    view = shown
    view.set_results([result(i, "x") for i in range(5)])
    view.repaint(0, 0, 10, 10)
    qtbot.wait(3 * pitchview_module.FRAME_MS)
    image = on_screen(view)
    assert {rgb(image, view.note_rect(i).center()) for i in range(5)} == {palette.GOOD.name()}


def test_the_mark_goes_when_the_voice_stops_calling(qtbot, view):
    view.set_playhead(2.5)
    assert view.current_syllable() == 2
    qtbot.wait(pitchview_module.PLAYHEAD_LEASE_MS + 150)
    assert view.current_syllable() is None
    x = round(view.point_at(2.5, 0).x())
    image = image_of(view)
    assert QColor(image.pixel(x, round(view.plot_rect().center().y()))).name() != palette.CURSOR.name()
    assert rgb(image, view.note_rect(2).center()) == palette.NOTE.name()


def test_the_mark_never_covers_a_result(view):
    view.set_results([result(i, "x") for i in range(5)])
    view.set_playhead(2.2)  # the voice played again (A) over the green results
    image = image_of(view)
    bar = view.note_rect(2)
    assert rgb(image, bar.center()) == palette.GOOD.name()
    width = pitchview_module.NOW_OUTLINE_PX
    assert rgb(image, QPointF(bar.center().x(), bar.top() - width)) == palette.INK.name()  # around it
    assert "some (Low, good, now)" in view.accessibleDescription()


def test_the_view_repaints_at_most_once_a_frame_and_not_at_all_when_idle(qtbot, view, melody):
    with qtbot.waitExposed(view):
        view.show()
    qtbot.wait(100)
    idle = view.frames_painted
    qtbot.wait(200)
    assert view.frames_painted == idle  # nothing changed, nothing painted
    for piece in pieces(sung(melody), 200):  # far more pieces than frames
        view.append_pitch(piece)
        view.set_cursor(float(piece.times[-1]))
    qtbot.wait(2 * pitchview_module.FRAME_MS + 50)
    painted = view.frames_painted - idle
    assert 1 <= painted <= 3


def test_syllables_are_large_and_inside_the_view_at_1366x768(qtbot, melody):
    view = PitchView()
    qtbot.addWidget(view)
    view.resize(1318, 600)  # the view's share of a 1366x768 window
    syllables = ("wonderful", "ly", "I", "un", "der", "stand")
    long = Phrase(id="l", text="x", syllables=syllables, pitches="HLLHLH")
    view.set_melody(target_melody(long, low="C3", tempo=80))
    font = view._font()
    assert font.pixelSize() >= 32
    bounds = view.rect()
    for note in view.melody().notes:
        label = view.text_rect(note.index)
        assert bounds.contains(label.toAlignedRect()), (note.syllable, label)
        assert not label.intersects(view.note_rect(note.index))
    metrics = QFontMetricsF(font)
    assert metrics.horizontalAdvance("stand") < view.text_rect(5).width()


def test_views_have_accessible_names(qtbot, view):
    meter = LevelMeter()
    qtbot.addWidget(meter)
    assert view.accessibleName() and meter.accessibleName()
    assert view.accessibleDescription().startswith("I (Low)")


@pytest.fixture
def meter(qtbot):
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.resize(600, meter.sizeHint().height())
    return meter


@pytest.mark.parametrize(
    ("dbfs", "zone", "colour"),
    [
        (-50.0, "quiet", palette.LEVEL_QUIET),
        (-22.0, "good", palette.LEVEL_GOOD),
        (-4.0, "loud", palette.LEVEL_LOUD),
    ],
)
def test_the_level_bar_ends_at_the_level_in_its_zones_colour(meter, dbfs, zone, colour):
    meter.set_level(dbfs)
    assert meter.zone() == zone
    image = image_of(meter)
    y = round(meter.bar_rect().center().y())
    end = meter.x_of(dbfs)
    assert QColor(image.pixel(round(end) - 4, y)).name() == colour.name()
    assert QColor(image.pixel(round(end) + 4, y)).name() != colour.name()
    assert meter.accessibleDescription() == {"quiet": "Too quiet", "good": "Good", "loud": "Too loud"}[zone]


def test_the_level_falls_slowly_so_a_syllable_can_be_read(qtbot, meter):
    meter.set_level(-6.0)
    meter.set_level(-60.0)
    assert meter.level() == pytest.approx(-6.0, abs=0.5)
    qtbot.wait(500)
    meter.set_level(-60.0)
    from mitpractice.gui.widgets.levelmeter import RELEASE_DB_PER_S

    assert meter.level() == pytest.approx(-6.0 - 0.5 * RELEASE_DB_PER_S, abs=4.0)
    meter.reset()
    assert meter.level() == -60.0 and meter.zone() == "quiet"


def test_the_good_zone_moves_with_the_thresholds(meter):
    meter.set_level(-45.0)
    assert meter.zone() == "quiet"
    meter.set_thresholds(quiet_dbfs=-50.0, loud_dbfs=-10.0)
    assert meter.zone() == "good"
    image = image_of(meter)
    y = round(meter.bar_rect().top() + 3)
    assert QColor(image.pixel(round(meter.x_of(-48.0)), y)).name() == palette.ZONE_GOOD.name()


def test_painting_for_a_long_time_does_not_use_up_none(view, melody):
    # PySide6 6.12.0 dropped a reference to None on every call returning nothing; on Python
    # 3.11 a window painting at 60 fps then aborted with "deallocating None" within seconds.
    track = sung(melody)
    before = sys.getrefcount(None)
    for k, piece in enumerate(pieces(track, 300)):
        view.append_pitch(piece)
        view.set_cursor(float(piece.times[-1]))
        view.set_current_syllable(k % 5)
        view.repaint()
    assert sys.getrefcount(None) >= before - 100


def test_a_line_fed_in_small_pieces_looks_like_the_line_drawn_at_once(qtbot, melody):
    rng = np.random.default_rng(1)
    track = sung(melody)
    f0 = track.f0_hz * 2 ** (rng.normal(0, 0.3, len(track)) / 12)
    wobbly = PitchTrack(track.times, f0, track.confidence, "x")
    drawn = []
    for n in (1, 400):  # 400 pieces: a frame or two each, as at 60 fps
        view = PitchView()
        qtbot.addWidget(view)
        view.resize(1200, 520)
        view.set_melody(melody)
        with qtbot.waitExposed(view):
            view.show()
        for piece in pieces(wobbly, n):
            view.append_pitch(piece)
            view.repaint()
        assert view.frames_painted >= n
        image = image_of(view)
        drawn.append(sum(len(rows_of(image, x, palette.PITCH)) for x in range(image.width())))
    assert drawn[1] == pytest.approx(drawn[0], rel=0.1)
