"""How a listener's ear would measure a sung target: pitch tracks and the test measures.

Shared by ``tests/test_synth.py`` and ``benchmarks/synth_quality.py`` (which runs them over
every bundled phrase).
"""

from __future__ import annotations

import numpy as np
import parselmouth

from mitpractice.melody import TargetMelody


def praat_track(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    pitch = parselmouth.Sound(y.astype(np.float64), sampling_frequency=sr).to_pitch_ac(
        time_step=0.01, pitch_floor=75.0, pitch_ceiling=600.0
    )
    f0 = pitch.selected_array["frequency"]
    return pitch.xs()[f0 > 0], f0[f0 > 0]


def crepe_track(y: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    from mitpractice.pitch import track_pitch

    track = track_pitch(y, sr, "crepe-tiny")
    voiced = track.voiced(0.5)
    return track.times[voiced], track.f0_hz[voiced]


def measure(times: np.ndarray, f0: np.ndarray, melody: TargetMelody, start_s: float) -> dict[str, float]:
    """Share of voiced frames on the sounding note, high notes' share, voiced span / phrase length."""
    t = times - start_s
    onsets = np.array([n.onset_s for n in melody.notes])
    which = np.clip(np.searchsorted(onsets, t, side="right") - 1, 0, len(onsets) - 1)
    target = np.array([n.pitch_hz for n in melody.notes])[which]
    high = np.array([n.level == "H" for n in melody.notes])[which]
    beats = np.array([n.beats for n in melody.notes])
    levels = np.array([n.level == "H" for n in melody.notes])
    return {
        "on_note": float(np.mean(np.abs(1200 * np.log2(f0 / target)) <= 50)),
        "high_share": float(np.mean(high)),
        "high_beats": float(beats[levels].sum() / beats.sum()),
        "span": float((t[-1] - t[0]) / melody.duration_s),
    }
