"""``legacy-coro run``: run an unmodified old program with the compat layer installed."""

import argparse
import os

HELP = "run an unmodified old asyncio program with legacy_coro.install() in effect"
DESCRIPTION = """\
Install the compat layer (legacy_coro.install(): each asyncio behaviour this
Python removed is put back), then run SCRIPT (or -m MODULE) as __main__ with
its own arguments, exit code and tracebacks, as `python SCRIPT ARGS` would.

With --report, or LEGACY_CORO_REPORT=FILE.json in the environment, every use
of a restored behaviour is recorded (API, your file:line, count, the Python
version that removed it): a table goes to stderr at exit, or JSON to FILE.json.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``legacy-coro run``."""
    parser.add_argument(
        "--report", action="store_true",
        help="print a porting report to stderr at exit (LEGACY_CORO_REPORT=FILE.json: "
        "write it to FILE.json instead)",
    )
    parser.add_argument(
        "-m", dest="module", action="store_true",
        help="run TARGET as a module, like python -m",
    )
    parser.add_argument("target", metavar="SCRIPT|MODULE", help="the program to run")
    parser.add_argument(
        "args", nargs=argparse.REMAINDER, metavar="ARGS", help="the program's own arguments"
    )


def run(args: argparse.Namespace) -> int:
    """Run the program; return its exit code."""
    from legacy_coro._runner import run as run_program

    report = os.environ.get("LEGACY_CORO_REPORT") or None
    if args.report and report is None:
        report = "-"
    return run_program(args.target, args.args, module=args.module, report=report)
