"""The ``legacy-coro`` command line: parses arguments and hands over.

Each command lives in its own ``legacy_coro._cmd_<name>`` module exposing
``HELP`` (one line), ``DESCRIPTION``, ``add_arguments(parser)`` and
``run(args) -> int``, and optionally ``USAGE`` and ``EPILOG``.  The modules are
imported only when their command runs, so ``legacy-coro compare`` never
imports LibCST.

Help text is wrapped to the terminal: a paragraph that starts at the margin is
filled, an indented line (an example command, a list entry) is kept as it is.
"""

import argparse
import importlib
import os
import sys
import textwrap
from typing import Dict, List, Optional, Sequence, Tuple

from legacy_coro import __version__

#: command name -> module implementing it
COMMANDS: Dict[str, str] = {
    "run": "legacy_coro._cmd_run",
    "compare": "legacy_coro._cmd_compare",
    "port": "legacy_coro._cmd_port",
}

#: where the full documentation of each command lives (docs/reference/cli.md in the source)
DOCS = "the documentation's command reference (docs/reference/cli.md in the source)"


class HelpFormatter(argparse.HelpFormatter):
    """Wrap description paragraphs to the terminal; keep indented lines as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(fill_paragraphs(text, width, indent))


def fill_paragraphs(text: str, width: int, indent: str = "") -> List[str]:
    """Return ``text`` as lines: unindented runs of lines filled to ``width``, the rest kept."""
    out: List[str] = []
    paragraph: List[str] = []

    def flush() -> None:
        if paragraph:
            out.extend(textwrap.wrap(" ".join(paragraph), width, initial_indent=indent,
                                     subsequent_indent=indent, break_on_hyphens=False,
                                     break_long_words=False))
            paragraph.clear()

    for line in textwrap.dedent(text).splitlines():
        if line and not line[0].isspace():
            paragraph.append(line.strip())
            continue
        flush()
        out.append(indent + line if line.strip() else "")
    flush()
    return out


def terminal_width() -> int:
    """The width help text is wrapped to: the terminal's (argparse's rule), 40 at the least."""
    import shutil

    return max(40, shutil.get_terminal_size().columns - 2)


def build_parsers() -> Tuple[argparse.ArgumentParser, Dict[str, argparse.ArgumentParser]]:
    """Return the ``legacy-coro`` parser and each command's own parser."""
    parser = argparse.ArgumentParser(
        prog="legacy-coro",
        description="Run, compare and port generator-based asyncio code "
                    "(@asyncio.coroutine and yield from).",
        epilog="Run `legacy-coro COMMAND --help` for a command's options; every option is "
               f"described in {DOCS}.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands: Dict[str, argparse.ArgumentParser] = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=HelpFormatter,
        )
        module.add_arguments(command)
        usage = getattr(module, "USAGE", None)
        if usage is not None:
            command.usage = usage() if callable(usage) else usage
        command.set_defaults(_run=module.run)
        commands[name] = command
    return parser, commands


def _build_parser() -> argparse.ArgumentParser:
    """Return the ``legacy-coro`` parser (the commands' parsers inside it)."""
    return build_parsers()[0]


def parse(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line; on an error, print the usage of the parser concerned and exit 2.

    An unknown option after the command is that command's error, shown with its
    usage; before the command, or with no command, it is the top level's.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = build_parsers()
    args, unknown = parser.parse_known_args(argv)
    if args.command is None:
        if unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        parser.error(f"give a command: {', '.join(COMMANDS)} (legacy-coro --help lists them)")
    if unknown:
        at = argv.index(args.command)
        early = [arg for arg in unknown if arg in argv[:at]]
        if early:
            parser.error(f"unrecognized arguments: {' '.join(early)}")
        commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``legacy-coro`` command line and return its exit code."""
    args = parse(argv)
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


def wrap_usage(prog: str, parts: Sequence[str]) -> str:
    """Return a usage string (without ``usage: ``) of ``parts``, wrapped to the terminal.

    The continuation lines are indented under the first part, as argparse does.
    """
    width = terminal_width()
    lead = len("usage: ") + len(prog) + 1
    lines: List[str] = []
    current = prog
    for part in parts:
        if len(current) + 1 + len(part) + len("usage: ") > width and current.strip():
            lines.append(current)
            current = " " * lead + part
        else:
            current = f"{current} {part}"
    lines.append(current)
    return "\n".join(lines)


def group_alternatives(flags: Sequence[str]) -> List[str]:
    """Return ``[a | b | c]`` as parts that :func:`wrap_usage` may break after each ``|``."""
    parts = [f"{flag} |" for flag in flags[:-1]] + [flags[-1]]
    parts[0] = "[" + parts[0]
    parts[-1] += "]"
    return parts

