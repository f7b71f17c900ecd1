"""Playback and recording through a real PulseAudio server (null sinks, no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from mitpractice import audio
from mitpractice.audiofile import write_audio
from mitpractice.errors import DeviceBusyError, NoDeviceError

pytestmark = pytest.mark.audio


def dominant_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.argmax(spectrum) * sr / len(y))


def tone(hz: float, seconds: float, sr: int) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.mark.timing
def test_what_is_played_comes_back_at_its_pitch(sound_server):
    sr = 48_000
    recorded = audio.play_and_record(tone(440.0, 1.0, sr), sr)
    assert len(recorded) == int(1.5 * sr)
    loud = recorded[int(0.3 * sr) : int(0.9 * sr)]
    assert loud.std() > 0.1
    assert dominant_hz(loud, sr) == pytest.approx(440.0, abs=2.0)


@pytest.mark.timing
def test_round_trip_latency_is_measured(sound_server):
    # A null sink has no hardware buffers: its loopback returns about at once.
    latency = audio.measure_latency()
    assert 0.0 <= latency < 0.5


def test_recorder_hears_an_attempt_played_into_the_patient_sink(sound_server, tmp_path):
    sr = audio.RECORD_SR
    attempt = np.concatenate([tone(220.0, 0.8, sr), tone(262.0, 0.8, sr)])
    wav = write_audio(tmp_path / "attempt.wav", attempt, sr)
    sound_server.set_default_source("patient.monitor")
    try:
        recorder = audio.Recorder(sr=sr)
        recorder.start()
        subprocess.run(["paplay", "--device=patient", str(wav)], check=True, timeout=20)
        time.sleep(0.2)
        live, position = recorder.read_new(0)
        take = recorder.stop()
    finally:
        sound_server.set_default_source("out.monitor")
    assert recorder.status().error is None
    assert position <= len(take) and len(live) == position
    voiced = np.flatnonzero(np.abs(take) > 0.05)
    assert voiced.size > 0
    start = voiced[0]
    assert dominant_hz(take[start + 1600 : start + 11200], sr) == pytest.approx(220.0, abs=3.0)
    assert dominant_hz(take[start + 14400 : start + 24000], sr) == pytest.approx(262.0, abs=3.0)


def test_sample_buffer_keeps_what_fits_and_says_it_overflowed():
    buf = audio.SampleBuffer(capacity=5)
    buf.append(np.ones(3, np.float32))
    buf.append(np.full(4, 2.0, np.float32))
    assert buf.overflowed
    assert buf.contents().tolist() == [1.0, 1.0, 1.0, 2.0, 2.0]
    new, pos = buf.read_from(3)
    assert new.tolist() == [2.0, 2.0] and pos == 5


def test_sample_buffer_readers_see_every_sample_once_in_order_while_it_is_written():
    total, block = 400_000, 997  # blocks of an audio callback's size, not a multiple of 2
    buf = audio.SampleBuffer(capacity=total)
    source = np.arange(total, dtype=np.float32)
    seen: list[list[np.ndarray]] = [[], []]

    ready = threading.Barrier(3)  # on a loaded machine the writer must not finish before readers start

    def write() -> None:
        ready.wait()
        for start in range(0, total, block):
            buf.append(source[start : start + block])
            time.sleep(0.0005)  # blocks arrive over time, as from an audio callback

    def read(pieces: list[np.ndarray]) -> None:
        ready.wait()
        position = 0
        deadline = time.monotonic() + 60.0
        while position < total and time.monotonic() < deadline:
            new, position = buf.read_from(position)
            pieces.append(new)
            time.sleep(0.001)  # a reader on a timer

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read, args=(s,)) for s in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    for pieces in seen:
        assert len(pieces) > 1  # read while being written, not once at the end
        np.testing.assert_array_equal(np.concatenate(pieces), source)
    assert not buf.overflowed


def _wait_for(condition, seconds: float, step: float = 0.05) -> None:
    """Until ``condition()`` holds, or ``seconds`` have passed (the assertions that follow
    then say what did not happen, rather than the test hanging)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(step)


def record_from_patient_sink(recorder: audio.Recorder, wav, sound_server) -> np.ndarray:
    recorder.start()
    assert recorder.wait_started()
    subprocess.run(["paplay", "--device=patient", str(wav)], check=True, timeout=20)
    time.sleep(0.3)
    return recorder.stop()


