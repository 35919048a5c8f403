"""The child processes of one command, and the signals that stop them all.

``legacy-coro compare`` and ``port --verify`` run scripts as child processes.
Each child starts in a session of its own (so a Ctrl-C typed at the terminal
reaches only legacy-coro, which decides what to stop), and is killed with
everything it started: its process group, and on Linux every process
descended from it, found in ``/proc`` and stopped before it is killed so that
none can fork a child that would be missed.

:class:`Children` keeps the live ones.  Inside :meth:`Children.handling_signals`
a SIGINT or SIGTERM kills them all at once and refuses to start new ones; the
run that was waiting for a killed child raises :class:`Interrupted`, and the
command reports what finished and exits 128 + the signal number.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Set

__all__ = ["Children", "Finished", "Interrupted", "kill_tree", "signal_name"]

_POSIX = sys.platform != "win32"
_PROC = "/proc"

#: how often a waiting run looks whether the command was interrupted, seconds
_POLL = 0.2


def signal_name(signum: int) -> str:
    """Return "SIGINT" for 2, and so on."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class Interrupted(Exception):
    """The command was stopped (by a signal, when signum is set) before this run finished."""

    def __init__(self, signum: Optional[int]) -> None:
        super().__init__("stopped" if signum is None else signal_name(signum))
        self.signum = signum


class Finished(NamedTuple):
    """What a child process did."""

    returncode: Optional[int]  #: None when it was killed on timeout
    stdout: str
    stderr: str
    timed_out: bool


def _children_of() -> Dict[int, List[int]]:
    """Return {parent pid: [child pids]} for every process in /proc."""
    tree: Dict[int, List[int]] = {}
    try:
        entries = os.listdir(_PROC)
    except OSError:
        return tree
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"{_PROC}/{name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            tree.setdefault(int(fields[1]), []).append(int(name))
    return tree


def _descendants(pid: int) -> Set[int]:
    tree = _children_of()
    found: Set[int] = set()
    stack = [pid]
    while stack:
        for child in tree.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _send(pid: int, signum: int, group: bool = False) -> None:
    try:
        if group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except OSError:  # already gone, or never ours
        pass


def kill_tree(pid: int) -> None:
    """Kill process *pid* (a session leader), its process group and all its descendants."""
    if not _POSIX:
        _send(pid, signal.SIGTERM)
        return
    victims: Set[int] = set()
    if os.path.isdir(_PROC):
        # Stop before killing: a stopped process cannot fork, and a killed one's
        # children would be re-parented out of reach before they were found.
        _send(pid, signal.SIGSTOP, group=True)
        for _ in range(5):
            found = _descendants(pid) - victims
            if not found:
                break
            for child in found:
                _send(child, signal.SIGSTOP)
            victims |= found
    _send(pid, signal.SIGKILL, group=True)
    _send(pid, signal.SIGKILL)
    for child in victims:
        _send(child, signal.SIGKILL)


class Children:
    """The live child processes of one command; see the module's docstring."""

    def __init__(self) -> None:
        #: true once stop() was called: no new child starts
        self.stopped = False
        #: the signal that stopped the command, if a signal did
        self.signum: Optional[int] = None
        # No lock: the signal handler runs in the main thread, between two
        # bytecodes of whatever it interrupted, so it must never wait for one.
        # Adding to, discarding from and copying a set are each atomic under
        # the GIL, and run() looks at stopped after adding (see there).
        self._live: Set[subprocess.Popen[str]] = set()

    def check(self) -> None:
        """Raise :class:`Interrupted` once the command has been stopped."""
        if self.stopped:
            raise Interrupted(self.signum)

    def stop(self, signum: Optional[int] = None) -> None:
        """Kill every live child and start no more (the signal handler calls it)."""
        if signum is not None and self.signum is None:
            self.signum = signum
        self.stopped = True
        for process in list(self._live):
            kill_tree(process.pid)

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator["Children"]:
        """Within the block, SIGINT and SIGTERM call :meth:`stop` (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        signums = [signal.SIGINT] + ([signal.SIGTERM] if _POSIX else [])
        previous: Dict[signal.Signals, Any] = {}
        try:
            for signum in signums:
                previous[signum] = signal.signal(signum, self._on_signal)
            yield self
        finally:
            for signum, handler in previous.items():
                # None: a handler not set from Python, which cannot be put back from it
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stop(signum)

    def run(self, command: Sequence[str], *, timeout: Optional[float],
            **popen: Any) -> Finished:
        """Run *command* to the end (or *timeout*, then kill it and all it started).

        Its output is read as text (UTF-8, undecodable bytes replaced).  When
        it exits, what it left running in its process group is killed too.

        Raises:
            Interrupted: the command was stopped before or while this ran.
        """
        self.check()
        process = subprocess.Popen(
            list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace", start_new_session=_POSIX, **popen)
        self._live.add(process)
        try:
            # stop() may have copied the set just before the add: then stopped is
            # already true here, and this child is killed by its own run.
            if self.stopped:
                kill_tree(process.pid)
            finished = self._wait(process, timeout)
        except BaseException:
            kill_tree(process.pid)
            self._close(process)
            raise
        finally:
            self._live.discard(process)
        self.check()  # it ended because it was killed: not a result
        return finished

    def _wait(self, process: "subprocess.Popen[str]", timeout: Optional[float]) -> Finished:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            # Short waits, so that a stop is seen even when a process that
            # escaped the kill still holds the pipes open.
            remaining = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            try:
                stdout, stderr = process.communicate(timeout=max(remaining, 0.001))
                break
            except subprocess.TimeoutExpired:
                self.check()
                if deadline is not None and time.monotonic() >= deadline:
                    kill_tree(process.pid)
                    try:
                        stdout, stderr = process.communicate(timeout=5)
                    except subprocess.TimeoutExpired:  # something out of reach holds the pipes
                        self._close(process)
                        stdout, stderr = "", ""
                    return Finished(None, stdout, stderr, True)
        if _POSIX:  # what it started and left behind
            _send(process.pid, signal.SIGKILL, group=True)
        return Finished(process.returncode, stdout, stderr, False)

    @staticmethod
    def _close(process: "subprocess.Popen[str]") -> None:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        process.wait()
