"""Generate the reference pages' Markdown from the code, before Sphinx reads them.

What can be generated is generated, so that it cannot drift from the code:

- ``_generated/cli-*.md``: each command's usage, description, options and
  exit status, from the argparse parsers of ``legacy_coro._main``;
- ``_generated/reasons.md``: every reason code of ``legacy_coro.port._reasons.REASONS``
  with its before/after example from ``reference/lc-examples.yaml`` (a code
  without an example stops the build);
- ``_generated/versions.md``: the version table, ``legacy_coro._versions.render_table()``;
- ``_generated/restore.md``: the opt-in changes of ``legacy_coro._versions.CHANGES``;
- ``_generated/rules.md``: the normalisation rules of ``legacy_coro._normalize.RULES``.

The pages include these files (``{include}``).  The directory is rebuilt on
every build and ignored by git.  ``python docs/_ext/lcdocs.py`` writes them
without Sphinx.
"""

import argparse
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import yaml

DOCS = Path(__file__).resolve().parent.parent
OUT = DOCS / "_generated"
EXAMPLES = DOCS / "reference" / "lc-examples.yaml"

#: the terminal width the usage lines are rendered at (what an 80-column terminal shows)
COLUMNS = "80"

_CODE_SPAN = re.compile(r"(`[^`]*`)")
_SPECIAL = re.compile(r"([\\*_\[\]<>|])")


def escape(text: str) -> str:
    """Escape Markdown outside code spans, so prose from the code reads as written."""
    parts = _CODE_SPAN.split(text)
    return "".join(part if part.startswith("`") else _SPECIAL.sub(r"\\\1", part)
                   for part in parts)


def prose(text: Optional[str]) -> List[str]:
    """Return help text as Markdown: paragraphs as prose, indented lines as a text block."""
    if not text:
        return []
    out: List[str] = []
    paragraph: List[str] = []
    block: List[str] = []

    def flush() -> None:
        if paragraph:
            out.extend([escape(" ".join(paragraph)), ""])
            paragraph.clear()
        if block:
            out.extend(["```text", *block, "```", ""])
            block.clear()

    for line in text.splitlines():
        if line.strip() and line[0].isspace():
            if paragraph:
                flush()
            block.append(line[2:] if line.startswith("  ") else line)
        elif line.strip():
            if block:
                flush()
            paragraph.append(line.strip())
        else:
            flush()
    flush()
    return out