def test_one_recorder_takes_two_takes_in_a_row_each_with_only_its_own_sound(sound_server, tmp_path):
    sr = audio.RECORD_SR
    first = write_audio(tmp_path / "first.wav", tone(220.0, 0.8, sr), sr)
    second = write_audio(tmp_path / "second.wav", tone(330.0, 0.8, sr), sr)
    sound_server.set_default_source("patient.monitor")
    try:
        recorder = audio.Recorder(sr=sr)
        take1 = record_from_patient_sink(recorder, first, sound_server)
        take2 = record_from_patient_sink(recorder, second, sound_server)
        live, _ = recorder.read_new(0)
    finally:
        sound_server.set_default_source("out.monitor")
    assert recorder.status().complete and not recorder.status().recording
    np.testing.assert_array_equal(live, take2)  # positions count from the new take's start
    for take, hz, other in ((take1, 220.0, 330.0), (take2, 330.0, 220.0)):
        assert len(take) < 2.0 * sr
        voiced = take[np.abs(take) > 0.05]
        assert len(voiced) > 0.6 * sr
        spectrum = np.abs(np.fft.rfft(take))
        bin_of = len(take) / sr
        assert dominant_hz(take, sr) == pytest.approx(hz, abs=3.0)
        assert spectrum[round(other * bin_of)] < 0.02 * spectrum[round(hz * bin_of)]


@pytest.mark.timing
def test_a_tone_plays_while_recording_and_stops_when_asked(sound_server):
    sr = audio.RECORD_SR
    with audio.Recorder(sr=sr) as recorder, audio.Player() as player:
        recorder.start()
        assert recorder.wait_started()
        player.play(tone(440.0, 3.0, sr), sr)
        _wait_for(lambda: player.position_s() >= 0.8, 5.0, step=0.01)
        assert player.playing and recorder.status().recording
        player.stop()
        assert player.done and not player.playing
        time.sleep(1.0)
        take = recorder.stop()
    loud = np.flatnonzero(np.abs(take) > 0.1)
    assert loud.size > 0
    heard_s = (loud[-1] - loud[0]) / sr
    assert 0.7 < heard_s < 1.3  # about the 0.8 s played, not the 3 s asked for
    assert dominant_hz(take[loud[0] : loud[-1]], sr) == pytest.approx(440.0, abs=3.0)
    assert len(take) - loud[-1] > 0.6 * sr  # silence after the stop, while still recording


@pytest.mark.timing
def test_player_position_advances_with_the_sound_and_ends_at_its_length(sound_server):
    sr = 22_050
    with audio.Player() as player:
        assert player.position_s() == 0.0 and player.done
        player.play(tone(330.0, 1.5, sr), sr)
        positions = []
        deadline = time.monotonic() + 10.0
        while not player.done and time.monotonic() < deadline:
            positions.append(player.position_s())
            time.sleep(0.05)
        assert player.wait(1.0)
        end = player.position_s()
    assert player.duration_s == pytest.approx(1.5)
    assert np.all(np.diff(positions) >= 0)
    assert np.all((np.array(positions) >= 0) & (np.array(positions) <= 1.5))
    assert len(set(positions)) > 10  # it moved along, not jumped to the end
    assert end == pytest.approx(1.5)


def test_a_sound_stopped_near_its_end_tells_where_it_was_stopped_not_its_end(sound_server):
    """Half a second of it is handed to the speaker ahead (the output buffer); stopped, that
    half second is dropped, never heard, so the position stays where the sound was heard to."""
    sr = 16_000
    with audio.Player() as player:
        player.play(tone(330.0, 3.0, sr), sr)
        heard, deadline = 0.0, time.monotonic() + 10.0
        while heard < 2.5 and time.monotonic() < deadline:
            time.sleep(0.02)
            heard = player.position_s()
        assert heard >= 2.5, "the sound did not play"
        player.stop()
        stopped = player.position_s()
    assert player.done and heard <= stopped < 3.0, (heard, stopped)


