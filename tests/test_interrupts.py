"""SIGINT and SIGTERM stop ``compare`` and ``port --verify`` at once, and leave no process.

Real signals to a real ``legacy-coro`` process whose scripts start children of
their own (a subprocess, a process pool, a child in a session of its own).
Every process of a run carries a marker in its environment, so that whatever is
left of the run is found in /proc however it was re-parented.  The bounds on
time are generous on purpose (loaded machines); what is asserted is that the
command ends on the signal, with its exit code and message, that no script
starts after it, and that nothing of the run is left.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds the run's processes in /proc")

ROOT = Path(__file__).resolve().parent.parent

#: A script that starts three kinds of children, then records its pid (so that,
#: when the file exists, so do they) and sleeps.
SLOW = """\
import concurrent.futures, os, subprocess, sys, time

def nap(seconds):
    time.sleep(seconds)

if __name__ == "__main__":
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    child = subprocess.Popen(sleeper)
    detached = subprocess.Popen(sleeper, start_new_session=True)
    pool = concurrent.futures.ProcessPoolExecutor(1)
    pool.submit(nap, 600)
    while len(pool._processes) < 1:
        time.sleep(0.05)
    with open(os.path.join(os.environ["PIDS"], str(os.getpid())), "w") as out:
        out.write(__file__)
    print("started", flush=True)
    time.sleep(600)
"""


def processes_of(mark: str) -> List[int]:
    """Return the live (not zombie) processes whose environment carries ``mark``."""
    found = []
    needle = mark.encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as stream:
                environ = stream.read()
            with open(f"/proc/{name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        state = stat[stat.rfind(b")") + 2:].split()[0]
        if needle in environ.split(b"\0") and state != b"Z":
            found.append(int(name))
    return found


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout:g} s for {what}")
        time.sleep(0.1)


def start(args: List[str], cwd: Path, pids: Path) -> "tuple[subprocess.Popen[str], str]":
    mark = f"LEGACY_CORO_TEST_RUN={uuid.uuid4().hex}"
    env = dict(os.environ, PIDS=str(pids), PYTHONIOENCODING="utf-8")
    env[mark.split("=")[0]] = mark.split("=")[1]
    process = subprocess.Popen([sys.executable, "-m", "legacy_coro", *args], cwd=str(cwd),
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    return process, mark


def stop(process: "subprocess.Popen[str]", signum: int, mark: str) -> Dict[str, object]:
    """Send ``signum``; return what the process printed, once it and its run are gone."""
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"still running 20 s after {signal.Signals(signum).name}:\n{err}")
    wait_for(lambda: not processes_of(mark), 10, "the run's processes to be gone")
    return {"code": process.returncode, "out": out, "err": err}


def make_pairs(root: Path) -> None:
    for side in ("a", "b"):
        (root / side).mkdir()
        (root / side / "1_fast.py").write_text('print("fast")\n')
        for n in range(2, 6):
            (root / side / f"{n}_slow.py").write_text(SLOW)


@pytest.mark.parametrize("signum, as_json", [(signal.SIGINT, False), (signal.SIGTERM, False),
                                             (signal.SIGINT, True)],
                         ids=["SIGINT", "SIGTERM", "SIGINT-json"])
def test_compare_stops_on_a_signal_and_leaves_nothing(tmp_path, signum, as_json):
    make_pairs(tmp_path)
    pids = tmp_path / "pids"
    pids.mkdir()
    args = ["compare", "--jobs", "2", "a", "b"] + (["--json"] if as_json else [])
    process, mark = start(args, tmp_path, pids)
    # 1_fast.py ran, then each worker started a slow A script and its children
    wait_for(lambda: len(os.listdir(str(pids))) == 2, 120, "two slow scripts to start")
    assert len(processes_of(mark)) >= 1 + 2 * 4  # legacy-coro, 2 scripts with 3 children each
    result = stop(process, signum, mark)
    name = signal.Signals(signum).name
    assert result["code"] == 128 + signum, result["err"]
    assert result["err"] == (
        f"legacy-coro compare: interrupted by {name}: 1 of 5 pair runs finished; every script "
        "still running was killed, with what it started\n")
    assert len(os.listdir(str(pids))) == 2  # no script started after the signal
    if as_json:
        document = json.loads(str(result["out"]))
        assert document["interrupted"] == name and document["same"] is False
        assert [(r["name"], r["status"]) for r in document["results"]] == [("1_fast.py", "same")]
        return
    lines = str(result["out"]).splitlines()
    assert lines[4].split()[:2] == ["1_fast.py", "same"]
    assert lines[-1] == (f"verdict: interrupted by {name} after 1 of 5 pairs on Python "
                         "{}.{} (1 same)".format(*sys.version_info[:2]))
    assert "slow" not in str(result["out"])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_compare_of_the_examples_stops_on_a_signal(tmp_path, signum):
    process, mark = start(["compare", "--jobs", "2"], ROOT, tmp_path)

    def a_script_runs() -> bool:
        for pid in processes_of(mark):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as stream:
                    if b"examples_" in stream.read():
                        return True
            except OSError:
                pass
        return False

    wait_for(a_script_runs, 120, "an example to start")
    result = stop(process, signum, mark)
    if result["code"] in (0, 1):  # it finished before the signal came: nothing to see
        pytest.skip("the examples finished before the signal")
    assert result["code"] == 128 + signum, result["err"]
    assert str(result["err"]).startswith(
        f"legacy-coro compare: interrupted by {signal.Signals(signum).name}: ")
    assert str(result["out"]).splitlines()[-1].startswith(
        f"verdict: interrupted by {signal.Signals(signum).name} after ")


LEGACY_SLOW = """\
import asyncio, os, subprocess, sys, time
from legacy_coro import coroutine


