"""``legacy-coro compare``: the argument parser; the work is in ``legacy_coro._compare``."""

import argparse
import os
import shutil
import sys

from legacy_coro._normalize import RULE_NAMES

HELP = "run two scripts (or two directories of them) and show whether they print the same"

DESCRIPTION = """\
Run two Python scripts (PATH PATH: two files, or two directories whose
top-level *.py files pair by name; none: examples_legacy/ and examples_native/)
and show whether they print the same, after normalising what changes from run
to run. The transcript is stdout, then stderr lines marked "[stderr] ".

  legacy-coro compare old.py new.py
  legacy-coro compare --compat-a old/ new/     old code under the compat layer
  legacy-coro compare --python-a 3.6 old/ new/ old code on the Python it ran on"""

EPILOG = f"""\
default rules: {', '.join(RULE_NAMES)}.

exit status: 0 every pair the same; 1 any pair different, failed, timed out or
without a partner; 2 usage error; 130 / 143 interrupted. Details: the
documentation (docs/reference/cli.md in the source)."""

#: the range of --width: narrower garbles the two columns, wider is not a terminal
WIDTH_RANGE = (40, 1000)


USAGE = "legacy-coro compare [options] [PATH PATH]"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``compare`` options."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--python", action="append", default=[], metavar="X",
                        help="run both sides on X: a path, a command or a version (3.12); "
                             "repeat for a column each (default: this Python)")
    parser.add_argument("--python-a", metavar="X",
                        help="side A's interpreter in every column (3.6 works too)")
    parser.add_argument("--python-b", metavar="X", help="side B's interpreter")
    parser.add_argument("--compat-a", action="store_true",
                        help="run side A under the compat layer (legacy-coro run)")
    parser.add_argument("-W", dest="warnings", action="append", default=[], metavar="ARG",
                        help="pass -W ARG to the interpreter, e.g. -W error")
    parser.add_argument("--normalize", action="append", default=[], metavar="RE=REPL",
                        help="an extra rule, after the default ones (repeatable)")
    parser.add_argument("--skip-rule", action="append", default=[], metavar="NAME",
                        choices=RULE_NAMES, help="do not apply this default rule (repeatable)")
    parser.add_argument("--no-normalize", action="store_true",
                        help="apply no default rule")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--diff", action="store_true",
                       help="a unified diff instead of two columns")
    shown.add_argument("--json", action="store_true", help="the results as JSON")
    parser.add_argument("--width", type=int, default=None, metavar="N",
                        help=f"width of the two columns, {WIDTH_RANGE[0]} to {WIDTH_RANGE[1]} "
                             "(default: the terminal's)")
    for flag, shown_help in (("--color", "auto (a terminal without NO_COLOR), always or never"),
                             ("--colour", argparse.SUPPRESS)):
        parser.add_argument(flag, dest="color", choices=("auto", "always", "never"),
                            default="auto", metavar="WHEN", help=shown_help)
    parser.add_argument("-j", "--jobs", type=int, default=min(8, os.cpu_count() or 1),
                        metavar="N", help="pairs at once, 0: one per CPU (default: the CPUs, at "
                                          "most 8)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="kill a script after this long (default: %(default)g)")


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
    low, high = WIDTH_RANGE
    if args.width is not None and not low <= args.width <= high:
        return usage(f"--width {args.width}: give {low} to {high} columns")
    if args.color == "auto":
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    else:
        colour = args.color == "always"
    width = args.width or min(shutil.get_terminal_size((100, 24)).columns, high)
    options = Options(
        paths=args.paths,
        pythons=args.python,
        jobs=args.jobs,
        timeout=args.timeout,
        python_args=[arg for value in args.warnings for arg in ("-W", value)],
        user_rules=rules,
        normalize_defaults=not args.no_normalize,
        skip_rules=tuple(args.skip_rule),
        diff=args.diff,
        json=args.json,
        colour=colour,
        width=max(width, 40),
        python_a=args.python_a,
        python_b=args.python_b,
        compat_a=args.compat_a,
    )
    return run_compare(options)
