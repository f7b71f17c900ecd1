"""Shared fixtures: a real PulseAudio sound server with null sinks for the audio tests.

The server is started once per test session in a private runtime folder, so the tests play
into a null sink ``out`` and record its monitor, and can feed prepared attempts through a
second sink ``patient``, exactly as DESIGN.md describes. It is stopped by its pid at the end.

``scripts/test.sh`` runs the tests of the sound server (marked ``audio``, as this module marks
every test that asks for it) on their own, one at a time: they time what they hear, as the app
does (a latency, a take's end, a feedback's delay), and nothing else of the suite may starve
them of the processor. Then it runs the rest on one worker process per core (pytest-xdist,
``--dist loadscope``), each file's tests on one worker, so that what a file makes once for its
tests (module fixtures, cached voices) is made once in the run. Each worker is a session of
its own, with its own PostgreSQL server when its tests need one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pg_server
import pytest
from pg_server import PostgresServer

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session", autouse=True)
def private_user_folders(tmp_path_factory) -> Iterator[Path]:
    """Keep every test away from the user's real data and cache folders (patients' data).

    Each worker has a data folder of its own; the cache (sung targets, built models) is shared
    by the workers of a run, so that a target is synthesised once, not once on each worker.
    The app writes its cache files atomically, so workers may fill it at the same time.
    """
    root = tmp_path_factory.mktemp("user")
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # the run's folder, holding each worker's
    chosen = ("MITPRACTICE_DATA_DIR", "MITPRACTICE_DATABASE_URL")  # would override the folders
    saved = {name: os.environ.get(name) for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", *chosen)}
    for name in chosen:
        os.environ.pop(name, None)
    os.environ["XDG_DATA_HOME"] = str(root / "data")
    os.environ["XDG_CACHE_HOME"] = str(run / "cache")
    yield root
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass(frozen=True)
class SoundServer:
    runtime_dir: Path
    pid: int

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], check=True, capture_output=True, text=True).stdout

    def set_default_source(self, name: str) -> None:
        self.pactl("set-default-source", name)

    def load_null_sink(self, name: str) -> str:
        """Add a null sink ``name`` (its monitor ``name.monitor`` is a source); its module id."""
        return self.pactl("load-module", "module-null-sink", f"sink_name={name}").strip()

    def unload(self, module: str) -> None:
        """Remove a module: for a sink, as if its device were unplugged."""
        self.pactl("unload-module", module)


@pytest.fixture(scope="session")
def sound_server() -> Iterator[SoundServer]:
    """A PulseAudio server with null sinks ``out`` (default) and ``patient``."""
    if "sounddevice" in sys.modules:
        # PortAudio reads the devices once, when sounddevice is imported: it would not see us.
        pytest.fail("sounddevice was imported before the sound server started; import it lazily")
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        if os.environ.get("CI"):
            pytest.fail("PulseAudio is not installed; scripts/setup.sh --test installs it")
        pytest.skip("no PulseAudio here (scripts/setup.sh --test installs it)")
    runtime = Path(tempfile.mkdtemp(prefix="mitpractice-pulse-"))
    runtime.chmod(0o700)
    old_runtime = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    subprocess.run(
        [
            "pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=out",
            "--load=module-null-sink sink_name=patient",
            "--load=module-always-sink",
        ],
        check=True,
        capture_output=True,
    )
    pid_file = runtime / "pulse" / "pid"
    for _ in range(100):
        if pid_file.exists() and subprocess.run(["pactl", "info"], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    server = SoundServer(runtime, int(pid_file.read_text().split()[0]))
    server.pactl("set-default-sink", "out")
    server.set_default_source("out.monitor")
    try:
        yield server
    finally:
        os.kill(server.pid, 15)
        if old_runtime is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = old_runtime
        shutil.rmtree(runtime, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before -m selects by the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of the sound server ``audio`` (``scripts/test.sh`` runs them on their own)."""
    for item in items:
        if "sound_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.audio)


_databases = itertools.count()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data folder for the command line and the store, and no database URL; what
    ``main()`` sets in the environment is undone after the test (the variables are recorded by
    monkeypatch before it runs). Modules of command-line tests use it for every test
    (``pytestmark = pytest.mark.usefixtures("data_dir")``)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MITPRACTICE_DATA_DIR", str(folder))
    monkeypatch.setenv("MITPRACTICE_DATABASE_URL", "")
    monkeypatch.delenv("MITPRACTICE_DATABASE_URL")
    return folder


@pytest.fixture
def fresh_data(tmp_path, monkeypatch) -> Path:
    """A fresh data folder (and SQLite store) where the windows look for it (the user's
    ``XDG_DATA_HOME``), and no database URL; returns the test's own folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("MITPRACTICE_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def store(tmp_path):
    """A new store on a SQLite file of the test's own (a module needing another one, on each
    backend or in the data folder, defines its own ``store``)."""
    from mitpractice.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


@pytest.fixture
def workspace(qtbot, store):
    """The therapist's workspace shown over ``store``; its background jobs finished when the
    test ends."""
    from mitpractice.gui.therapist.window import Workspace
    from mitpractice.gui.workers import wait_for_jobs

    window = Workspace(store)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    wait_for_jobs()


@pytest.fixture(scope="module")
def spoken_thank_you(tmp_path_factory) -> Path:
    """ "Thank you" said by espeak-ng's en-us voice at 150 words a minute, as a WAV file."""
    import soundfile as sf
    from word_takes import SR, Voice, speak

    path = tmp_path_factory.mktemp("spoken") / "thank-you.wav"
    sf.write(path, speak("thank you", Voice("en-us", 150)), SR)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def store_on_each_backend(request, tmp_path):
    """A new store on a SQLite file, then on the session's PostgreSQL server."""
    from mitpractice.store import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"store{next(_databases)}")
    opened = Store.open(url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the session's own (see tests/pg_server.py); stopped at the end."""
    if not pg_server.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/setup.sh --test installs it")
        pytest.skip("no PostgreSQL here (scripts/setup.sh --test installs it)")
    with pg_server.postgres() as server:
        yield server


@pytest.fixture
def local_zone() -> Iterator:
    """``local_zone("Australia/Sydney")`` makes that this computer's time zone (``TZ`` and
    ``time.tzset``, as the operating system would) until the test ends."""
    saved = os.environ.get("TZ")

    def choose(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield choose
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()
