"""``legacy-coro port PATH...``: the files, the run, then write, diff, check or verify, and report.

Diagnostics go to stderr; stdout carries only data (the diff, the ported
stdin, the JSON report).

Exit status: 0 nothing to change; 1 a file was (or, with ``--check`` /
``--diff``, would be) rewritten, or an error-level site was found (LC004), or
``--verify`` found a difference; 2 a file could not be read or parsed, or the
command line is wrong; 3 internal error (the ported code would not compile;
the file was left untouched).  The highest applicable status wins.
"""

import os
import sys
from typing import IO, Dict, Iterator, Optional, Sequence

from legacy_coro.port._options import Options
from legacy_coro.port._pipeline import Outcome, RunOptions, port_files
from legacy_coro.port._report import EXIT_USAGE, plural, report

__all__ = ["Options", "iter_python_files", "port_paths"]

_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "build", "dist"})


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Yield the ``.py`` files under *paths* (files given by name are yielded as they are)."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(root, name)


def port_paths(options: Options, out: Optional[IO[str]] = None,
               err: Optional[IO[str]] = None, stdin: Optional[IO[bytes]] = None) -> int:
    """Port every file named by *options*; print the report; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    files = list(iter_python_files(options.paths))
    write = not (options.diff or options.check or options.verify)
    stdin_source = (stdin or sys.stdin.buffer).read() if "-" in files else None
    outcomes = port_files([f for f in files if f != "-"], RunOptions(
        options.jobs, options.target, options.result_helper, options.diff), stdin_source)
    stdin_new: Optional[bytes] = None
    if stdin_source is not None:
        first = outcomes[0]
        stdin_new = first.new if first.changed and first.new is not None else stdin_source
    # Verify, then write (the workers only port) what --verify approved.
    failed_verify: Dict[str, str] = {}
    if options.verify:
        from legacy_coro._children import Children, Interrupted, signal_name
        from legacy_coro.port._verify import verify, verify_column

        children = Children()
        with children.handling_signals():
            try:
                column = verify_column(options, children)
            except LookupError as exc:
                err.write(f"legacy-coro port: error: {exc}\n")
                return EXIT_USAGE
            except Interrupted:  # while probing: every file below is marked interrupted
                pass
            for outcome in outcomes:
                if not outcome.changed or outcome.path == "-" or outcome.new is None:
                    continue
                if children.stopped:
                    failed_verify[outcome.path] = "interrupted"
                    continue
                try:
                    verdict = verify(outcome, err, options.timeout, column, children)
                except Interrupted:
                    failed_verify[outcome.path] = "interrupted"
                    continue
                if verdict != "same":
                    failed_verify[outcome.path] = verdict
        if children.signum is not None:
            report(options, outcomes, stdin_new, failed_verify, out, err)
            stopped = sum(1 for kind in failed_verify.values() if kind == "interrupted")
            err.write(f"legacy-coro port: interrupted by {signal_name(children.signum)}: "
                      f"{plural(stopped, 'file')} not verified and not written; the scripts "
                      "still running were killed, with what they started\n")
            return 128 + children.signum
    for index, outcome in enumerate(outcomes):
        if not outcome.changed or outcome.path == "-" or outcome.new is None:
            continue
        if outcome.path in failed_verify:
            continue
        if options.verify:
            if options.diff or options.check:
                continue
        elif not write:
            continue
        try:
            with open(outcome.path, "wb") as stream:
                stream.write(outcome.new)
        except OSError as exc:
            outcomes[index] = Outcome(outcome.path, error=("io", f"cannot write: {exc.strerror}"),
                                      lines=outcome.lines)
    return report(options, outcomes, stdin_new, failed_verify, out, err)


