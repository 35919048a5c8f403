"""What the port's tests share: porting a text or a run, and the codes of the sites left.

One helper each, for every port test module: a new fix needs one test table
that calls :func:`port` (or :func:`port_run` for several files).
"""

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

from legacy_coro.port._options import DEFAULT_TARGET
from legacy_coro.port._pipeline import RunOptions, port_files, port_source

__all__ = ["NAMED", "codes", "d", "port", "port_run", "prints_as_on_36"]

#: codes whose detail (the callee, the call) the tables check: "LC015:helper"
NAMED = ("LC003", "LC004", "LC015", "LC016")


def d(text: str) -> str:
    return textwrap.dedent(text)


def codes(sites: Iterable[Sequence[object]], notes: Iterable[Tuple[int, str]] = ()) -> List[str]:
    """The sites as "CODE" or "CODE:detail", then "helper:NAME" for each helper converted."""
    found = [f"{code}:{detail}" if code in NAMED else str(code) for _, code, detail in sites]
    return found + [f"helper:{name}" for _, name in notes]


def port(src: str, target: Tuple[int, int] = DEFAULT_TARGET,
         result_helper: bool = True) -> Tuple[str, List[str]]:
    """Port one module on its own; return the new text and the codes of the sites left."""
    result = port_source(d(src).encode(), "t.py", target=target, result_helper=result_helper)
    return result.source.decode(), codes(result.sites, result.notes)


def port_run(tmp_path: Path, files: Dict[str, str], target: Tuple[int, int] = DEFAULT_TARGET,
             result_helper: bool = True) -> Dict[str, Tuple[str, List[str]]]:
    """Port several files in one run; per file (relative path) the new text and its codes."""
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(d(text))
        paths.append(str(path))
    outcomes = port_files(sorted(paths), RunOptions(target=target, result_helper=result_helper))
    result = {}
    for outcome in outcomes:
        assert outcome.error is None, outcome.error
        name = Path(outcome.path).relative_to(tmp_path).as_posix()
        text = outcome.new.decode() if outcome.new else Path(outcome.path).read_text()
        result[name] = (text, codes(outcome.sites, outcome.notes))
    return result



def prints_as_on_36(tmp_path: Path, program: str, name: str = "program.py") -> Tuple[str, str]:
    """Run *program* on Python 3.6 as it is, then ported here; assert both print the same.

    Returns (what 3.6 printed, the port).  Skips where no 3.6 is installed.  The
    port runs with warnings as errors and must print nothing on stderr.
    """
    import pytest

    from legacy_coro._compare import resolve_python

    try:
        python36 = resolve_python("3.6").executable
    except LookupError:
        pytest.skip("no Python 3.6 here (pyenv install 3.6)")
    script = tmp_path / name
    script.write_text(program)
    old = subprocess.run([python36, str(script)], capture_output=True, text=True, timeout=60)
    assert old.returncode == 0, old.stderr
    ported, _ = port(program)
    script.write_text(ported)
    new = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True,
                         text=True, timeout=60)
    assert (new.returncode, new.stdout, new.stderr) == (0, old.stdout, "")
    return old.stdout, ported
