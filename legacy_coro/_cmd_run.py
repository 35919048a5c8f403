"""``legacy-coro run``: run an unmodified old program with the compat layer installed."""

import argparse
import os
import sys
from typing import List, Sequence

HELP = "run an unmodified old asyncio program with legacy_coro.install() in effect"
USAGE = "%(prog)s [-h] [--restore KEY] [--report] (SCRIPT | DIR | - | -m MODULE) [ARGS ...]"
DESCRIPTION = """\
Install the compat layer (legacy_coro.install(): each asyncio behaviour this
Python removed is put back), then run the program as __main__ with its own
arguments, exit code and tracebacks, as `python SCRIPT ARGS` would:

  legacy-coro run SCRIPT [ARGS]      a script
  legacy-coro run DIR [ARGS]         a directory (or zip file) with __main__.py
  legacy-coro run - [ARGS]           the program read from stdin
  legacy-coro run -m MODULE [ARGS]   a module, as python -m runs it

Everything after the program is its own (`legacy-coro run s.py --report`
passes --report to s.py).

With --report, or LEGACY_CORO_REPORT=FILE.json in the environment, every use
of a restored behaviour is recorded (API, your file:line, count, the Python
version that removed it): a table goes to stderr at exit, or JSON to FILE.json
(checked to be writable before the program starts).

Behaviour changes that removed nothing are restored only when asked, with
--restore KEY (repeatable, or comma-separated; LEGACY_CORO_RESTORE=KEY,KEY in
the environment does the same):
{}"""


def _describe_opt_in() -> str:
    from legacy_coro._versions import CHANGES

    return "".join(f"  {c.key:24} {c.label}: {c.what.replace('`', '')}\n"
                   for c in CHANGES if c.opt_in) + "  all                      every one of them\n"


DESCRIPTION = DESCRIPTION.format(_describe_opt_in())


def restore_keys(values: Sequence[str]) -> List[str]:
    """Split ``--restore`` values and LEGACY_CORO_RESTORE into keys."""
    keys = [key.strip() for value in values for key in value.split(",")]
    return [key for key in keys if key]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``legacy-coro run``."""
    parser.add_argument(
        "--restore", action="append", default=[], metavar="KEY",
        help="also restore this behaviour change (see above; repeatable)",
    )
    parser.add_argument(
        "--report", action="store_true",
        help="print a porting report to stderr at exit (LEGACY_CORO_REPORT=FILE.json: "
        "write it to FILE.json instead)",
    )
    parser.usage = USAGE
    parser.add_argument(
        "-m", dest="module", action="store_true",
        help="the program is a module name, run as python -m runs it",
    )
    parser.add_argument("target", nargs="?", metavar="SCRIPT|DIR|-|MODULE",
                        help="the program: a script, a directory or zip file with __main__.py, "
                             "- for stdin, or with -m a module")
    parser.add_argument(
        "args", nargs=argparse.REMAINDER, metavar="ARGS",
        help="the program's own arguments (optional)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the program; return its exit code."""
    from legacy_coro._install import _opt_in_keys
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
        _opt_in_keys(restore)
    except ValueError as exc:
        print(f"legacy-coro run: error: {exc}".replace("legacy_coro.install(restore=...): ", ""),
              file=sys.stderr)
        return 2
    return run_program(args.target, args.args, module=args.module, report=report,
                       restore=restore)
