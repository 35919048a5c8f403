"""``legacy-coro port --verify``: run each changed script before and after, as ``compare`` does.

Imported only when ``--verify`` runs (it imports the comparison runner).
"""

import os
import sys
import tempfile
from typing import IO, TYPE_CHECKING

from legacy_coro.port._options import Options
from legacy_coro.port._pipeline import Outcome

if TYPE_CHECKING:
    from legacy_coro._children import Children
    from legacy_coro._compare import Column, RunResult

__all__ = ["verify", "verify_column"]


def verify_column(options: Options, children: "Children") -> "Column":
    """Return the ``_compare.Column`` --verify runs in (LookupError: a usage error)."""
    from legacy_coro._compare import Column, Interpreter, check_compat, resolve_python

    here = Interpreter("{}.{}".format(*sys.version_info[:2]), sys.executable)
    a = (resolve_python(options.python_a, option="--python-a", children=children)
         if options.python_a else here)
    b = (resolve_python(options.python_b, option="--python-b", children=children)
         if options.python_b else here)
    compat = options.python_a is None if options.compat_a is None else options.compat_a
    if compat:
        check_compat(a, "--compat-a" if options.compat_a else "--verify (the original runs "
                     "under legacy-coro run; --no-compat-a runs it plainly)", children)
    return Column(a.label if a == b else f"{a.label}/{b.label}", a, b, compat)


def _sides(column: "Column") -> str:
    under = "under legacy-coro run " if column.compat_a else ""
    if column.a == column.b:
        return (f"the original {under}and the port on Python {column.a.label}" if under
                else f"on Python {column.a.label}")
    return f"the original {under}on Python {column.a.label}, the port on {column.b.label}"


def _why(run: "RunResult") -> str:
    """Say how a run failed: its exit code and its error (the exception line of its last
    traceback, else the last line of its stderr)."""
    if run.timed_out:
        return f"killed after the {run.timeout:g} s timeout"
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    error = lines[-1].strip() if lines else ""
    headers = [n for n, line in enumerate(lines) if line == "Traceback (most recent call last):"]
    if headers:
        error = next((line for line in lines[headers[-1] + 1:] if not line[:1].isspace()), error)
    return f"exit {run.returncode}" + (f": {error}" if error else ", nothing on stderr")


def verify(outcome: Outcome, err: IO[str], timeout: float, column: "Column",
            children: "Children") -> str:
    """Run the original and the ported script; report and return "same", "different", "original"."""
    from legacy_coro._compare import compare_files, unified

    assert outcome.new is not None
    directory = os.path.dirname(os.path.abspath(outcome.path))
    fd, ported_path = tempfile.mkstemp(suffix=".py", prefix=".legacy_coro_port_", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(outcome.new)
        result = compare_files(outcome.path, ported_path, column, timeout=timeout,
                               children=children)
    finally:
        os.unlink(ported_path)
    sides = _sides(column)
    if result.status == "same":
        err.write(f"{outcome.path}: verify: same transcript, {sides}\n")
        return "same"
    if result.a is not None and not result.a.ok:
        err.write(f"{outcome.path}: verify: the original does not run ({_why(result.a)}), "
                  f"{sides}; nothing to compare the port with\n")
        return "original"
    if result.b is not None and not result.b.ok:
        err.write(f"{outcome.path}: verify: the port failed ({_why(result.b)}), {sides}\n")
    else:
        err.write(f"{outcome.path}: verify: different, {sides}\n")
    a = result.a.transcript.splitlines() if result.a else []
    b = result.b.transcript.splitlines() if result.b else []
    for line in unified(a, b, ("original", "ported")):
        err.write(line + "\n")
    return "different"


