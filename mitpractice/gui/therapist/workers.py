"""Slow work (synthesis, pitch tracking, WORLD) off the GUI thread, results back on it."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from mitpractice.errors import MitpracticeError


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Job(QRunnable):
    """One call of ``fn`` on the thread pool; ``done``/``failed`` arrive on the GUI thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.finished = False
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except MitpracticeError as exc:
            self.finished = True
            self.signals.failed.emit(str(exc))
            return
        except Exception as exc:
            traceback.print_exc()
            self.finished = True
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished = True
        self.signals.done.emit(result)


_running: set[Job] = set()


def run_in_thread(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None] | None = None,
) -> Job:
    """Run ``fn()`` on the global thread pool; call ``on_done(result)`` or ``on_failed(message)``
    on the GUI thread afterwards. The job is kept alive until it has reported; a result for a
    screen that was closed meanwhile is dropped."""
    job = Job(fn)
    _running.add(job)

    def finish(callback, value):
        _running.discard(job)
        owner = getattr(callback, "__self__", None)  # a screen's method: is the screen still there?
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return
        if callback is not None:
            callback(value)

    job.signals.done.connect(lambda result: finish(on_done, result))
    job.signals.failed.connect(lambda message: finish(on_failed, message))
    QThreadPool.globalInstance().start(job)
    return job


def wait_for_jobs(msecs: int = 30_000) -> bool:
    """Wait for every job to finish (closing the window, tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)
