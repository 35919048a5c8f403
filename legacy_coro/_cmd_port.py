"""``legacy-coro port``: the argument parser; the work is in :mod:`legacy_coro.port`."""

import argparse
import importlib.util
import os
import shlex
import sys
from typing import List

from legacy_coro.port._options import DEFAULT_TARGET, NEWEST, TARGETS

HELP = "rewrite generator coroutines (@coroutine + yield from) into async def / await"

def _flag(version: "tuple[int, int]") -> str:
    return "--py{}{}-plus".format(*version)


DESCRIPTION = """\
Rewrite generator coroutines into async def / await in place, keeping comments
and formatting; a directory means every *.py in it, - reads stdin and writes
stdout. What could change meaning is left alone and reported as FILE:LINE: CODE
message (--list-reasons). Needs LibCST."""

EPILOG = """\
exit status: 0 nothing to change; 1 a file changed (or would), an error site or
a --verify difference; 2 bad input or usage; 3 internal error; 130 / 143
interrupted. Every fix and reason code, with examples: the documentation."""


def USAGE() -> str:
    """The usage line: every accepted target, wrapped to the terminal."""
    from legacy_coro._main import group_alternatives, wrap_usage

    return wrap_usage("legacy-coro port", ["[options]",
                                           *group_alternatives([_flag(v) for v in TARGETS]),
                                           "PATH..."])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``port`` options."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help=argparse.SUPPRESS)
    targets = parser.add_argument_group(
        "target",
        f"{_flag(TARGETS[0])} ... {_flag(TARGETS[-1])}: the oldest Python the output must run "
        f"on, up to {NEWEST[0]}.{NEWEST[1]} (default: {_flag(DEFAULT_TARGET)}, the oldest "
        "CPython still maintained); lower targets keep loop= where it binds at once (LC016), "
        "below 3.8 @asyncio.coroutine.")
    group = targets.add_mutually_exclusive_group()
    for version in TARGETS:
        group.add_argument(_flag(version), dest="target", action="store_const", const=version,
                           help=argparse.SUPPRESS)
    parser.set_defaults(target=DEFAULT_TARGET)
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff; never writes")
    parser.add_argument("--check", action="store_true",
                        help="never writes; exit 1 if a file would change")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON; writes what its mode writes")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="files to port at once (0: one per CPU; default: %(default)s)")
    parser.add_argument("--no-result-helper", dest="result_helper", action="store_false",
                        help="keep functions that may return an awaitable on legacy_coro "
                             "(LC001), not through the helper (LC018)")
    parser.add_argument("--list-reasons", action="store_true",
                        help="list the reason codes and exit")
    verify = parser.add_argument_group("verify")
    verify.add_argument("--verify", action="store_true",
                        help="run the original (under the compat layer) and the port in "
                             "copies of the tree; write only what verified")
    verify.add_argument("--python-a", metavar="X",
                        help="run the original on X (a path, a command or a version such as "
                             "3.6), plainly unless --compat-a")
    verify.add_argument("--python-b", metavar="X", help="run the port on X")
    compat = verify.add_mutually_exclusive_group()
    compat.add_argument("--compat-a", dest="compat_a", action="store_true", default=None,
                        help="run the original under legacy-coro run (the default without "
                             "--python-a)")
    compat.add_argument("--no-compat-a", dest="compat_a", action="store_false",
                        help="run the original plainly")
    verify.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="kill a script or test run after this long (default: 60)")


def _missing(paths: List[str]) -> str:
    """Return the first path that does not exist, said as an error ("" when none)."""
    for path in paths:
        if path != "-" and not os.path.exists(path):
            return f"{path}: no such file or directory"
    return ""


def _no_python_files(paths: List[str]) -> str:
    """Say that directories given alone hold no ``.py`` file ("" when they do)."""
    from legacy_coro.port._paths import iter_python_files  # imports LibCST

    if not any(path == "-" or not os.path.isdir(path) for path in paths):
        if next(iter_python_files(paths), None) is None:
            where = paths[0] if len(paths) == 1 else "any of " + ", ".join(paths)
            return f"no Python files found in {where}; pass .py files or directories that hold some"
    return ""


def run(args: argparse.Namespace) -> int:
    """Port the files named on the command line."""
    from legacy_coro.port._reasons import describe_reasons

    if args.list_reasons:
        sys.stdout.write(describe_reasons(indent=""))
        return 0
    problem = ""
    if not args.paths:
        problem = "give at least one PATH (or '-' for stdin)"
    elif args.json and args.diff:
        problem = "--json and --diff both write to stdout; choose one"
    if not problem:
        from legacy_coro._cmd_compare import check_numbers

        problem = check_numbers(args.jobs, 60.0 if args.timeout is None else args.timeout)
    if not problem and args.verify and "-" in args.paths:
        problem = ("--verify runs each file as a script, so it cannot verify stdin ('-'); "
                   "port a file instead")
    if not problem and not args.verify:
        given = [option for option, value in (("--python-a", args.python_a),
                                              ("--python-b", args.python_b),
                                              ("--compat-a/--no-compat-a", args.compat_a),
                                              ("--timeout", args.timeout))
                 if value is not None]
        if given:
            problem = f"{given[0]} only applies with --verify"
    if problem:
        sys.stderr.write(f"legacy-coro port: error: {problem}\n")
        return 2
    problem = _missing(args.paths)
    if problem:
        sys.stderr.write(f"legacy-coro port: error: {problem}\n")
        return 2
    if importlib.util.find_spec("libcst") is None:
        # legacy_coro is not on the public index: name the package that is
        sys.stderr.write(f"legacy-coro port needs LibCST: {shlex.quote(sys.executable)} -m pip "
                         "install libcst\n")
        return 2
    problem = _no_python_files(args.paths)
    if problem:
        sys.stderr.write(f"legacy-coro port: error: {problem}\n")
        return 2
    from legacy_coro.port._options import Options
    from legacy_coro.port._paths import port_paths

    return port_paths(Options(args.paths, args.diff, args.check, args.jobs, args.json,
                              args.verify, 60.0 if args.timeout is None else args.timeout,
                              args.python_a, args.python_b, args.compat_a, args.target,
                              args.result_helper))
