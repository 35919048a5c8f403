"""``legacy-coro run``: run an unmodified old program with the compat layer installed."""

import argparse
import os
import sys

HELP = "run an unmodified old asyncio program with legacy_coro.install() in effect"
USAGE = "%(prog)s [-h] [--report] (SCRIPT | DIR | - | -m MODULE) [ARGS ...]"
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
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``legacy-coro run``."""
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
    from legacy_coro._runner import run as run_program

    if args.target is None:
        print("legacy-coro run: error: give the program to run: a script, a directory, - for "
              "stdin, or -m MODULE", file=sys.stderr)
        return 2
    report = os.environ.get("LEGACY_CORO_REPORT") or None
    if args.report and report is None:
        report = "-"
    return run_program(args.target, args.args, module=args.module, report=report)
