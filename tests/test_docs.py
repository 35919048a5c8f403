"""The documentation says what the code does: its transcripts run, its examples port.

- Every console transcript in README.md, CONTRIBUTING.md and docs/ that shows
  output runs here, and must print what it shows.  A transcript is marked by
  an HTML comment on the line before its fence:

      <!-- file: SCENARIO PATH -->   the next code block is the file PATH
      <!-- run: SCENARIO [py>=3.12] [py<3.14] [needs=3.6] -->   run the block below

  Files and runs of one SCENARIO share a temporary directory, in the order of
  the document.  ``$ `` lines are commands (run by bash, with ``legacy-coro``
  and ``python3.X`` meaning this interpreter), the lines after them their
  output (stdout and stderr as a terminal shows them).  In the expected output
  ``...`` stands for any text within a line; this directory and the
  interpreter's path are printed as ``...``; durations (``0.12/0.10``,
  ``0.21s``) and runs of spaces compare equal whatever they are.  A block
  that shows output and cannot run here says why: ``<!-- not-run: REASON -->``.

  ``LEGACY_CORO_DOCS_UPDATE=1 pytest -n 0 tests/test_docs.py`` writes what the
  commands print into the blocks that differ (then read the diff).
- Every reason code of ``legacy-coro port`` has an example in
  docs/reference/lc-examples.yaml, and porting its ``before`` through the
  command line gives its ``after`` and reports that code.
- No page names a machine path; the README stays short; its relative links
  resolve.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest

from legacy_coro._main import main
from legacy_coro.port._reasons import ERROR_CODES, REASONS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "reference" / "lc-examples.yaml"
UPDATE = bool(os.environ.get("LEGACY_CORO_DOCS_UPDATE"))
VERSION = sys.version_info[:2]

if not (DOCS / "index.md").exists():  # an installed-package run, without the checkout
    pytest.skip("docs/ is not next to the tests", allow_module_level=True)

with warnings.catch_warnings():  # as pytest.importorskip does (3.8: a deprecated name)
    warnings.simplefilter("ignore")
    try:
        import libcst  # noqa: F401
        HAVE_LIBCST = True
    except ImportError:  # PyPy: the port extra is not installed
        HAVE_LIBCST = False


def markdown_files() -> List[Path]:
    """The Markdown a user reads: the top-level files and the documentation's pages."""
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
    pages += sorted(p for p in DOCS.rglob("*.md")
                    if not {"_build", "_generated"} & set(p.relative_to(DOCS).parts))
    return [p for p in pages if p.exists()]


# ------------------------------------------------------------- the blocks

class Block(NamedTuple):
    """A fenced block with the marker comment before it."""

    path: Path
    marker: str  #: "file", "run", "not-run" or "" (no marker)
    args: Tuple[str, ...]  #: the marker's words
    info: str  #: the fence's info string (console, python...)
    start: int  #: index of the first line inside the fence
    lines: Tuple[str, ...]  #: the lines inside the fence


