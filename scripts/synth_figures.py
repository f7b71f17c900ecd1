"""Draw the spectrograms of docs/synth.md: "I want some water" sung at low C3 and A3.

Run: ``.venv/bin/pip install matplotlib && .venv/bin/python scripts/synth_figures.py``
(matplotlib is needed only here, not by the app). Writes docs/img/synth_i-want-some-water_*.png:
the spectrogram up to 5 kHz, and below it the CREPE-full pitch track over the target notes.
"""

from pathlib import Path

import librosa
import librosa.display
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from mitpractice.melody import set_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.pitch import track_pitch
from mitpractice.synth import synthesize

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
HOP = 256


def figure(low: str) -> Path:
    phrase_set = load_phrase_set(bundled_phrases_dir() / "needs.toml")
    phrase = phrase_set.phrase("i-want-some-water")
    melody = set_melody(phrase_set, phrase, low)
    target = synthesize(phrase, melody, use_cache=False)
    y, sr = target.audio, target.sr
    spec = librosa.amplitude_to_db(np.abs(librosa.stft(y, n_fft=2048, hop_length=HOP)), ref=np.max)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, height_ratios=[3, 1.3])
    librosa.display.specshow(spec, sr=sr, hop_length=HOP, x_axis="time", y_axis="linear", ax=top, vmin=-80)
    top.set_ylim(0, 5000)
    top.set_title(f"'{phrase.text}' sung at low {low} (synthesised target)")
    track = track_pitch(y, sr, "crepe-full")
    voiced = track.voiced()
    bottom.plot(track.times[voiced], track.f0_hz[voiced], ".", ms=2, label="CREPE-full pitch")
    for note in melody.notes:
        start = target.start_s + note.onset_s
        bottom.hlines(note.pitch_hz, start, start + note.duration_s, colors="r", lw=3, alpha=0.4)
        bottom.text(start + 0.05, note.pitch_hz * 1.04, note.syllable)
    bottom.set_ylim(melody.low_hz * 0.8, melody.low_hz * 1.45)
    bottom.set_ylabel("Hz")
    bottom.set_xlabel("time (s)")
    bottom.legend(loc="lower right")
    fig.tight_layout()
    path = OUT / f"synth_{phrase.id}_{low}.png"
    fig.savefig(path, dpi=80)
    return path


if __name__ == "__main__":
    for low in ("C3", "A3"):
        print(figure(low))
