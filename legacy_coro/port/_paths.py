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
from typing import IO, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from legacy_coro.port._options import Options
from legacy_coro.port._pipeline import Outcome, RunOptions, port_files
from legacy_coro.port._report import EXIT_USAGE, plural, report
from legacy_coro.port._tree import skipped_dir
from legacy_coro.port._write import write as write_run

__all__ = ["Options", "iter_python_files", "port_paths"]


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Yield the ``.py`` files under *paths* (files given by name are yielded as they are)."""
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not skipped_dir(d))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(root, name)


def port_paths(options: Options, out: Optional[IO[str]] = None,
               err: Optional[IO[str]] = None, stdin: Optional[IO[bytes]] = None) -> int:
    """Port every file named by *options*; print the report; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    files = list(iter_python_files(options.paths))
    stdin_source = (stdin or sys.stdin.buffer).read() if "-" in files else None
    outcomes = port_files([f for f in files if f != "-"], RunOptions(
        options.jobs, options.target, options.result_helper, options.diff), stdin_source)
    stdin_new: Optional[bytes] = None
    if stdin_source is not None:
        first = outcomes[0]
        stdin_new = first.new if first.changed and first.new is not None else stdin_source
    # Verify, then write (the workers only port) what --verify approved.
    verdicts: Dict[str, str] = {}
    if options.verify:
        found = _verify(options, outcomes, err)
        if isinstance(found, int):
            return found
        verdicts, signum = found
        if signum is not None:
            from legacy_coro._children import signal_name
            from legacy_coro.port._verify import INTERRUPTED, SAME

            # nothing is written: what verified before the signal counts as interrupted too
            failed = {path: INTERRUPTED if kind == SAME else kind
                      for path, kind in verdicts.items()}
            report(options, outcomes, stdin_new, failed, out, err, set(), verdicts)
            stopped = sum(1 for kind in failed.values() if kind == INTERRUPTED)
            err.write(f"legacy-coro port: interrupted by {signal_name(signum)}: "
                      f"{plural(stopped, 'file')} not verified and not written; the scripts "
                      "still running were killed, with what they started\n")
            return 128 + signum
    failed_verify = {path: kind for path, kind in verdicts.items() if kind != "same"}
    # The same files are written with or without --json: every mode but --diff and --check.
    if options.diff or options.check:
        return report(options, outcomes, stdin_new, failed_verify, out, err, set(), verdicts)
    wanted = [index for index, outcome in enumerate(outcomes)
              if outcome.changed and outcome.path != "-" and outcome.new is not None
              and outcome.path not in failed_verify]
    not_ported = [o.path for o in outcomes if o.error is not None] + list(failed_verify)
    blocked = None
    if not_ported:
        blocked = (f"{plural(len(not_ported), 'file')} of it not ported or not verified ("
                   f"{', '.join(not_ported[:3])}{', ...' if len(not_ported) > 3 else ''}): "
                   "fix them, or port without them")
    written, unwritten = write_run(outcomes, wanted, blocked)
    return report(options, outcomes, stdin_new, failed_verify, out, err, written, verdicts,
                  unwritten)


def _verify(options: Options, outcomes: List[Outcome], err: IO[str]
            ) -> Union[int, Tuple[Dict[str, str], Optional[int]]]:
    """Run --verify: ({path: verdict}, the signal that stopped it), or the exit status of a
    usage error (its line written)."""
    from legacy_coro._children import Children, Interrupted
    from legacy_coro.port._tree import TreeError
    from legacy_coro.port._verify import INTERRUPTED, verify_column, verify_outcomes

    children = Children()
    with children.handling_signals():
        try:
            column = verify_column(options, children)
            verdicts = verify_outcomes(options, outcomes, column, children, err)
        except (LookupError, TreeError) as exc:
            err.write(f"legacy-coro port: error: {exc}\n")
            return EXIT_USAGE
        except Interrupted:  # while probing: every changed file is marked interrupted
            verdicts = {o.path: INTERRUPTED for o in outcomes
                        if o.changed and o.new is not None and o.path != "-"}
    return verdicts, children.signum