def _invocation(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = parser._get_formatter()
    if not action.option_strings:
        return str(action.metavar or action.dest)
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    metavar = formatter._format_args(action, action.dest.upper())  # type: ignore[attr-defined]
    return ", ".join(f"{option} {metavar}" for option in action.option_strings)


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = parser._get_formatter()
    return str(formatter._expand_help(action))  # type: ignore[attr-defined]


def command_reference(name: str, parser: argparse.ArgumentParser, level: str = "##") -> str:
    """Return the Markdown reference of one command's parser."""
    title = f"legacy-coro {name}" if name else "legacy-coro"
    lines = [f"(cli-{name or 'legacy-coro'})=", f"{level} `{title}`", ""]
    lines += ["```text", parser.format_usage().rstrip(), "```", ""]
    lines += prose(parser.description)
    for group in parser._action_groups:
        actions = [a for a in group._group_actions if not isinstance(a, argparse._SubParsersAction)]
        if not actions and not group.description:
            continue
        shown = [a for a in actions if a.help is not argparse.SUPPRESS]
        hidden = [a for a in actions if a.help is argparse.SUPPRESS and a.option_strings]
        title = {"positional arguments": "arguments", "optional arguments": "options"}.get(
            str(group.title), str(group.title))
        if not shown and not hidden and not group.description:
            continue
        lines += [f"**{escape(title[:1].upper() + title[1:])}**", ""]
        lines += prose(group.description)
        for action in shown:
            lines += [f"`{_invocation(parser, action)}`", f": {escape(_help(parser, action))}", ""]
        if hidden:
            what = "Accepted" if not shown else "Also accepted"
            lines += [f"{what}: " + ", ".join(f"`{_invocation(parser, a)}`" for a in hidden)
                      + ".", ""]
    lines += prose(parser.epilog)
    return "\n".join(lines).rstrip() + "\n"


def cli_pages() -> Dict[str, str]:
    """Return ``{file name: Markdown}``: the top level and one file per command."""
    from legacy_coro._main import build_parsers

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        parser, commands = build_parsers()
        pages = {"cli-legacy-coro.md": command_reference("", parser)}
        for name, command in commands.items():
            pages[f"cli-{name}.md"] = command_reference(name, command)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return pages


def load_examples(path: Path = EXAMPLES) -> Dict[str, Dict[str, Any]]:
    """Return the reason codes' examples, ``after: same`` resolved to the ``before`` text."""
    with open(path, encoding="utf-8") as stream:
        data: Dict[str, Dict[str, Any]] = yaml.safe_load(stream)
    for entry in data.values():
        if entry.get("after") == "same":
            entry["after"] = entry["before"]
    return data


def reasons_page() -> str:
    """Return every reason code with its example; raise if a code has none."""
    from legacy_coro.port._reasons import ERROR_CODES, REASONS

    examples = load_examples()
    missing = [code for code in REASONS if code not in examples]
    unknown = [code for code in examples if code not in REASONS]
    if missing or unknown:
        raise ValueError(f"{EXAMPLES.name}: no example for {missing}; not a reason code: "
                         f"{unknown}")
    lines: List[str] = []
    for code, text in REASONS.items():
        example = examples[code]
        severity = "error" if code in ERROR_CODES else "warning"
        if text.startswith(f"{severity}: "):
            text = text[len(severity) + 2:]
        lines += [f"({code.lower()})=", f"## {code}", "", f"*{severity}*: {escape(text)}", ""]
        if example.get("note"):
            lines += [escape(example["note"]), ""]
        command = " ".join(["legacy-coro port", *example.get("args", []), "-"])
        left = example["after"] == example["before"]
        lines += ["Before:", "", "```python", example["before"].rstrip(), "```", ""]
        if left:
            lines += [f"`{command}` leaves it as it is and reports {code}.", ""]
        else:
            lines += [f"After `{command}`:", "", "```python", example["after"].rstrip(), "```",
                      ""]
    return "\n".join(lines).rstrip() + "\n"


def restore_page() -> str:
    """Return the changes ``install()`` restores only when asked, as a table."""
    from legacy_coro._versions import CHANGES

    lines = ["| key | Python | what changed | what old code sees |", "| --- | --- | --- | --- |"]
    lines += [f"| `{c.key}` | {c.label} | {c.what} | {c.symptom} |" for c in CHANGES if c.opt_in]
    return "\n".join(lines) + "\n"


def rules_page() -> str:
    """Return the default normalisation rules of ``compare`` as a list."""
    from legacy_coro._normalize import RULES

    return "".join(f"- `{rule.name}`: {escape(rule.description)}\n" for rule in RULES)


def pages() -> Iterator[Sequence[str]]:
    """Yield ``(file name, Markdown)`` for every generated file."""
    from legacy_coro._versions import render_table

    yield from cli_pages().items()
    yield "reasons.md", reasons_page()
    yield "versions.md", render_table()
    yield "restore.md", restore_page()
    yield "rules.md", rules_page()


def generate(out: Path = OUT) -> List[Path]:
    """Write every generated file into ``out``; return their paths."""
    out.mkdir(exist_ok=True)
    written = []
    for name, text in pages():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep their mtime
        written.append(path)
    for stale in set(out.iterdir()) - set(written):
        stale.unlink()
    return written


def setup(app: Any) -> Dict[str, Any]:
    """Sphinx extension: generate the files before the sources are read."""
    app.connect("builder-inited", lambda app: generate())
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    for path in generate():
        print(path.relative_to(DOCS))