def test_the_end_of_a_sound_is_heard(sound_server):
    """A stream that ends drops what the sound server has not played yet: the last 50–225 ms
    of every sound were lost (the click test's last click, a target's last note's end)."""
    sr = audio.RECORD_SR
    sound = np.zeros(sr, np.float32)
    # A click every 25 ms, the last one 25 ms before the end; none in the first 0.1 s, which
    # a new stream may lose (audio._CLICK_LEAD_S).
    at = np.arange(sr // 10, sr, sr // 40)
    for i in at:
        sound[i : i + 16] = 0.8
    with audio.Recorder(sr=sr) as recorder, audio.Player() as player:
        recorder.start()
        assert recorder.wait_started()
        time.sleep(0.3)
        player.play(sound, sr)
        assert player.wait(5.0)
        time.sleep(0.5)
        take = recorder.stop()
    loud = np.flatnonzero(np.abs(take) > 0.4)
    clicks = 1 + np.count_nonzero(np.diff(loud) > sr // 100)
    assert clicks == len(at), (clicks, np.diff(loud)[np.diff(loud) > sr // 100])


@pytest.mark.timing
def test_latency_on_the_apps_own_streams_places_a_played_tone_in_the_take(sound_server):
    sr = audio.RECORD_SR
    with audio.Recorder(sr=sr) as recorder, audio.Player() as player:
        latency = audio.round_trip_latency(recorder, player)
        recorder.start()
        assert recorder.wait_started()
        time.sleep(0.3)
        player.play(tone(440.0, 0.5, sr), sr)
        assert player.wait(5.0)
        time.sleep(0.5)
        take = recorder.stop()
        predicted = audio.target_in_take_s(recorder, player, latency) * sr
    assert 0.0 <= latency < 0.5  # a null sink, with no hardware buffers: about 0 ms
    onset = np.flatnonzero(np.abs(take) > 0.05)[0]
    assert abs(onset - predicted) < 0.01 * sr


def test_the_recorder_stops_and_says_so_when_its_buffer_is_full(sound_server):
    sr = audio.RECORD_SR
    recorder = audio.Recorder(sr=sr, max_seconds=0.5)
    recorder.start()
    assert recorder.wait_started()
    _wait_for(lambda: not recorder.status().recording, 5.0)
    status = recorder.status()
    take = recorder.stop()
    assert status.buffer_full and not status.recording and not status.complete
    assert "limit" in status.error
    assert len(take) == sr // 2


def test_overflow_reported_by_portaudio_is_counted_in_the_take_status(sound_server):
    import sounddevice as sd

    recorder = audio.Recorder(sr=audio.RECORD_SR)
    recorder.start()
    assert recorder.wait_started()
    assert recorder.status().overflows == 0
    # What PortAudio passes to the callback when input was lost: the real flags type.
    flags = sd.CallbackFlags()
    flags.input_overflow = True
    block = np.zeros((160, 1), np.float32)
    at = recorder._take.clock + len(recorder.buffer) / recorder.sr
    time_info = SimpleNamespace(currentTime=at, inputBufferAdcTime=at, outputBufferDacTime=0.0)
    recorder._take.callback(block, 160, time_info, flags)
    status = recorder.status()
    recorder.stop()
    assert status.overflows == 1 and not status.complete
    assert "lost" in status.error


def _recording() -> audio.Recorder:
    """A take running for 0.3 s on the default source."""
    recorder = audio.Recorder(sr=audio.RECORD_SR)
    recorder.start()
    assert recorder.wait_started()
    time.sleep(0.3)
    return recorder




def test_a_microphone_that_stops_mid_take_is_reported_even_when_sound_comes_back(sound_server):
    # The sink is suspended: its monitor (the microphone here) stops sending sound, as a USB
    # microphone pulled out or a headset dropping out does, then resumed: the take has a hole.
    module = sound_server.load_null_sink("headset")
    sound_server.set_default_source("headset.monitor")
    try:
        recorder = _recording()
        assert recorder.status().recording
        sound_server.pactl("suspend-sink", "headset", "1")
        _wait_for(lambda: recorder.status().device_lost, audio.DEVICE_LOST_S + 3.0)
        stopped = recorder.status()
        lost_at = len(recorder.buffer)
        sound_server.pactl("suspend-sink", "headset", "0")
        _wait_for(lambda: len(recorder.buffer) >= lost_at + audio.RECORD_SR // 2, 5.0)
        came_back = recorder.status()
        take = recorder.stop()
    finally:
        sound_server.set_default_source("out.monitor")
        sound_server.unload(module)
    assert stopped.device_lost and not stopped.recording and "stopped" in stopped.error
    assert len(take) >= lost_at + audio.RECORD_SR // 2  # sound did come back ...
    assert came_back.device_lost and not came_back.recording  # ... and the hole is still told
    assert len(take) >= 0.3 * audio.RECORD_SR


def test_a_microphone_unplugged_mid_take_is_reported_or_the_take_goes_on(sound_server):
    # PulseAudio moves the stream to another source when its own goes, sometimes at once
    # (0.2 s), sometimes after 1-2 s: either the take says its microphone stopped, or it
    # carries on from the other one. It never stops silently.
    module = sound_server.load_null_sink("usbmic")
    sound_server.set_default_source("usbmic.monitor")
    try:
        recorder = _recording()
    finally:
        sound_server.set_default_source("out.monitor")
        sound_server.unload(module)
    unplugged_at = len(recorder.buffer)
    _wait_for(lambda: recorder.status().device_lost or len(recorder.buffer) > unplugged_at + audio.RECORD_SR,
              audio.DEVICE_LOST_S + 3.0)
    status = recorder.status()
    take = recorder.stop()
    if status.device_lost:
        assert not status.recording and "stopped" in status.error
    else:
        assert status.recording and len(take) > unplugged_at + audio.RECORD_SR
    assert len(take) >= 0.3 * audio.RECORD_SR


def test_no_microphone_and_no_speaker_raise_no_device_error(tmp_path):
    # A process that reaches no sound server (and, on this machine, no sound card).
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    code = """
import sounddevice as sd
from mitpractice import audio
from mitpractice.errors import NoDeviceError
if len(sd.query_devices()):
    print("devices")
    raise SystemExit
for action in (lambda: audio.Recorder().start(), lambda: audio.Player().play([0.1] * 10, 16000)):
    try:
        action()
    except NoDeviceError as exc:
        print(exc)
"""
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), PULSE_SERVER="unix:/nonexistent")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    if out.stdout.strip() == "devices":
        pytest.skip("this machine has a sound card of its own")
    assert out.stdout.splitlines() == [
        "no microphone found: is one plugged in and switched on?",
        "no speaker found: is one plugged in and switched on?",
    ]


def test_a_device_asked_for_by_a_name_that_is_not_there_is_no_device(sound_server):
    with pytest.raises(NoDeviceError, match="no microphone 'USB headset'"):
        audio.Recorder(device="USB headset").start()


def test_a_device_that_refuses_to_open_is_reported_busy_and_the_recorder_still_works(sound_server):
    recorder = audio.Recorder(sr=1)  # no device opens at 1 Hz
    with pytest.raises(DeviceBusyError, match="cannot open the microphone"):
        recorder.start()
    assert not recorder.status().recording and len(recorder.stop()) == 0
    good = audio.Recorder(sr=audio.RECORD_SR)
    good.start()
    assert good.wait_started()
    good.stop()


def test_take_levels_name_clipping_and_a_voice_too_quiet_to_score():
    sr = audio.RECORD_SR
    pause = np.zeros(sr // 2, np.float32)
    voice = np.concatenate([pause, tone(220.0, 1.0, sr), pause])
    good = audio.take_levels(voice, sr)
    assert not good.clipped and not good.too_quiet
    assert good.loudest_dbfs == pytest.approx(20 * np.log10(0.3 / np.sqrt(2)), abs=0.2)
    overdriven = audio.take_levels(np.clip(voice * 8, -1.0, 1.0), sr)
    assert overdriven.clipped and overdriven.peak_dbfs == pytest.approx(0.0, abs=0.01)
    one_knock = voice.copy()
    one_knock[100:105] = 1.0
    assert not audio.take_levels(one_knock, sr).clipped
    assert audio.take_levels(voice * 0.01, sr).too_quiet
    # One clear syllable in a long quiet take is enough.
    short = np.concatenate([np.zeros(5 * sr, np.float32), tone(220.0, 0.2, sr)])
    assert not audio.take_levels(short, sr).too_quiet
    assert audio.take_levels(np.zeros(sr, np.float32), sr).loudest_dbfs == audio.SILENCE_DBFS
