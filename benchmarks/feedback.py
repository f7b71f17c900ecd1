"""Feedback benchmark: from the end of a 10 s take to its score, streamed live and from scratch.

Run: ``.venv/bin/python benchmarks/feedback.py`` (about two minutes; synthesising the
targets the first time adds a little).

The attempts are the product's own sung targets (piper + WORLD, :mod:`mitpractice.synth`) of
seven- to nine-syllable bundled phrases, at the tempo that makes each melody 10 s long,
resampled to the recorder's 16 kHz, with a quiet room's noise (−60 dBFS) under them and the
1.2 s of quiet after the singing that ends a take. Each is fed to a
:class:`~mitpractice.practice.live.LiveTake` with the window's take rules in 100 ms blocks, as
the window's timer hands it what the recorder delivered, until the pause ends the take; the
time of every push is recorded (it must stay well under 100 ms to keep up). Then
``finish()`` is timed: the last frames' CREPE plus scoring. That is "take end → score ready";
drawing it costs the window one repaint.

Each take is run three ways in turn, under the same load: as the window runs it (the SwiftF0
referee beside CREPE, the take scored ahead in its closing pause), without scoring ahead
(``ahead_s=None``: the whole scoring at the end), and CREPE alone (no referee, scored ahead).
The scores of the first two must be the same to the bit; the benchmark says if they are not.

For comparison, the same take is scored from scratch in the same run, as an app without a
streaming tracker would: ``track_pitch`` over the whole take, then ``score_track``.

``--words``: the spoken steps' word check, which the window runs after the result is on
screen. The same phrases are said by an espeak-ng voice (tests/word_takes.py; the product does
not speak with it), with the pause that ends a take and the room's noise, fed to a
``LiveTake`` in the spoken steps' scoring mode; then ``finish()`` (the result) and
``check_words`` (the words) are timed one after the other, as the window's live thread runs
them: "take end → words on screen" is their sum. The recogniser is loaded before, as the
window loads it when a spoken step is first shown; its load is timed apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from mitpractice.audio import RECORD_SR
from mitpractice.audiofile import resample
from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.pitch import track_pitch
from mitpractice.pitch.octaves import REFEREE_MODEL
from mitpractice.practice.live import SCORE_AHEAD_S, LiveTake
from mitpractice.practice.takes import PAUSE_S, take_rules
from mitpractice.scoring import score_track
from mitpractice.scoring.align.search import forget_alignments
from mitpractice.synth import synthesize

#: (set, phrase) of the attempts: long phrases, so 10 s is sung at a sensible tempo.
PHRASES = (
    ("answers", "my-daughter-is-coming-tomorrow"),
    ("family", "the-children-are-coming-for-dinner"),
    ("greetings", "good-morning-how-are-you"),
    ("feelings", "i-feel-better-than-yesterday"),
    ("answers", "i-would-like-to-go-for-a-walk"),
    ("greetings", "say-hello-to-your-family"),
)
BLOCK_S = 0.1
MELODY_S = 10.0
ROOM_RMS = 0.001
#: The room's noise floor the window would measure for ROOM_RMS (dBFS): the take's rules.
FLOOR_DBFS = -60.0
#: (name, referee, ahead_s) of the ways each take is run.
VARIANTS = (
    ("as the window runs it (referee, scored ahead)", REFEREE_MODEL, SCORE_AHEAD_S),
    ("not scored ahead (referee)", REFEREE_MODEL, None),
    ("CREPE alone (no referee, scored ahead)", None, SCORE_AHEAD_S),
)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def takes(low: str) -> list[tuple[str, object, np.ndarray]]:
    """(phrase id, melody, 16 kHz take) for each phrase: 10 s of singing and the pause after."""
    rng = np.random.default_rng(0)
    out = []
    for set_id, phrase_id in PHRASES:
        phrase_set = load_phrase_set(bundled_phrases_dir() / f"{set_id}.toml")
        phrase = phrase_set.phrase(phrase_id)
        tempo = 60.0 * sum(phrase.beats) / MELODY_S
        melody = target_melody(phrase, low=low, interval=3, tempo=tempo)
        target = synthesize(phrase, melody)
        y = resample(target.audio.astype(np.float32), target.sr, RECORD_SR)
        y = np.concatenate([y, np.zeros(int(PAUSE_S * RECORD_SR), dtype=np.float32)])
        y = (y + ROOM_RMS * rng.standard_normal(len(y))).astype(np.float32)
        out.append((phrase.id, melody, y))
    return out


def spoken_takes() -> list[tuple[str, str, object, np.ndarray]]:
    """(phrase id, text, melody, 16 kHz take) of each phrase said by espeak-ng, with the pause."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from word_takes import SR, Voice, speak

    assert SR == RECORD_SR
    rng = np.random.default_rng(0)
    out = []
    for set_id, phrase_id in PHRASES:
        phrase = load_phrase_set(bundled_phrases_dir() / f"{set_id}.toml").phrase(phrase_id)
        melody = target_melody(phrase, low="A2", interval=3, tempo=60)
        y = np.concatenate([np.zeros(RECORD_SR // 2, np.float32), speak(phrase.text, Voice("en-us", 150)),
                            np.zeros(int(PAUSE_S * RECORD_SR), np.float32)]).astype(np.float32)
        y = (y + ROOM_RMS * rng.standard_normal(len(y))).astype(np.float32)
        out.append((phrase.id, phrase.text, melody, y))
    return out


def words(repeat: int) -> None:
    """Take end → result, then → words, for spoken takes (see the module's notes)."""
    from mitpractice.practice.spoken import speech_span
    from mitpractice.words import check_words
    from mitpractice.words.recognizer import recognizer

    start = time.perf_counter()
    recognizer()
    print(f"the recogniser loads in {time.perf_counter() - start:.2f} s (behind the window, once)")
    cases = spoken_takes()
    block = int(BLOCK_S * RECORD_SR)
    result_s, words_s, whole_s, seconds = [], [], [], []
    for _ in range(repeat):
        for _phrase_id, text, melody, y in cases:
            take = LiveTake(melody, sr=RECORD_SR, mode="sprechgesang")
            for i in range(0, len(y), block):
                take.push(y[i : i + block])
            start = time.perf_counter()
            take.finish()
            result_s.append(time.perf_counter() - start)
            begin, end = speech_span(len(y), RECORD_SR, room_s=0.5, quiet_end_s=PAUSE_S)
            start = time.perf_counter()
            check_words(y[begin:end], RECORD_SR, text)  # as the window: without the quiet around
            words_s.append(result_s[-1] + time.perf_counter() - start)
            start = time.perf_counter()
            check_words(y, RECORD_SR, text)
            whole_s.append(result_s[-1] + time.perf_counter() - start)
            seconds.append(len(y) / RECORD_SR)
    ms, ms_words = [1000 * t for t in result_s], [1000 * t for t in words_s]
    ms_whole = [1000 * t for t in whole_s]
    span = f"{min(seconds):.1f}-{max(seconds):.1f} s"
    print(f"{len(cases)} spoken takes ({span} with the quiet) x {repeat} runs")
    print(f"take end -> result on screen: p50 {percentile(ms, 50):6.1f} ms, p95 {percentile(ms, 95):6.1f} ms")
    print(f"take end -> words on screen:  p50 {percentile(ms_words, 50):6.1f} ms, "
          f"p95 {percentile(ms_words, 95):6.1f} ms, max {max(ms_words):6.1f} ms (target 1000 ms)")
    print(f"  the whole take checked:     p50 {percentile(ms_whole, 50):6.1f} ms, "
          f"p95 {percentile(ms_whole, 95):6.1f} ms "
          f"({percentile(ms_whole, 50) / percentile(ms_words, 50):.2f}x the p50 above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each attempt")
    parser.add_argument("--words", action="store_true",
                        help="time the spoken steps' word check after the result instead")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.2f}; blocks of {1000 * BLOCK_S:.0f} ms")
    if args.words:
        words(args.repeat)
        return

    cases = takes("A2") + takes("A3")
    block = int(BLOCK_S * RECORD_SR)
    # Warm up: load the model, build the graph, touch every code path once.
    LiveTake(cases[0][1], sr=RECORD_SR).push(cases[0][2][:block])
    track_pitch(cases[0][2], RECORD_SR, REFEREE_MODEL)
    score_track(track_pitch(cases[0][2], RECORD_SR), cases[0][1], audio=cases[0][2], sr=RECORD_SR)

    rules = take_rules(FLOOR_DBFS)
    ends = {name: [] for name, _, _ in VARIANTS}
    pushes = {name: [] for name, _, _ in VARIANTS}
    scratch, scores, differ = [], [], 0
    for _ in range(args.repeat):
        for phrase_id, melody, y in cases:
            results = {}
            for name, referee, ahead_s in VARIANTS:
                forget_alignments()  # each way from scratch: none reuses another's search
                take = LiveTake(melody, sr=RECORD_SR, referee=referee, rules=rules, ahead_s=ahead_s)
                for i in range(0, len(y), block):
                    start = time.perf_counter()
                    ended = take.push(y[i : i + block]).ended
                    pushes[name].append(time.perf_counter() - start)
                    if ended:
                        break
                start = time.perf_counter()
                results[name] = take.finish()
                ends[name].append(time.perf_counter() - start)
            live, at_end = (results[name].score.to_json() for name, _, _ in VARIANTS[:2])
            differ += live != at_end

            forget_alignments()
            start = time.perf_counter()
            whole = score_track(track_pitch(y, RECORD_SR), melody, audio=y, sr=RECORD_SR,
                                referee=track_pitch(y, RECORD_SR, REFEREE_MODEL))
            scratch.append(time.perf_counter() - start)
            scores.append((phrase_id, live["overall"], whole.overall))

    seconds = statistics.mean(len(y) / RECORD_SR for _, _, y in cases)
    print(f"{len(cases)} attempts ({seconds:.1f} s with the {PAUSE_S} s pause that ends them) "
          f"x {args.repeat} runs")
    for name, _, _ in VARIANTS:
        ms, ms_push = [1000 * t for t in ends[name]], [1000 * t for t in pushes[name]]
        print(f"{name}:")
        print(f"  take end -> score ready:  p50 {percentile(ms, 50):6.1f} ms, "
              f"p95 {percentile(ms, 95):6.1f} ms, max {max(ms):6.1f} ms")
        print(f"  each 100 ms push:         p50 {percentile(ms_push, 50):6.1f} ms, "
              f"p95 {percentile(ms_push, 95):6.1f} ms, max {max(ms_push):6.1f} ms")
    ms_scratch = [1000 * t for t in scratch]
    ratio = percentile(ms_scratch, 50) / percentile([1000 * t for t in ends[VARIANTS[0][0]]], 50)
    print(f"from scratch (track + score): p50 {percentile(ms_scratch, 50):6.1f} ms, "
          f"p95 {percentile(ms_scratch, 95):6.1f} ms  ({ratio:.1f}x the window's p50)")
    print(f"scored ahead and scored at the end only: {'the same' if not differ else f'{differ} DIFFER'}")
    worst = max(abs(a - b) for _, a, b in scores)
    lowest = min(a for _, a, _ in scores)
    print(f"overall scores: lowest {lowest:.1f}; streamed and from scratch differ by at most {worst:.2f}")


if __name__ == "__main__":
    main()
