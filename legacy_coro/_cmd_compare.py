"""``legacy-coro compare``: the argument parser; the work is in ``legacy_coro._compare``."""

import argparse
import os
import shutil
import sys

from legacy_coro._normalize import describe_rules

HELP = "run two scripts (or two directories of them) and show whether they print the same"

DESCRIPTION = f"""\
Run two Python scripts as child processes, normalise what each prints, and show
the two transcripts side by side with the differing lines marked
('|' changed, '<' only in A, '>' only in B), then one verdict line.

  legacy-coro compare A.py B.py      one pair, side by side (or --diff)
  legacy-coro compare DIR_A DIR_B    every top-level *.py paired by name: a table
  legacy-coro compare                examples_legacy/ against examples_native/

Each script runs as `PYTHON [-W ARG] /abs/path/SCRIPT.py` in its own directory,
stdin closed.  The transcript is its stdout, then its stderr lines marked
"[stderr] ": an extra warning or traceback on one side is a difference.  A pair
is "same" only when both exit 0 and the transcripts are equal.

the old code as it ran, the port as it runs:
  legacy-coro compare --compat-a old.py new.py
      side A runs under the compat layer, as `legacy-coro run old.py` would
      (`PYTHON -m legacy_coro run`, the porting report off)
  legacy-coro compare --python-a 3.6 --python-b 3.13 old.py new.py
      side A on Python 3.6, side B on 3.13
--python X (repeatable) gives a column per interpreter and runs both sides on
it; --python-a / --python-b fix one side's interpreter in every column (so
`--python-a 3.6 --python 3.12 --python 3.13` runs A on 3.6 against B on 3.12,
then on 3.13; with both sides fixed, --python is refused).  Side A may run on a
Python without legacy_coro, 3.6 and 3.7 included (old code runs there
natively); --compat-a needs legacy_coro on side A's interpreter, and 3.8+.

Ctrl-C (SIGINT) or SIGTERM stops at once: no new script starts, every running
one is killed with what it started, and what finished is shown.

normalisation (default rules, nothing else; --no-normalize turns them off):
{describe_rules()}
  then each --normalize REGEX=REPL, in order (Python re syntax).

exit status: 0 every pair the same, 1 any pair different, failed, timed out or
missing a partner, 2 usage error, 130 interrupted (SIGINT), 143 (SIGTERM)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``compare`` options."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="two .py files or two directories (default: examples_legacy "
                             "examples_native)")
    parser.add_argument("--python", action="append", default=[], metavar="X",
                        help="interpreter to run both sides with: a path, a command, or a "
                             "version like 3.12 (found on PATH or in pyenv); repeat for a column "
                             "per interpreter (default: the one running legacy-coro)")
    parser.add_argument("--python-a", metavar="X",
                        help="interpreter for side A only, as --python (3.6 and 3.7 work: old "
                             "code runs there natively)")
    parser.add_argument("--python-b", metavar="X", help="interpreter for side B only")
    parser.add_argument("--compat-a", action="store_true",
                        help="run side A under the compat layer, as `legacy-coro run` does "
                             "(needs legacy_coro on side A's Python, 3.8+)")
    parser.add_argument("-j", "--jobs", type=int, default=min(8, os.cpu_count() or 1),
                        metavar="N", help="pairs to run at once, 0 for one per CPU "
                                          "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="kill a script after this long and report it timed out "
                             "(default: %(default)g)")
    parser.add_argument("-W", dest="warnings", action="append", default=[], metavar="ARG",
                        help="pass -W ARG to the interpreter, e.g. -W error")
    parser.add_argument("--normalize", action="append", default=[], metavar="REGEX=REPL",
                        help="an extra rule, applied after the default ones (repeatable; "
                             r"write \= for '=' inside REGEX)")
    parser.add_argument("--no-normalize", action="store_true",
                        help="compare raw output: no default rules (--normalize still applies)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--diff", action="store_true",
                        help="print a unified diff instead of two columns")
    output.add_argument("--json", action="store_true",
                        help="print the results as JSON (transcripts included where not the "
                             "same)")
    parser.add_argument("--color", "--colour", choices=("auto", "always", "never"),
                        default="auto",
                        help="colour the marks: auto = only when stdout is a terminal and "
                             "NO_COLOR is not set (default: auto)")
    parser.add_argument("--width", type=int, default=None, metavar="COLUMNS",
                        help="width of the side-by-side view (default: the terminal's, else "
                             "100)")


def check_numbers(jobs: int, timeout: float) -> str:
    """Return what is wrong with --jobs / --timeout ("" when nothing is); port uses it too."""
    if jobs < 0:
        return f"--jobs {jobs}: give 0 (one per CPU) or more"
    if not timeout > 0:  # also NaN
        return f"--timeout {timeout:g}: give a positive number of seconds"
    return ""


def run(args: argparse.Namespace) -> int:
    """Check the arguments and run the comparison."""
    from legacy_coro._compare import Options, run_compare
    from legacy_coro._normalize import parse_user_rule

    def usage(message: str) -> int:
        print(f"legacy-coro compare: error: {message}", file=sys.stderr)
        return 2

    try:
        rules = [parse_user_rule(text) for text in args.normalize]
    except ValueError as exc:
        return usage(str(exc))
    problem = check_numbers(args.jobs, args.timeout)
    if problem:
        return usage(problem)
    if args.color == "auto":
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    else:
        colour = args.color == "always"
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    options = Options(
        paths=args.paths,
        pythons=args.python,
        jobs=args.jobs,
        timeout=args.timeout,
        python_args=[arg for value in args.warnings for arg in ("-W", value)],
        user_rules=rules,
        normalize_defaults=not args.no_normalize,
        diff=args.diff,
        json=args.json,
        colour=colour,
        width=max(width, 40),
        python_a=args.python_a,
        python_b=args.python_b,
        compat_a=args.compat_a,
    )
    return run_compare(options)