@coroutine
def main():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.path.join(os.environ["PIDS"], str(os.getpid())), "w") as out:
        out.write(__file__)
    yield from asyncio.sleep(600)


asyncio.run(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_port_verify_stops_on_a_signal_and_writes_nothing(tmp_path, signum):
    pytest.importorskip("libcst")
    for name in ("one.py", "two.py"):
        (tmp_path / name).write_text(LEGACY_SLOW)
    pids = tmp_path / "pids"
    pids.mkdir()
    process, mark = start(["port", "--verify", "one.py", "two.py"], tmp_path, pids)
    wait_for(lambda: len(os.listdir(str(pids))) == 1, 120, "the original of one.py to start")
    result = stop(process, signum, mark)
    name = signal.Signals(signum).name
    assert result["code"] == 128 + signum, result["err"]
    assert str(result["err"]).splitlines()[-2:] == [
        "0 files changed, 2 functions converted, 0 sites left with reasons, 2 files not "
        "verified: interrupted",
        f"legacy-coro port: interrupted by {name}: 2 files not verified and not written; the "
        "scripts still running were killed, with what they started",
    ]
    assert len(os.listdir(str(pids))) == 1  # two.py never started
    for name in ("one.py", "two.py"):
        assert (tmp_path / name).read_text() == LEGACY_SLOW


SLOW_TEST_MODULE = """\
import asyncio, os, subprocess, sys, time, unittest
from legacy_coro import coroutine


@coroutine
def nap():
    yield from asyncio.sleep(0)


class SlowTest(unittest.TestCase):
    def test_slow(self):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(os.path.join(os.environ["PIDS"], str(os.getpid())), "w") as out:
            out.write(__file__)
        time.sleep(600)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_port_verify_of_a_test_module_stops_on_a_signal(tmp_path, monkeypatch, signum):
    """The test runner of the original (pytest under the layer) is killed with what its test
    started, nothing is written, and the copies of the tree are gone."""
    pytest.importorskip("libcst")
    (tmp_path / "test_slow.py").write_text(SLOW_TEST_MODULE)
    pids = tmp_path / "pids"
    pids.mkdir()
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    process, mark = start(["port", "--verify", "test_slow.py"], tmp_path, pids)
    wait_for(lambda: len(os.listdir(str(pids))) == 1, 120, "the original's test to start")
    assert [p.name for p in temp.iterdir()][0].startswith("legacy-coro-verify-")
    result = stop(process, signum, mark)
    name = signal.Signals(signum).name
    assert result["code"] == 128 + signum, result["err"]
    assert str(result["err"]).splitlines()[-2:] == [
        "0 files changed, 1 function converted, 0 sites left with reasons, 1 file not "
        "verified: interrupted",
        f"legacy-coro port: interrupted by {name}: 1 file not verified and not written; the "
        "scripts still running were killed, with what they started",
    ]
    assert (tmp_path / "test_slow.py").read_text() == SLOW_TEST_MODULE
    assert list(temp.iterdir()) == []
