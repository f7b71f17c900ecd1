"""The word check in the spoken steps: which takes it hears, when the words pass, what is said.

The check itself (:func:`mitpractice.words.check_words`) answers, per word of the phrase,
said, not said or "could not decide". This module is what the practice session makes of that
(docs/words.md, "In the practice window"):

* **Which takes.** Every take of a spoken step (scoring mode ``sprechgesang``: speaking in
  rhythm, "Wait, then say it", the spoken "Answer") is checked and its words stored with the
  attempt. In the steps spoken *along with the voice* the microphone also hears the app's
  voice say the same words, so there the words are kept for the therapist but neither shown
  to the patient nor used for the pass (:func:`words_count`).
* **The pass.** Where the patient's setting asks for it (:func:`words_needed`), a take of a
  step where the patient speaks alone passes when its rhythm passes *and* its words do
  (:func:`words_pass`). The rule leans on what the check is sure of (it misses words said more
  often than it credits words not said): no more than one decided word in four may be "not
  said", and undecided words do not count. When every word is undecided, or the check could
  not run, the step is judged on rhythm alone: "could not decide" never fails a take.
* **What the patient sees.** Only gentle words: "I heard: thank … you", the words credited
  with an ellipsis for the others, never a mark against a word (:func:`heard_text`).

Nothing here imports Qt or the recogniser: the practice session and the command line import
this at start (:mod:`mitpractice.words` only when stored words are read back).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mitpractice.practice.steps import TAKE_ALONG, Step

if TYPE_CHECKING:  # the check's package pulls numpy and its decoder's modules
    from mitpractice.words import WordResult

#: The scoring mode of the spoken steps (Sprechgesang and speech): the steps whose takes are checked.
SPOKEN_MODE = "sprechgesang"
#: The levels at which the words count towards a pass unless the therapist says otherwise:
#: from the intermediate level the patient is expected to say the words, not only to carry
#: the tune (PROTOCOL.md "The steps"); at the elementary level the words are still coming.
WORDS_NEEDED_LEVELS = ("intermediate", "advanced")
#: The most of the decided words that may be "not said" for the words to pass. The check
#: misses a word said far more often than it credits one not said (docs/words.md: about one
#: word in two of a correct take by the test voices is not found, one in six of another
#: phrase is credited), so one miss in four is forgiven: a phrase of four or more words
#: passes with one word not heard; "thank you" needs both.
MAX_NOT_SAID_SHARE = 0.25
#: The store's setting (one per patient: this prefix and the patient's id) holding the
#: therapist's choice, ``"on"`` or ``"off"``; without it the level decides (:func:`words_needed`).
WORDS_SETTING_PREFIX = "practice.words_needed@"
#: Seconds of the quiet before and after the speech kept for the check: the room heard before
#: a take and the pause that ended it are quiet by the take's own rules, and the check's time
#: grows with the audio it reads (about a third of a second per second on a loaded two-core
#: machine, docs/words.md), so it reads the take without them, less this margin for a soft
#: first or last sound.
WORDS_MARGIN_S = 0.25
#: Shown for the words the check did not credit (not said or undecided), never a cross.
GAP = "…"
#: How a word is written for the therapist (the Praat tier, the CSV) by the check's answer
#: (``said``): said, undecided, found or not but judged not said.
WORD_LABELS = {True: "{}", None: "{}?", False: "({})"}


def words_setting_key(patient_id: str) -> str:
    """The settings-table key of a patient's "the spoken steps need the words" choice.

    Examples
    --------
    >>> words_setting_key("p1")
    'practice.words_needed@p1'
    """
    return WORDS_SETTING_PREFIX + patient_id


def words_needed_default(level: str) -> bool:
    """Whether the words count towards a pass at this level when the therapist has not chosen.

    Examples
    --------
    >>> [words_needed_default(level) for level in ("elementary", "intermediate", "advanced")]
    [False, True, True]
    """
    return level in WORDS_NEEDED_LEVELS


def words_needed(level: str, stored: str | None) -> bool:
    """The patient's setting: the therapist's stored ``"on"``/``"off"``, else the level's default.

    Examples
    --------
    >>> words_needed("advanced", None), words_needed("advanced", "off"), words_needed("elementary", "on")
    (True, False, True)
    """
    if stored in ("on", "off"):
        return stored == "on"
    return words_needed_default(level)


def checks_words(step: Step) -> bool:
    """Whether a take of ``step`` is word-checked (and its words stored): the spoken steps.

    Examples
    --------
    >>> from mitpractice.practice.steps import STEPS
    >>> [s for s in STEPS if checks_words(STEPS[s])]
    ['sprechgesang', 'sprechgesang-fading', 'spoken-delayed', 'probe-spoken']
    """
    return step.scored and step.mode == SPOKEN_MODE


def words_count(step: Step) -> bool:
    """Whether the words of a take of ``step`` are shown to the patient and may decide its
    pass: a spoken step the patient speaks alone (not along with the app's voice, which the
    microphone hears saying the same words).

    Examples
    --------
    >>> from mitpractice.practice.steps import STEPS
    >>> [s for s in STEPS if words_count(STEPS[s])]
    ['spoken-delayed', 'probe-spoken']
    """
    return checks_words(step) and step.take != TAKE_ALONG


def speech_span(samples: int, sr: int, *, room_s: float, quiet_end_s: float,
                margin_s: float = WORDS_MARGIN_S) -> tuple[int, int]:
    """The samples of a take the word check reads: without the room heard before the take
    (``room_s``) and the quiet that ended it (``quiet_end_s``, 0 when something else ended
    it), each less ``margin_s``; the whole take when that would leave under half a second.

    Examples
    --------
    >>> speech_span(16_000 * 5, 16_000, room_s=0.4, quiet_end_s=1.2)
    (2400, 64800)
    >>> speech_span(16_000, 16_000, room_s=0.4, quiet_end_s=1.2)
    (0, 16000)
    """
    start = max(0, round((room_s - margin_s) * sr))
    stop = samples - max(0, round((quiet_end_s - margin_s) * sr))
    if stop - start < sr // 2:
        return 0, samples
    return start, stop


def shifted(words: Sequence[WordResult], offset_s: float) -> tuple[WordResult, ...]:
    """The words with their times moved by ``offset_s`` (from a part of the take to the take).

    Examples
    --------
    >>> from mitpractice.words import WordResult
    >>> shifted([WordResult(word="yes", said=True, confidence=0.9, start_s=0.1, end_s=0.5),
    ...          WordResult(word="no", said=False, confidence=0.05)], 0.15)[0].start_s
    0.25
    """
    from dataclasses import replace

    return tuple(w if w.start_s is None or w.end_s is None
                 else replace(w, start_s=round(w.start_s + offset_s, 3), end_s=round(w.end_s + offset_s, 3))
                 for w in words)


def words_pass(words: Sequence[WordResult] | None) -> bool | None:
    """Whether the words of a take pass; ``None`` when the check could not decide (every word
    undecided, or no check): the step is then judged on rhythm alone.

    Examples
    --------
    >>> from mitpractice.words import WordResult
    >>> w = lambda said: WordResult(word="w", said=said, confidence=0.5)
    >>> words_pass([w(True), w(True), w(True), w(False)]), words_pass([w(True), w(False)])
    (True, False)
    >>> words_pass([w(True), w(None), w(False)]), words_pass([w(None), w(None)]), words_pass(None)
    (False, None, None)
    """
    decided = [w for w in words or () if w.said is not None]
    if not decided:
        return None
    not_said = sum(w.said is False for w in decided)
    return not_said <= MAX_NOT_SAID_SHARE * len(decided)


def heard_words(words: Sequence[WordResult]) -> str:
    """The words credited, in order, with one :data:`GAP` for each run of words that were not.

    Examples
    --------
    >>> from mitpractice.words import WordResult
    >>> w = lambda word, said: WordResult(word=word, said=said, confidence=0.5)
    >>> heard_words([w("thank", True), w("you", False)])
    'thank …'
    >>> heard_words([w("please", True), w("close", None), w("the", False), w("door", True)])
    'please … door'
    """
    out: list[str] = []
    for w in words:
        if w.said:
            out.append(w.word)
        elif not out or out[-1] != GAP:
            out.append(GAP)
    return " ".join(out)


def tally(words: Sequence[WordResult] | None) -> str:
    """Words said of the phrase's words, undecided ones counted apart (the report's column).

    Examples
    --------
    >>> from mitpractice.words import WordResult
    >>> w = lambda said: WordResult(word="w", said=said, confidence=0.5)
    >>> tally([w(True), w(True), w(False)]), tally([w(True), w(None), w(True)]), tally(None)
    ('2/3', '2/3 (1 ?)', '—')
    """
    if words is None:
        return "—"
    said = sum(w.said is True for w in words)
    undecided = sum(w.said is None for w in words)
    return f"{said}/{len(words)}" + (f" ({undecided} ?)" if undecided else "")


def marked_words(data: Iterable[Mapping[str, Any]] | None) -> str | None:
    """The stored words (score JSON) in one line for the therapist, each marked by
    :data:`WORD_LABELS`; ``None`` when the words were not checked.

    Examples
    --------
    >>> marked_words([{"word": "thank", "said": True}, {"word": "you", "said": False},
    ...               {"word": "please", "said": None}])
    'thank (you) please?'
    """
    words = words_from_json(data)
    if words is None:
        return None
    return " ".join(WORD_LABELS[w.said].format(w.word) for w in words)


def words_from_json(data: Iterable[Mapping[str, Any]] | None) -> tuple[WordResult, ...] | None:
    """The word check's result as stored in a score's JSON (``"words"``), or ``None``.

    A damaged entry (a store or bundle edited by hand) is left out rather than stopping the
    review, the report or the CSV that reads it.

    Examples
    --------
    >>> words_from_json([{"word": "yes", "said": True, "confidence": 0.9, "start_s": 0.4, "end_s": 0.8}])
    (WordResult(word='yes', said=True, confidence=0.9, start_s=0.4, end_s=0.8),)
    >>> words_from_json(None) is None
    True
    >>> words_from_json([{"said": True}, {"word": "no", "said": "maybe"}, "x", {"word": "ok"}])
    (WordResult(word='ok', said=None, confidence=0.0, start_s=None, end_s=None),)
    """
    if data is None:
        return None
    from mitpractice.words import WordResult

    words = []
    for w in data if isinstance(data, list | tuple) else ():
        if not isinstance(w, Mapping) or not isinstance(w.get("word"), str):
            continue
        said, confidence = w.get("said"), w.get("confidence")
        start_s, end_s = w.get("start_s"), w.get("end_s")
        if not any(said is answer for answer in (True, False, None)):
            continue
        if not all(v is None or _number(v) for v in (confidence, start_s, end_s)):
            continue
        words.append(WordResult(word=w["word"], said=said, confidence=float(confidence or 0.0),
                                start_s=start_s, end_s=end_s))
    return tuple(words)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
