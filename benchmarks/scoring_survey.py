"""Scoring survey: the attempts patients really make, on many bundled phrases at once.

Run: ``.venv/bin/python benchmarks/scoring_survey.py`` (about 5 minutes; ``--all`` takes
every bundled phrase, about 40 minutes; ``--model swift-f0`` another tracker; ``-v`` lists
each case that is not read right).

The robustness suite (tests/test_scoring_robust.py) pins chosen cases; this survey measures
how far the scorer generalises, over every syllable of each phrase: each one silenced, each
inner one cut out with the rest moved up, a false start of one to three syllables, each
inner one sung twice, in a man's (C3) and a woman's (A3) register with the bundled voice
(tests/robust_attempts.py); and each inner syllable sung twice (with stops between the
syllables, and legato) and a false start of one or two syllables by the generated man and
woman (tests/attempt_voice.py). The phrases of the
held-out file (tests/test_scoring_heldout.py) are left out, so that it stays held out. A case
is read right as the suite asks: the syllable left out reported at its place and nothing
else, the melodic score as high as the syllables sung allow, no upside-down tune; a false
start or a repeat found as one, every syllable detected and melodic at least 90.

A syllable cut out next to one on the same note cannot be located: the tune is the same, and
the timing fits a late start as well as a jump. Such a case is counted apart ("same note")
when the neighbour is reported instead and the scores are right.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import robust_attempts as R
from attempt_voice import VOICES, attempt_syllables, shifted, sing, sung_twice
from scoring_cases import score

from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set

#: Phrases of the held-out file, never surveyed.
HELD_OUT = {"im-fine", "i-need-a-doctor", "i-want-to-go-home", "when-are-you-coming-to-visit",
            "id-like-a-shower-this-morning", "thank-you", "how-are-you-today"}
#: The default sample: phrases of 2 to 7 syllables from five sets.
SAMPLE = [("family", "i-love-my-family"), ("family", "my-son-is-coming-today"),
          ("feelings", "i-feel-much-better"), ("feelings", "my-back-is-sore"),
          ("answers", "id-like-coffee-please"), ("answers", "no-im-not-hungry"),
          ("needs", "i-need-my-glasses"), ("greetings", "good-morning-how-are-you"),
          ("family", "the-dog-is-hungry"), ("feelings", "i-slept-very-well"),
          ("greetings", "hello"), ("feelings", "im-tired"), ("family", "i-miss-you")]
CLASSES = ("silenced", "cut_out", "false_start", "repeated")
#: The generated voices' classes, and the voices (the man and the woman; the older ones are
#: the held-out file's).
VOICE_CLASSES, SURVEY_VOICES = ("voice repeated", "voice legato repeated", "voice false_start"), (0, 1)
#: Seconds of the pause after a generated false start (a patient breaking off and starting again).
RESTART_PAUSE_S = 0.9


@dataclass(frozen=True)
class Case:
    """One edited attempt and how it was read."""

    edit: str
    phrase_id: str
    low: str
    index: int
    right: bool
    same_note: bool
    summary: str


def cases_of(edit: str, n: int) -> range:
    """The syllable indices (or false-start lengths) to try for a phrase of ``n`` syllables."""
    return {"silenced": range(n), "cut_out": range(1, n - 1),
            "false_start": range(1, min(n - 1, 3) + 1), "repeated": range(1, n - 1)}[edit]


def judge(edit: str, take: R.Take, model: str) -> tuple[bool, bool, str]:
    """Whether the take is read right, whether it is a same-note skip read as its neighbour,
    and a one-line summary."""
    s = R.score(take, model)
    n = len(s.syllables)
    kinds = [e.kind for e in s.extra]
    summary = (f"detected={''.join('1' if x.detected else '0' for x in s.syllables)} melodic={s.melodic:.0f} "
               f"rhythmic={s.rhythmic:.0f} extra={kinds} feedback={list(s.feedback)}")
    if edit in ("false_start", "repeated"):
        kind = "false_start" if edit == "false_start" else "repeat"
        return all(x.detected for x in s.syllables) and s.melodic >= 90 and kinds == [kind], False, summary
    scores_right = s.melodic >= R.sung_share(take) - 10 and R.INVERTED not in s.feedback
    missing = [i for i, x in enumerate(s.syllables) if not x.detected]
    if missing == list(take.missing):
        return scores_right, False, summary
    (skipped,) = take.missing
    levels = [note.level for note in take.melody.notes]
    lo = hi = skipped
    while lo > 0 and levels[lo - 1] == levels[skipped]:
        lo -= 1
    while hi + 1 < n and levels[hi + 1] == levels[skipped]:
        hi += 1
    return False, len(missing) == 1 and lo <= missing[0] <= hi and scores_right, summary


def voice_cases(set_id: str, phrase_id: str, voice: int, model: str) -> Iterator[tuple[str, int, bool, str]]:
    """The generated ``voice`` singing the phrase with each inner syllable twice (the phrase
    sung with a stop between syllables, and sung legato, the syllables running into each
    other but for the stop before the copy), and with a false start of one and of two
    syllables: ``(class, index, read right, summary)``."""
    phrase = R.bundled_phrase(set_id, phrase_id)
    melody = target_melody(phrase, low="C3", interval=3.0, tempo=60.0)
    seed = voice + 70 + sum(map(ord, phrase_id)) % 50
    whole = attempt_syllables(phrase.pitches, phrase.beats, seed=seed)
    edits = []
    for i in range(1, len(whole) - 1):
        for edit, legato in (("voice repeated", False), ("voice legato repeated", True)):
            edits.append((edit, i, sung_twice(whole, i, R.REPEAT_STOP_S), legato, "repeat"))
    for k in (1, 2):
        if k < len(whole):
            restart = whole[:k] + shifted(whole, whole[k].onset_s + RESTART_PAUSE_S)
            edits.append(("voice false_start", k, restart, False, "false_start"))
    for edit, index, syllables, legato, kind in edits:
        a = sing(syllables, VOICES[voice], seed=seed, legato=legato)
        s = score(a.y, a.sr, melody, model=model)
        kinds = [e.kind for e in s.extra]
        right = all(x.detected for x in s.syllables) and s.melodic >= 90 and kinds == [kind]
        yield edit, index, right, f"melodic={s.melodic:.0f} extra={kinds} feedback={list(s.feedback)}"


def survey(phrases: list[tuple[str, str]], lows: list[str], model: str) -> Iterator[Case]:
    """Every case of every phrase: the bundled voice's in each register, then the generated
    voices'."""
    for set_id, phrase_id in phrases:
        for low in lows:
            _, melody = R.target(set_id, phrase_id, low)
            for edit in CLASSES:
                for index in cases_of(edit, len(melody.notes)):
                    right, same, summary = judge(edit, getattr(R, edit)(set_id, phrase_id, low, index), model)
                    yield Case(edit=edit, phrase_id=phrase_id, low=low, index=index, right=right,
                               same_note=same, summary=summary)
        for voice in SURVEY_VOICES:
            for edit, index, right, summary in voice_cases(set_id, phrase_id, voice, model):
                yield Case(edit=edit, phrase_id=phrase_id, low=VOICES[voice].name, index=index, right=right,
                           same_note=False, summary=summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every bundled phrase, not the sample")
    parser.add_argument("--model", default=R.TRACKER, help="pitch tracker (default %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the cases not read right")
    args = parser.parse_args()
    phrases = SAMPLE
    if args.all:
        phrases = [(path.stem, p.id) for path in sorted(bundled_phrases_dir().glob("*.toml"))
                   for p in load_phrase_set(path).phrases if p.id not in HELD_OUT and len(p.syllables) >= 2]
    results = []
    for case in survey(phrases, ["C3", "A3"], args.model):
        results.append(case)
        if args.verbose and not case.right:
            tag = "same note" if case.same_note else "WRONG"
            where = f"{case.edit} {case.phrase_id} {case.low} #{case.index}"
            print(f"{tag:9s} {where}: {case.summary}", flush=True)
    print(f"{len(phrases)} phrases, {args.model}")
    print(f"{'class':22s} {'read right':>12s} {'same note':>10s}")
    for edit in CLASSES + VOICE_CLASSES:
        mine = [c for c in results if c.edit == edit]
        right = sum(c.right for c in mine)
        same = sum(c.same_note for c in mine)
        print(f"{edit:22s} {right:5d} / {len(mine):<4d} {same:10d}")


if __name__ == "__main__":
    main()
