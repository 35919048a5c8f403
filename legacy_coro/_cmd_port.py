"""``legacy-coro port``: the argument parser; the work is in :mod:`legacy_coro.port`."""

import argparse
import importlib.util
import shlex
import sys

from legacy_coro.port._options import DEFAULT_TARGET, NEWEST, TARGETS
from legacy_coro.port._reasons import describe_reasons

HELP = "rewrite generator coroutines (@coroutine + yield from) into async def / await"

DESCRIPTION = f"""\
Rewrite generator-based coroutines into async/await, keeping comments and
formatting (LibCST: `pip install libcst`, or the checkout with its `port` extra,
`pip install '/path/to/checkout[port]'`).

  legacy-coro port PATH...           rewrite files in place (directories: every *.py)
  legacy-coro port --diff PATH...    print a unified diff, write nothing
  legacy-coro port --check PATH...   write nothing, exit 1 if a file would change
  legacy-coro port - < in.py         read stdin, write the ported code to stdout
  legacy-coro port --verify PATH...  run each changed script before and after, as
                                     `legacy-coro compare` does; write it only if
                                     both print the same

It converts: functions decorated with asyncio's or legacy_coro's coroutine
decorator (however imported) into `async def`, dropping the decorator and the
imports left unused, and undecorated generators used only as coroutines (every
use a `yield from` inside a coroutine, or a task) with them; inside them `yield
from X` into `await X` where X is awaitable after the port, a bare `yield` into
`await asyncio.sleep(0)`, `with (yield from lock):` into `async with lock:`,
`asyncio.wait(fs)` into `asyncio.wait({{asyncio.ensure_future(f) for f in
set(fs)}})` (what wait() did with fs before 3.11; a literal `[a(), b()]` becomes
the set `{{a(), b()}}`, which makes the tasks in the same order); `loop=NAME`
arguments of the functions that lost them in 3.10; `asyncio.async(...)` into
`asyncio.ensure_future(...)`.  Names are resolved through imports and scopes,
across the files of one run.  A line it makes longer than the file's own limit
(the smallest of 79, 88, 99, 100, 119 and 120 that no line of the file
exceeds) is broken inside its brackets as the file breaks lines (aligned with
the bracket, or a hanging indent), and a continuation line aligned with a
bracket it moved moves with it; files indented with tabs are left so.  A
decorated function that never yields and may return an awaitable (3.10 awaited
it) converts too, returning such a value through a small helper class the port
adds to its module, which awaits it as 3.10 did (LC018; --no-result-helper
keeps it on legacy_coro instead, LC001).
A branch of `if sys.version_info ...` that never runs on the target
(--pyXY-plus) is left exactly as it is.  Sites whose meaning could change are
left alone and reported as `FILE:LINE: CODE message`:
{describe_reasons()}
Diagnostics go to stderr; stdout carries only the diff, the ported stdin or the
JSON report.  A file is written only if the result parses and compiles.

--verify runs the original under the compat layer (as `legacy-coro run` does)
and the port plainly, both on the running Python; --python-a X runs the
original on X instead, as it is (3.6 and 3.7 work: old code runs there
natively; add --compat-a to run it under the layer there); --no-compat-a runs it
plainly on the running Python.  When the original itself fails, it says so,
with its error, and the port is not written.  Ctrl-C (SIGINT) or SIGTERM stops
at once: the running scripts are killed, nothing more is verified or written.

exit status: 0 nothing to change; 1 files changed (or would change), an error
site (LC004) found, or --verify saw a difference; 2 a file could not be read or
parsed, --verify could not run the original, usage error, or LibCST missing;
3 internal error (file left untouched); 130 / 143 interrupted (SIGINT / SIGTERM)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``port`` options."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to port ('-' for stdin)")
    group = parser.add_mutually_exclusive_group()
    for version in TARGETS:
        flag = "--py{}{}-plus".format(*version)
        label = "{}.{}".format(*version)
        default = (" (the default: every CPython still maintained, up to {}.{})"
                   .format(*NEWEST)) \
            if version == DEFAULT_TARGET else ""
        extra = {
            (3, 10): "; also drops loop= outside coroutines (LC016).  --py39-plus, "
                     "--py311-plus ... --py315-plus are accepted too, as in pyupgrade",
            (3, 6): "; functions kept as generator coroutines keep @asyncio.coroutine "
                    "(legacy_coro needs 3.8; 3.11 removed it).  --py37-plus too",
        }.get(version, "")
        group.add_argument(flag, dest="target", action="store_const", const=version,
                           help=f"the output must run on Python {label} and later{default}"
                                f"{extra}" if version in (DEFAULT_TARGET, (3, 10), (3, 6))
                           else argparse.SUPPRESS)
    parser.set_defaults(target=DEFAULT_TARGET)
    parser.add_argument("--no-result-helper", dest="result_helper", action="store_false",
                        help="keep a decorated function that never yields and may return an "
                             "awaitable on legacy_coro.coroutine (LC001) instead of converting "
                             "it with the _LegacyCoroResult helper the port adds to its module "
                             "(LC018)")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff of the changes; write nothing")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file would change")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="files to port at once, in worker processes (0: one per CPU; "
                             "default: %(default)s)")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON on stdout instead of text on stderr")
    parser.add_argument("--verify", action="store_true",
                        help="run each changed script before and after porting (as `legacy-coro "
                             "compare --compat-a` does) and write it only if the transcripts "
                             "match")
    parser.add_argument("--python-a", metavar="X",
                        help="--verify: run the original on this interpreter (a path, a command "
                             "or a version like 3.6), without the compat layer unless "
                             "--compat-a")
    parser.add_argument("--python-b", metavar="X",
                        help="--verify: run the port on this interpreter (default: the running "
                             "one)")
    compat = parser.add_mutually_exclusive_group()
    compat.add_argument("--compat-a", dest="compat_a", action="store_true", default=None,
                        help="--verify: run the original under legacy-coro run (the default "
                             "without --python-a)")
    compat.add_argument("--no-compat-a", dest="compat_a", action="store_false",
                        help="--verify: run the original plainly")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="--verify: kill a script after this long (default: %(default)g)")
    parser.add_argument("--list-reasons", action="store_true",
                        help="list the reason codes and exit")


def run(args: argparse.Namespace) -> int:
    """Port the files named on the command line."""
    if args.list_reasons:
        sys.stdout.write(describe_reasons(indent=""))
        return 0
    if not args.paths:
        sys.stderr.write("legacy-coro port: error: give at least one PATH (or '-' for stdin)\n")
        return 2
    if args.json and args.diff:
        sys.stderr.write("legacy-coro port: error: --json and --diff both write to stdout; "
                         "choose one\n")
        return 2
    from legacy_coro._cmd_compare import check_numbers

    problem = check_numbers(args.jobs, args.timeout)
    if not problem and args.verify and "-" in args.paths:
        problem = ("--verify runs each file as a script, so it cannot verify stdin ('-'); "
                   "port a file instead")
    if not problem and not args.verify:
        given = [option for option, value in (("--python-a", args.python_a),
                                              ("--python-b", args.python_b),
                                              ("--compat-a/--no-compat-a", args.compat_a))
                 if value is not None]
        if given:
            problem = f"{given[0]} only applies with --verify"
    if problem:
        sys.stderr.write(f"legacy-coro port: error: {problem}\n")
        return 2
    # find_spec, not an import: with --jobs the workers import LibCST, and the
    # main process need not spend a quarter second doing it first.
    if importlib.util.find_spec("libcst") is None:
        # legacy_coro is not on the public index: name the package that is
        sys.stderr.write(f"legacy-coro port needs LibCST: {shlex.quote(sys.executable)} -m pip "
                         "install libcst\n")
        return 2
    from legacy_coro.port._options import Options
    from legacy_coro.port._paths import port_paths

    return port_paths(Options(args.paths, args.diff, args.check, args.jobs, args.json,
                              args.verify, args.timeout, args.python_a, args.python_b,
                              args.compat_a, args.target, args.result_helper))