_MARKER = re.compile(r"^<!-- (file|run|not-run):? ?(.*?) -->$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


def blocks(path: Path) -> Iterator[Block]:
    """Yield every fenced block of ``path``, with the marker on the line before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, ticks, info = fence.groups()
        end = i + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        marker = _MARKER.match(lines[i - 1].strip()) if i else None
        kind, words = (marker.group(1), tuple(marker.group(2).split())) if marker else ("", ())
        body = tuple(line[len(indent):] if line.startswith(indent) else line.lstrip()
                     for line in lines[i + 1:end])
        yield Block(path, kind, words, info.strip(), i + 1, body)
        i = end + 1


def _has_output(block: Block) -> bool:
    return any(line.strip() and not line.startswith("$ ") for line in block.lines)


def scenarios() -> List[Tuple[Path, str]]:
    found: List[Tuple[Path, str]] = []
    for path in markdown_files():
        for block in blocks(path):
            if block.marker == "run" and (path, block.args[0]) not in found:
                found.append((path, block.args[0]))
    return found


def _id(item: Tuple[Path, str]) -> str:
    return f"{item[0].relative_to(ROOT)}:{item[1]}"


# ------------------------------------------------------------ running them

def _requirements_met(block: Block) -> Optional[str]:
    """Return why the block cannot run here, or None."""
    for word in block.args[1:]:
        if word.startswith("needs="):  # another interpreter, e.g. needs=3.6 for --python-a 3.6
            from legacy_coro._compare import resolve_python

            try:
                resolve_python(word[len("needs="):])
            except LookupError:
                return f"no Python {word[len('needs='):]} here"
            continue
        match = re.fullmatch(r"py(>=|==|<)3\.(\d+)", word)
        if not match:
            raise ValueError(f"{block.path.name}:{block.start}: unknown condition {word!r}")
        wanted = (3, int(match.group(2)))
        op = match.group(1)
        ok = {">=": VERSION >= wanted, "==": VERSION == wanted, "<": VERSION < wanted}[op]
        if not ok:
            return f"shown for Python {op}{wanted[0]}.{wanted[1]}"
    if not HAVE_LIBCST and any("legacy-coro port" in line for line in block.lines):
        return "legacy-coro port needs LibCST"
    return None


def _bin(directory: Path) -> Path:
    """A directory of stand-ins: legacy-coro and python3.X run this interpreter."""
    directory.mkdir()
    names = {"legacy-coro": f'exec "{sys.executable}" -m legacy_coro "$@"'}
    for name in ("python", "python3", "python{}.{}".format(*VERSION)):
        names[name] = f'exec "{sys.executable}" "$@"'
    for name, body in names.items():
        script = directory / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    return directory


_SEPARATOR = "@@@ legacy-coro docs: next command @@@"


def _run_block(block: Block, cwd: Path, bindir: Path) -> List[List[str]]:
    """Run the block's commands in one bash; return each command's output lines."""
    commands = [line[2:] for line in block.lines if line.startswith("$ ")]
    script = []
    for command in commands:
        script += [command, "__status=$?", f"printf '%s\\n' '{_SEPARATOR}'", "(exit $__status)"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LEGACY_CORO_", "PYTEST_", "COV_")) and k != "PYTHONPATH"}
    env.update(PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}", COLUMNS="80", NO_COLOR="1",
               TERM="dumb", PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=str(cwd), env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    outputs = done.stdout.split(_SEPARATOR + "\n")
    assert len(outputs) == len(commands) + 1, done.stdout
    return [output.splitlines() for output in outputs[:-1]]


def _expected(block: Block) -> List[List[str]]:
    """The output lines the block shows after each command."""
    out: List[List[str]] = []
    for line in block.lines:
        if line.startswith("$ "):
            out.append([])
        elif out:
            out[-1].append(line)
    return out


def _shown(lines: List[str], cwd: Path) -> List[str]:
    """Actual output as the docs show it: this directory and this interpreter as ``...``."""
    places = sorted({str(cwd), os.path.realpath(str(cwd)), sys.executable,
                     os.path.realpath(sys.executable)}, key=len, reverse=True)
    shown = []
    for line in lines:
        for place in places:
            line = line.replace(place, "...")
        shown.append(_INTERPRETER.sub("...", line).rstrip())
    return shown


#: an interpreter found elsewhere (--python-a 3.6: pyenv's), printed as its absolute path
_INTERPRETER = re.compile(r"(?<![\w.])/[^\s()'\"]*/python[\d.]*(?![\w/])")


_PAIR = re.compile(r"\b\d+\.\d\d(s?)/\d+\.\d\d\1(?!\d)")
_SECONDS = re.compile(r"\b\d+\.\d{2,3}s\b")


def _canonical(line: str) -> str:
    """A line with its durations as N.NN and its runs of spaces as one."""
    line = _PAIR.sub(lambda m: "N.NN{0}/N.NN{0}".format(m.group(1)), line)
    return " ".join(_SECONDS.sub("N.NNs", line).split())


def _matches(expected: List[str], actual: List[str]) -> bool:
    if len(expected) != len(actual):
        return False
    for want, got in zip(expected, actual):
        pattern = ".*?".join(re.escape(part) for part in _canonical(want).split("..."))
        if not re.fullmatch(pattern, _canonical(got)):
            return False
    return True


def _update(block: Block, outputs: List[List[str]]) -> None:
    """Write ``outputs`` into the block's source (LEGACY_CORO_DOCS_UPDATE=1)."""
    lines = block.path.read_text(encoding="utf-8").splitlines()
    old_len = len(block.lines)
    indent = re.match(r"\s*", lines[block.start - 1]).group(0)  # type: ignore[union-attr]
    commands = [line for line in block.lines if line.startswith("$ ")]
    new = [f"{indent}{line}".rstrip() for command, output in zip(commands, outputs)
           for line in [command, *output]]
    # the block may have moved if an earlier block of the file was updated: find it again
    at = block.start
    while lines[at:at + old_len] != [f"{indent}{line}".rstrip() for line in block.lines]:
        at += 1
        assert at < len(lines), "block not found again"
    lines[at:at + old_len] = new
    block.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("scenario", scenarios(), ids=_id)
def test_console_transcript(scenario: Tuple[Path, str], tmp_path: Path) -> None:
    path, name = scenario
    bindir = _bin(tmp_path / "bin")
    cwd = tmp_path / "work"
    cwd.mkdir()
    ran = 0
    skipped: List[str] = []
    for block in blocks(path):
        if not block.args or block.args[0] != name:
            continue
        if block.marker == "file":
            target = cwd / block.args[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
            continue
        if block.marker != "run":
            continue
        why = _requirements_met(block)
        if why:
            skipped.append(f"line {block.start}: {why}")
            continue
        actual = [_shown(lines, cwd) for lines in _run_block(block, cwd, bindir)]
        expected = _expected(block)
        ran += 1
        if all(_matches(want, got) for want, got in zip(expected, actual)):
            continue
        if UPDATE:
            _update(block, actual)
            continue
        commands = [line for line in block.lines if line.startswith("$ ")]
        shown = "\n".join(f"{c}\n" + "\n".join(o) for c, o in zip(commands, actual))
        pytest.fail(f"{path.name}, the block at line {block.start} prints:\n{shown}")
    if not ran:
        pytest.skip("; ".join(skipped))


def test_every_transcript_with_output_runs_or_says_why() -> None:
    unchecked = [f"{block.path.relative_to(ROOT)}:{block.start}"
                 for path in markdown_files() for block in blocks(path)
                 if block.info == "console" and _has_output(block)
                 and block.marker not in ("run", "not-run")]
    assert unchecked == []


def test_markers_name_a_scenario() -> None:
    bad = [f"{block.path.relative_to(ROOT)}:{block.start}"
           for path in markdown_files() for block in blocks(path)
           if (block.marker == "file" and len(block.args) != 2)
           or (block.marker == "run" and not block.args)
           or (block.marker == "not-run" and not block.args)]
    assert bad == []


# ------------------------------------------------- the reason codes' examples

def _examples() -> Dict[str, Dict[str, object]]:
    yaml = pytest.importorskip("yaml")
    with open(EXAMPLES, encoding="utf-8") as stream:
        data: Dict[str, Dict[str, object]] = yaml.safe_load(stream)
    for entry in data.values():
        if entry.get("after") == "same":
            entry["after"] = entry["before"]
    return data


def test_every_reason_code_has_an_example() -> None:
    examples = _examples()
    assert [code for code in REASONS if code not in examples] == []
    assert [code for code in examples if code not in REASONS] == []
    for code, entry in examples.items():
        assert set(entry) <= {"before", "after", "args", "also", "note"}, code


@pytest.mark.skipif(not HAVE_LIBCST, reason="legacy-coro port needs LibCST")
@pytest.mark.parametrize("code", list(REASONS))
def test_reason_example_ports_as_shown(code: str, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    entry = _examples().get(code)
    if entry is None:
        pytest.fail(f"{code} has no example in {EXAMPLES.name}")
    before, after = str(entry["before"]), str(entry["after"])
    args = [str(arg) for arg in entry.get("args", [])]  # type: ignore[attr-defined]
    stdin = io.TextIOWrapper(io.BytesIO(before.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    status = main(["port", *args, "-"])
    out, err = capsys.readouterr()
    assert out == after, err
    reported = re.findall(r"^[^\n]*?:\d+: (LC\d{3}) ", err, re.MULTILINE)
    expected = {code, *entry.get("also", [])}  # type: ignore[misc]
    assert set(reported) == expected, err
    changed = after != before
    assert status == (1 if changed or set(reported) & set(ERROR_CODES) else 0), err


# ------------------------------------------------------------- the pages

MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|tmp|home|Users|opt)/")


def test_no_machine_path_in_any_page() -> None:
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in markdown_files()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if MACHINE_PATH.search(line)]
    assert found == []


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    first_screen = "\n".join(readme.splitlines()[:60])
    assert "$ python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[port]'" in (
        first_screen)
    assert "$ legacy-coro compare" in first_screen
    assert "$ pip install tox && tox" in first_screen


def test_relative_links_resolve() -> None:
    """Sphinx checks the pages' links; this checks the top-level files'."""
    broken = []
    for path in (ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"):
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#")[0]).exists():
                broken.append(f"{path.name}: {target}")
    assert broken == []


def test_tox_builds_the_docs() -> None:
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    envlist = re.search(r"^envlist = (.*)$", tox, re.MULTILINE).group(1)  # type: ignore
    assert "docs" in [env.strip() for env in envlist.split(",")]
    section = tox.split("[testenv:docs]", 1)[1].split("\n[", 1)[0]
    assert "-W" in section and "-n" in section


@pytest.mark.skipif(shutil.which("bash") is None, reason="transcripts are bash sessions")
def test_the_transcript_runner_catches_a_wrong_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- run: s -->\n```console\n$ echo 'a  0.12/0.30'; echo b\n"
                    "a 9.99/1.00\nc\n```\n")
    (block,) = list(blocks(page))
    actual = [_shown(lines, tmp_path) for lines in _run_block(block, tmp_path,
                                                              _bin(tmp_path / "bin"))]
    assert actual == [["a  0.12/0.30", "b"]]
    assert not _matches(_expected(block)[0], actual[0])
    assert _matches(["a 9.99/1.00", "..."], actual[0])
