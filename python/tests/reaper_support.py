"""Finding a session's reaper processes from outside, as the tests watch them."""

from __future__ import annotations

import pathlib
import time


def running(pid: int) -> bool:
    """Whether the process exists and has not exited (a zombie nobody reaped has)."""
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != b"Z"


def reaper_pids(session: str) -> list[int]:
    """The running `ptest-iso reap` processes of `session` (not the short-lived `--detach` starter)."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"reap" in argv and session.encode() in argv and b"--detach" not in argv and running(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def wait_for_no_reaper(session: str, seconds: float) -> None:
    """Waits until no reaper of `session` runs: whatever it was going to remove is removed by then."""
    deadline = time.monotonic() + seconds
    while reaper_pids(session):
        assert time.monotonic() < deadline, f"a reaper of session {session} still runs after {seconds} s"
        time.sleep(0.05)
