"""The ``legacy-coro`` command line: parses arguments and hands over.

Each command lives in its own ``legacy_coro._cmd_<name>`` module exposing
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.  The
modules are imported only when their command runs, so ``legacy-coro compare``
never imports LibCST.
"""

import argparse
import importlib
import os
import sys
from typing import Dict, Optional, Sequence

from legacy_coro import __version__

#: command name -> module implementing it
COMMANDS: Dict[str, str] = {
    "run": "legacy_coro._cmd_run",
    "compare": "legacy_coro._cmd_compare",
    "port": "legacy_coro._cmd_port",
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legacy-coro",
        description="Run, compare and port generator-based asyncio code.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``legacy-coro`` command line and return its exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args._run(args)
        sys.stdout.flush()
    except KeyboardInterrupt:  # compare and port --verify handle SIGINT themselves
        print(f"legacy-coro {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `legacy-coro compare --json | head`: the reader has gone
        # what the Python documentation advises: no more writes to the closed pipe,
        # including the flush at exit (see "Note on SIGPIPE" in the signal module)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
