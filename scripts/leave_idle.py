"""Put a process and all its descendants back under the normal scheduling policy.

``scripts/test.sh`` starts the tests that need no sound server under the idle policy
(``chrt --idle``) while the sound tests run, and calls this once those are done. Threads that
are gone, or that may not leave the idle policy (a user's, not root's), are left as they are.

Usage: ``python scripts/leave_idle.py PID``
"""

from __future__ import annotations

import contextlib
import os
import sys


def parents() -> dict[int, int]:
    """Every running process's parent, from /proc."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                found[int(pid)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass  # gone meanwhile
    return found


def tree(root: int) -> set[int]:
    """``root`` and its descendants."""
    known, found = parents(), {root}
    while grown := {pid for pid, parent in known.items() if parent in found} - found:
        found |= grown
    return found


def main(root: int) -> int:
    for pid in tree(root):
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):
                os.sched_setscheduler(int(task), os.SCHED_OTHER, os.sched_param(0))
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
