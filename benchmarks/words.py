"""Word check benchmark: per-word decisions on spoken takes by voices the product does not use.

Run: ``.venv/bin/python benchmarks/words.py`` (a few minutes; needs ``espeak-ng``).
``--part tune``, ``heldout`` or ``fresh`` runs one part; ``--features FILE`` writes every word's
reading (found, fit, readable) and its take's evidence (words found, sound outside them, hum,
the decoder's reading) as CSV, for tuning.

The takes (tests/word_takes.py): espeak-ng voices at several speeds, clean or with a room's
noise at 20 or 10 dB SNR, saying each phrase, another bundled phrase with as many words, the
first half of the phrase, its words in reverse order, "la" once per syllable, and humming its
tune. The phrases and voices are split: the thresholds in mitpractice/words/check.py and
recognizer.py were set on the ``tune`` part only; the ``heldout`` part (other phrase sets, other
voices) and the ``fresh`` part (phrases and voices of neither) are reported apart. A decision
is right when ``said`` equals the truth; "could not decide" is counted apart (it is not a
wrong answer, but it is not a right one either). "said right" and "not said right" are how
often each answer was right by itself: "not said" is the answer that can fail a take.
"always said" is the share a check that credits every word would get right: the baseline.

``--sung`` adds the sung takes: the product's own voice (the only singing voice at hand) sings
each phrase of the part, and another phrase with as many words, on the phrase's tune (C3, a
minor third, 60 bpm). They are judged twice: as if spoken (what the check would answer if it
judged sung takes) and as sung (``sung=True``, what it answers), which is how the rule that
sung takes are undecided was chosen.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from word_takes import KINDS, SR, Voice, have_espeak, takes

from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.words.check import judge, readable, to_model_samples
from mitpractice.words.recognizer import Recognizer
from mitpractice.words.text import phrase_words

#: The parts: phrase sets, which of each set's phrases (every other one, so lengths vary) and
#: voices (espeak-ng name with variant, words per minute), with each voice's noise (SNR in dB,
#: None clean). ``fresh`` (the phrases between the held-out ones, the set no other part uses,
#: and voices no other part uses) was added when the held-out part had been looked at more
#: than once, so that one part stays untouched until the settings are chosen.
PARTS = {
    "tune": (("greetings", "needs", "feelings"), slice(0, None, 2),
             ((Voice("en-us", 150), None), (Voice("en-gb+f3", 130), 20.0), (Voice("en-us+m3", 180), 10.0))),
    "heldout": (("family", "answers", "routine"), slice(0, None, 2),
                ((Voice("en-gb-scotland+f2", 140), 20.0), (Voice("en-029+m7", 165), None))),
    "fresh": (("questions", "family", "answers", "routine"), slice(1, None, 2),
              ((Voice("en-gb-x-rp", 145), 20.0), (Voice("en-us-nyc", 160), None),
               (Voice("en-gb-x-gbclan+f4", 135), 10.0))),
}
#: Phrases per set in each part.
PER_SET = 3


def part_phrases(sets: tuple[str, ...], pick: slice) -> list[tuple[str, str, int]]:
    """(text, other text with as many words, syllables) of the part's phrases."""
    every = [p for f in sorted(bundled_phrases_dir().glob("*.toml")) for p in load_phrase_set(f).phrases]
    chosen = []
    for name in sets:
        phrases = load_phrase_set(bundled_phrases_dir() / f"{name}.toml").phrases[pick][:PER_SET]
        for p in phrases:
            n = len(phrase_words(p.text))
            others = [q for q in every if len(phrase_words(q.text)) == n and set(phrase_words(q.text))
                      != set(phrase_words(p.text))]
            if others:
                chosen.append((p.text, others[(len(chosen) * 7) % len(others)].text, len(p.syllables)))
    return chosen


