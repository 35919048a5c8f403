"""``legacy-coro run``: run an unmodified old program with the compat layer installed."""

import argparse
import os
import sys
from typing import List, Sequence

HELP = "run an unmodified old asyncio program with legacy_coro.install() in effect"
DESCRIPTION = """\
Install the compat layer (legacy_coro.install(): what this Python removed from
asyncio is put back, and old source compiles), then run the program as
__main__, as `python PROGRAM ARGS` would: its own arguments, exit code and
tracebacks. Everything after the program is its own.

  legacy-coro run SCRIPT [ARGS]      a script
  legacy-coro run DIR [ARGS]         a directory (or zip file) with __main__.py
  legacy-coro run - [ARGS]           the program read from stdin
  legacy-coro run -m MODULE [ARGS]   a module, as python -m runs it
  legacy-coro run -m pytest tests/   an old test suite"""

EPILOG = """\
environment: LEGACY_CORO_REPORT=FILE.json writes the porting report as JSON;
LEGACY_CORO_RESTORE=KEY,KEY does what --restore does.

exit status: the program's own; 2 usage error. Details: the documentation
(docs/reference/cli.md in the source)."""


def USAGE() -> str:
    """The usage line, wrapped to the terminal."""
    from legacy_coro._main import wrap_usage

    return wrap_usage("legacy-coro run", ["[options]", "(SCRIPT | DIR | - | -m MODULE)",
                                          "[ARGS ...]"])


def _opt_in_keys() -> List[str]:
    from legacy_coro._versions import CHANGES

    return [f"{c.key} ({c.label})" for c in CHANGES if c.opt_in]


def restore_keys(values: Sequence[str]) -> List[str]:
    """Split ``--restore`` values and LEGACY_CORO_RESTORE into keys."""
    keys = [key.strip() for value in values for key in value.split(",")]
    return [key for key in keys if key]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``legacy-coro run``."""
    parser.add_argument(
        "--restore", action="append", default=[], metavar="KEY",
        help="also restore a behaviour change that removed nothing: "
             f"{', '.join(_opt_in_keys())}, or all (repeatable, or KEY,KEY)",
    )
    parser.add_argument(
        "--report", action="store_true",
        help="print a porting report to stderr at exit: each use of a restored behaviour, "
             "at your line",
    )
    parser.add_argument(
        "-m", dest="module", action="store_true",
        help="the program is a module name, run as python -m runs it",
    )
    parser.add_argument("target", nargs="?", metavar="SCRIPT|DIR|-|MODULE",
                        help=argparse.SUPPRESS)
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run the program; return its exit code."""
    from legacy_coro._install import _opt_in_keys as check_keys
    from legacy_coro._runner import run as run_program

    if args.target is None:
        print("legacy-coro run: error: give the program to run: a script, a directory, - for "
              "stdin, or -m MODULE", file=sys.stderr)
        return 2
    report = os.environ.get("LEGACY_CORO_REPORT") or None
    if args.report and report is None:
        report = "-"
    restore = restore_keys(args.restore + [os.environ.get("LEGACY_CORO_RESTORE", "")])
    try:
        check_keys(restore)
    except ValueError as exc:
        print(f"legacy-coro run: error: {exc}".replace("legacy_coro.install(restore=...): ", ""),
              file=sys.stderr)
        return 2
    return run_program(args.target, args.args, module=args.module, report=report,
                       restore=restore)
