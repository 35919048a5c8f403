"""Porting each examples_legacy/NAME.py gives examples_native/NAME.py, byte for byte."""

import sys
from pathlib import Path
from typing import List

import pytest

pytest.importorskip("libcst")

from legacy_coro._main import main  # noqa: E402
from legacy_coro.port._pipeline import port_source  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LEGACY, NATIVE = ROOT / "examples_legacy", ROOT / "examples_native"


def pairs() -> List[str]:
    """Names of the top-level example pairs (subdirectories are something else)."""
    return sorted(p.name for p in LEGACY.glob("*.py") if (NATIVE / p.name).is_file())


def test_there_are_pairs() -> None:
    assert pairs()


@pytest.mark.parametrize("name", pairs())
def test_ports_byte_exactly(name: str) -> None:
    ported = port_source((LEGACY / name).read_bytes(), name)
    assert ported.source == (NATIVE / name).read_bytes()
    assert ported.sites == ()


@pytest.mark.parametrize("name", pairs())
def test_native_is_left_alone(name: str) -> None:
    source = (NATIVE / name).read_bytes()
    assert port_source(source, name).source == source


def test_check_over_the_native_directory_finds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", "--check", str(NATIVE)]) == 0
    assert capsys.readouterr().err.endswith(
        "0 files would be changed, 0 functions converted, 0 sites left with reasons\n")


@pytest.mark.skipif(sys.platform == "win32", reason="runs scripts as subprocesses")
def test_verify_runs_original_and_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "coroutine_chain.py"
    script.write_bytes((LEGACY / "coroutine_chain.py").read_bytes())
    assert main(["port", "--verify", str(script)]) == 1  # changed, and verified
    err = capsys.readouterr().err
    assert f"{script}: verify: same transcript, the original under legacy-coro run and the " \
        "port on Python" in err
    assert script.read_bytes() == (NATIVE / "coroutine_chain.py").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["coroutine_chain.py"]


@pytest.mark.parametrize("name", pairs())
def test_libcst_codemod_runner_agrees(name: str) -> None:
    """LibCST's runner with legacy_coro.codemod.PortToAsync gives the same files."""
    from libcst.codemod import CodemodContext, TransformSuccess, transform_module

    from legacy_coro.codemod import PortToAsync

    result = transform_module(PortToAsync(CodemodContext()),
                              (LEGACY / name).read_text(encoding="utf-8"))
    assert isinstance(result, TransformSuccess)
    assert result.code == (NATIVE / name).read_text(encoding="utf-8")