def run_part(name: str, rec: Recognizer, features: list[dict] | None) -> dict:
    sets, pick, voices = PARTS[name]
    rng = np.random.default_rng(7)
    tally: dict[str, Counter] = defaultdict(Counter)
    decode_s = audio_s = 0.0
    for text, other, syllables in part_phrases(sets, pick):
        words = phrase_words(text)
        for voice, snr in voices:
            for take in takes(text, other, syllables, voice, snr, rng):
                t = time.perf_counter()
                samples = to_model_samples(take.audio)
                reading = rec.read(samples, words)
                results = judge(words, reading, samples)
                decode_s += time.perf_counter() - t
                audio_s += len(take.audio) / SR
                for r, truth in zip(results, take.truth, strict=True):
                    outcome = "undecided" if r.said is None else ("right" if r.said == truth else "wrong")
                    for key in ("all", take.kind, voice.label()):
                        tally[key][outcome] += 1
                        tally[key]["was said"] += truth
                        if r.said is not None:
                            tally[key][f"{'said' if r.said else 'not said'} {outcome}"] += 1
                    if take.kind == "hum" and r.said:
                        tally["hum"]["credited"] += 1
                    if features is not None:
                        features.append({"part": name, "kind": take.kind, "voice": voice.label(), "snr": snr,
                                         "phrase": text, "word": r.word, "truth": truth,
                                         "found": r.start_s is not None, "fit": _fit(reading, r),
                                         "readable": readable(reading), "said": r.said,
                                         "confidence": round(r.confidence, 3),
                                         **_take_features(reading, words, results, samples, rec)})
    return {"tally": tally, "decode_s": decode_s, "audio_s": audio_s}


def run_sung(name: str, rec: Recognizer) -> dict:
    """Per-word outcomes of the part's phrases (and other phrases) sung by the product's voice,
    judged as spoken and as sung."""
    from mitpractice.audiofile import resample
    from mitpractice.melody import set_melody
    from mitpractice.synth import synthesize
    from mitpractice.words.recognizer import MODEL_SR

    every = {p.text: (ps, p) for f in sorted(bundled_phrases_dir().glob("*.toml"))
             for ps in (load_phrase_set(f),) for p in ps.phrases}
    tally: dict[str, Counter] = defaultdict(Counter)
    for text, other, _ in part_phrases(*PARTS[name][:2]):
        words = phrase_words(text)
        for kind, sung_text in (("correct", text), ("other", other)):
            phrase_set, phrase = every[sung_text]
            target = synthesize(phrase, set_melody(phrase_set, phrase, "C3", 3, 60), use_cache=False)
            samples = to_model_samples(resample(target.audio, target.sr, MODEL_SR))
            reading = rec.read(samples, words)
            for as_sung in (False, True):
                for r in judge(words, reading, samples, sung=as_sung):
                    truth = kind == "correct" or r.word in phrase_words(sung_text)
                    outcome = "undecided" if r.said is None else ("right" if r.said == truth else "wrong")
                    for key in ("all", kind):
                        tally[f"{'as sung' if as_sung else 'as spoken'}: {key}"][outcome] += 1
                        tally[f"{'as sung' if as_sung else 'as spoken'}: {key}"]["was said"] += truth
    return {"tally": tally}


def _take_features(reading, words, results, samples, rec) -> dict:
    """What the whole take says: the evidence the decisions on words not found weigh."""
    from mitpractice.words.check import is_hum, sound_outside
    from mitpractice.words.recognizer import MODEL_SR

    garbage = [s for s in reading.spotted if not s.word and s.phone != "SIL"]
    found = [(r.start_s, r.end_s) for r in results if r.start_s is not None]
    return {"n_words": len(words), "n_found": len(found),
            "n_credited": sum(r.said is True for r in results),
            "garbage_s": round(sum(s.end_s - s.start_s for s in garbage), 3),
            "outside_s": round(sound_outside(samples, found), 3), "hum": is_hum(samples),
            "phrase_phones": sum(len(rec.phones(w)) for w in words),
            "duration_s": round(len(samples) / MODEL_SR, 3),
            "reading": " ".join(s.word or s.phone.lower() for s in reading.spotted)}


def _fit(reading, result) -> float | None:
    for s in reading.spotted:
        if s.word == result.word and s.start_s == result.start_s:
            return round(s.fit, 3)
    return None


def report(name: str, out: dict, keys: tuple[str, ...] | None = None) -> None:
    tally = out["tally"]
    print(f"\n== {name} ==")
    print(f"{'':<24}{'words':>6}{'right':>8}{'wrong':>8}{'undecided':>10}{'right of decided':>18}"
          f"{'always said':>13}{'said right':>16}{'not said right':>18}")
    for key in keys or ("all", *KINDS, *sorted(k for k in tally if "@" in k)):
        c = tally[key]
        n = c["right"] + c["wrong"] + c["undecided"]
        if not n:
            continue
        decided = c["right"] + c["wrong"]
        print(f"{key:<24}{n:>6}{c['right'] / n:>8.1%}{c['wrong'] / n:>8.1%}{c['undecided'] / n:>10.1%}"
              f"{(c['right'] / decided if decided else float('nan')):>18.1%}{c['was said'] / n:>13.1%}"
              f"{_share(c, 'said'):>16}{_share(c, 'not said'):>18}")
    if "decode_s" not in out:
        return
    print(f"words credited on a hum: {tally['hum']['credited']}")
    print(f"checking: {out['decode_s'] / out['audio_s']:.3f} s per second of audio "
          f"({out['audio_s']:.0f} s of takes)")


