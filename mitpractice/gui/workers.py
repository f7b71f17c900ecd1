"""Slow work off the GUI thread, results back on it: both windows' one background runner.

:class:`Tasks` runs a function on Qt's thread pool (open the store, synthesise a target,
track a pitch, write a backup) and calls ``done(result)`` or ``failed(exception)`` on the GUI
thread when it ends. The results cross threads as queued signals, so the GUI thread only ever
receives finished results; nothing here touches a widget. A task is kept alive until it has
reported, and each is tied to the Qt object its callbacks belong to: a result for a screen
that was closed (deleted) meanwhile is dropped, never delivered to a window that is gone.

The practice window keeps its own :class:`Tasks`; the therapist's screens share one through
:func:`run_in_thread`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from mitpractice.errors import MitpracticeError


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """Run ``fn()`` on the thread pool; ``done(result)`` or ``failed(exception)`` on the GUI thread.

    Keep the task referenced until it reports (:class:`Tasks` does).
    """

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _TaskSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the screen, which words it for its reader
            if not isinstance(exc, MitpracticeError):
                traceback.print_exc()
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class Tasks:
    """Running background tasks, kept alive until they report."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()

    def start(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> Task:
        """Run ``fn()``; then ``done(result)`` or ``failed(exception)`` on the GUI thread.

        ``owner`` is the Qt object whose state the callbacks touch (a screen, a controller):
        once it is deleted (its window closed), neither callback is called. A callback that is
        a method of a Qt object makes that object an owner of the task too (of both callbacks);
        callbacks that are not (lambdas, closures) must name their owner, unless the other is
        such a method. A failure with no ``failed`` is only printed.
        """
        owners = _owners(owner, done, failed)
        if not owners:
            raise TypeError("a task's callbacks are not methods of a Qt object: name their owner")
        task = Task(fn)
        self._running.add(task)

        def finish(callback, value) -> None:
            # Both callbacks belong to the same screen: a lambda beside a method of a screen
            # that is gone is dropped with it.
            self._running.discard(task)
            if callback is not None and all(shiboken6.isValid(o) for o in owners):
                callback(value)

        task.signals.done.connect(lambda result: finish(done, result))
        task.signals.failed.connect(lambda exc: finish(failed, exc))
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, msecs: int = 10_000) -> bool:
        """Wait for the pool's work to finish (closing a window, tests); False on time-out."""
        return self.pool.waitForDone(msecs)


def _owners(owner: QObject | None, *callbacks: Callable | None) -> tuple[QObject, ...]:
    """The Qt objects that must still exist for these callbacks to be called: the task's
    owner, and the object each callback is a method of."""
    found = (owner, *(getattr(c, "__self__", None) for c in callbacks))
    return tuple(o for o in found if isinstance(o, QObject))


def failure_text(exc: Exception) -> str:
    """One line for a failed task: the app's own message, else the exception's kind too."""
    if isinstance(exc, MitpracticeError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


#: The therapist's screens' tasks.
_shared = Tasks()


def run_in_thread(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[Exception], None] | None = None,
    *,
    owner: QObject | None = None,
) -> Task:
    """:meth:`Tasks.start` on the tasks the therapist's screens share."""
    return _shared.start(fn, on_done, on_failed, owner=owner)


def wait_for_jobs(msecs: int = 30_000) -> bool:
    """Wait for every task on the pool to finish (closing the workspace, tests)."""
    return _shared.wait(msecs)
