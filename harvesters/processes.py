"""The processes behind a harvest: which one holds a job, and a validation pool that dies with it.

A running job records its owner as `host pid start-time`. When that process is gone (`kill -9`, an
out-of-memory kill, a reboot), a worker or a rerun on the same host sees it at once and frees the source;
on another host only the heartbeat tells, after `sources.STALE_AFTER`. The start time (from /proc) tells
a reused pid from the owner.
"""

import multiprocessing
import os
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PARENT_CHECK_SECONDS = 0.5


def _stat(pid: int) -> tuple[str, str]:
    """A process's state letter and start time (clock ticks after boot), or empty strings without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "", ""
    return fields[0], fields[19]  # fields 3 and 22 of proc_pid_stat(5)


def process_owner() -> str:
    """This process, as the owner of a job it runs."""
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_stat(pid)[1]}".rstrip()


def owner_gone(owner: str | None) -> bool:
    """Whether the process named by ``owner`` is known to have ended: it ran on this host and its pid is
    free, a zombie, or another process's now. An owner on another host is never known to be gone here."""
    host, _, rest = (owner or "").partition(" ")
    pid_text, _, started = rest.partition(" ")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        pass
    state, now_started = _stat(pid)
    return state in ("Z", "X") or bool(started and now_started and now_started != started)


def _exit_with(parent: int) -> None:
    """In a pool process: end when the process that made the pool ends, instead of waiting on its pipes."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def validation_pool(processes: int) -> ProcessPoolExecutor:
    """A pool of fresh processes (spawned: no copy of this one's threads and connections) that end on their
    own within a second of this process, however it ends."""
    return ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with, initargs=(os.getpid(),)
    )