def _share(c: Counter, decision: str) -> str:
    """How often the decision ``said`` or ``not said`` was right, with how many there were."""
    n = c[f"{decision} right"] + c[f"{decision} wrong"]
    return f"{c[f'{decision} right'] / n:.1%} of {n}" if n else "none"


def plot(features: list[dict], path: str) -> None:
    """Histograms of the fit of the words found, said (blue) and not said (orange), per part,
    with the check's thresholds: the picture in docs/words.md."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    from mitpractice.words.check import FIT_MID, FIT_SCALE, NOT_SAID_AT, SAID_AT

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (fonts need it)
    w, h, lo, hi, bins = 1200, 420 * len(PARTS), -9.0, 0.0, 36
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("DejaVu Sans", 13))
    x_of = lambda fit: 80 + (fit - lo) / (hi - lo) * (w - 120)  # noqa: E731
    for row, name in enumerate(PARTS):
        top, bottom = row * 420 + 50, row * 420 + 360
        found = [f for f in features if f["part"] == name and f["fit"] is not None]
        counts = {truth: np.histogram([f["fit"] for f in found if f["truth"] == truth], bins, (lo, hi))[0]
                  for truth in (True, False)}
        peak = max(1, *(int(c.max()) for c in counts.values()))
        width = (w - 120) / bins
        for truth, colour, shift in ((True, "#1f5fa8", 0.0), (False, "#e07b00", 0.5)):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colour))
            for i, n in enumerate(counts[truth]):
                bar = (bottom - top) * n / peak
                p.drawRect(QRectF(80 + (i + shift * 0.9) * width, bottom - bar, width * 0.45, bar))
        p.setPen(QPen(QColor("black"), 1.5))
        p.drawLine(QPointF(80, bottom), QPointF(w - 40, bottom))
        for fit in range(int(lo), int(hi) + 1):
            p.drawText(QRectF(x_of(fit) - 30, bottom + 6, 60, 24), Qt.AlignmentFlag.AlignCenter, str(fit))
        for likelihood, label in ((SAID_AT, "said from here"), (NOT_SAID_AT, "not said below")):
            x = x_of(FIT_MID + FIT_SCALE * np.log(likelihood / (1 - likelihood)))
            p.setPen(QPen(QColor("black"), 1.5, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, top), QPointF(x, bottom))
            p.drawText(QRectF(x + 6 if likelihood > 0.5 else x - 206, top, 200, 24),
                       Qt.AlignmentFlag.AlignLeft if likelihood > 0.5 else Qt.AlignmentFlag.AlignRight, label)
        p.setPen(QColor("black"))
        p.drawText(QRectF(80, top - 40, w - 120, 28), Qt.AlignmentFlag.AlignLeft,
                   f"{name}: fit of each word found (log-likelihood per frame), blue: it was said, "
                   f"orange: it was not (bars up to {peak} words)")
        p.drawText(QRectF(80, bottom + 30, w - 120, 24), Qt.AlignmentFlag.AlignCenter,
                   "fit per 10 ms frame against the best model state (0 = perfect)")
    p.end()
    image.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--features", metavar="FILE", help="write every word's reading as CSV")
    parser.add_argument("--plot", metavar="PNG", help="draw the fits of the words found (needs every part)")
    parser.add_argument("--sung", action="store_true",
                        help="also the part's phrases sung by the product's voice")
    args = parser.parse_args()
    if not have_espeak():
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 2
    t = time.perf_counter()
    rec = Recognizer()
    print(f"recogniser loaded in {time.perf_counter() - t:.2f} s")
    features: list[dict] | None = [] if args.features or args.plot else None
    for name in PARTS if args.part == "all" else (args.part,):
        report(name, run_part(name, rec, features))
        if args.sung:
            out = run_sung(name, rec)
            report(f"{name}, sung by the product's voice", out, tuple(sorted(out["tally"])))
    if args.plot:
        plot(features, args.plot)
    if args.features:
        with open(args.features, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(features[0]))
            writer.writeheader()
            writer.writerows(features)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
