"""The logic of realworld/suites.py, without the network: junit parsing, the comparison
with the baseline, the allowlist, the plan of runs, and killing children."""

import importlib.util
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "realworld" / "suites.py"

pytestmark = pytest.mark.skipif(not SCRIPT.is_file(),
                                reason="realworld/suites.py is not in this tree (an sdist)")


@pytest.fixture(scope="module")
def suites():
    spec = importlib.util.spec_from_file_location("realworld_suites", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuple classes look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="2" failures="1" skipped="1" tests="6">
<testcase classname="pkg.test_a.T" name="test_ok" time="0.01"/>
<testcase classname="pkg.test_a.T" name="test_fails" time="0.01">
  <failure message="AssertionError: 1 != 2&#10;second line">traceback</failure></testcase>
<testcase classname="pkg.test_a.T" name="test_skip" time="0.00">
  <skipped type="pytest.skip" message="no speedups">skip text</skipped></testcase>
<testcase classname="pkg.test_a.T" name="test_teardown" time="0.01">
  <error message="failed on teardown with &quot;RuntimeError: x&quot;">tb</error></testcase>
<testcase classname="pkg.test_a.T" name="test_hang" time="30.0">
  <failure message="Failed: Timeout &gt;30.0s">+++ Timeout +++</failure></testcase>
<testcase classname="" name="pkg.test_b" time="0.00">
  <error message="collection failure">x.py:1: in &lt;module&gt;
    import nope
E   ModuleNotFoundError: No module named 'nope'</error></testcase>
</testsuite></testsuites>
"""


def test_parse_junit(suites):
    got = suites.parse_junit(JUNIT)
    assert got == {
        "pkg.test_a.T::test_ok": ("passed", ""),
        "pkg.test_a.T::test_fails": ("failed", "AssertionError: 1 != 2"),
        "pkg.test_a.T::test_skip": ("skipped", "no speedups"),
        "pkg.test_a.T::test_teardown": ("error", 'failed on teardown with "RuntimeError: x"'),
        "pkg.test_a.T::test_hang": ("failed", "Failed: Timeout >30.0s"),
        "pkg.test_b": ("error", "ModuleNotFoundError: No module named 'nope'"),
    }
    assert suites.count(got) == {"passed": 1, "failed": 2, "error": 2, "skipped": 1}


def test_parse_junit_message_falls_back_to_the_text(suites):
    xml = ('<testsuite><testcase classname="m.C" name="t"><failure>\n\nboom\nmore'
           '</failure></testcase></testsuite>')
    assert suites.parse_junit(xml) == {"m.C::t": ("failed", "boom")}


def test_parse_junit_keeps_the_worse_of_two_reports_of_one_test(suites):
    xml = ('<testsuite><testcase classname="m.C" name="t"><failure message="f"/></testcase>'
           '<testcase classname="m.C" name="t"/></testsuite>')
    assert suites.parse_junit(xml) == {"m.C::t": ("failed", "f")}


def _o(suites, outcome, message=""):
    return suites.Outcome(outcome, message)


def test_compare_lists_every_baseline_pass_that_does_not_pass(suites):
    base = {"a": _o(suites, "passed"), "b": _o(suites, "passed"), "c": _o(suites, "passed"),
            "d": _o(suites, "passed"), "e": _o(suites, "failed", "x"),
            "f": _o(suites, "skipped")}
    here = {"a": _o(suites, "passed"), "b": _o(suites, "failed", "TypeError: t"),
            "c": _o(suites, "skipped", "why"), "e": _o(suites, "passed"),
            "f": _o(suites, "passed"), "new": _o(suites, "passed")}
    lost, gained = suites.compare(base, here, lib="hbmqtt", mode="layer", info=(3, 13),
                                  allowlist=[])
    assert [(x.test, x.outcome, x.message, x.allowed) for x in lost] == [
        ("b", "failed", "TypeError: t", None),
        ("c", "skipped", "why", None),
        ("d", "missing", "not run (absent from the report)", None),
    ]
    assert gained == ["e", "f", "new"]


def _allowlist(suites, tmp_path, entries):
    path = tmp_path / "allow.json"
    path.write_text(json.dumps({"entries": entries}))
    return suites.load_allowlist(path)


ENTRY = {"lib": "websockets", "test": "websockets.test_client_server.SSL*::*",
         "pythons": ["3.10+"], "modes": ["layer"], "reason": "TLS 1.0 refused"}


def test_allowlist_covers_only_its_lib_mode_pythons_and_tests(suites, tmp_path):
    entries = _allowlist(suites, tmp_path, [ENTRY])
    ssl_test = "websockets.test_client_server.SSLClientServerTests::test_basic"

    def covered(lib="websockets", mode="layer", info=(3, 13), test=ssl_test):
        return suites.allowed_by(entries, lib, mode, info, test) is not None

    assert covered()
    assert covered(info=(3, 10))
    assert not covered(info=(3, 9))
    assert not covered(mode="port")
    assert not covered(lib="hbmqtt")
    assert not covered(test="websockets.test_client_server.ClientServerTests::test_basic")


def test_allowlist_exact_python_and_wildcards(suites, tmp_path):
    entries = _allowlist(suites, tmp_path, [dict(ENTRY, pythons=["3.12"], modes=["*"]),
                                            dict(ENTRY, lib="hbmqtt", test="*", pythons=["*"])])
    assert suites.allowed_by(entries, "websockets", "port", (3, 12),
                             "websockets.test_client_server.SSLx::t") is not None
    assert suites.allowed_by(entries, "websockets", "port", (3, 13),
                             "websockets.test_client_server.SSLx::t") is None
    assert suites.allowed_by(entries, "hbmqtt", "layer", (3, 8), "any::t") is not None


def test_compare_marks_allowed_losses_with_their_reason(suites, tmp_path):
    entries = _allowlist(suites, tmp_path, [ENTRY])
    test = "websockets.test_client_server.SSLClientServerTests::test_basic"
    lost, _ = suites.compare({test: _o(suites, "passed")}, {test: _o(suites, "failed", "ssl")},
                             lib="websockets", mode="layer", info=(3, 12), allowlist=entries)
    assert [(x.test, x.allowed) for x in lost] == [(test, "TLS 1.0 refused")]
    # not run at all (its module failed to import): the proof does not cover that
    lost, _ = suites.compare({test: _o(suites, "passed")}, {}, lib="websockets", mode="layer",
                             info=(3, 12), allowlist=entries)
    assert [(x.test, x.outcome, x.allowed) for x in lost] == [(test, "missing", None)]


@pytest.mark.parametrize("entry, message", [
    (dict(ENTRY, reason=" "), "the reason must say why"),
    ({k: v for k, v in ENTRY.items() if k != "reason"}, "needs exactly the keys"),
    (dict(ENTRY, extra=1), "needs exactly the keys"),
    (dict(ENTRY, lib="twisted"), "unknown lib 'twisted'"),
    (dict(ENTRY, pythons=["3.x"]), "pythons must be a list"),
    (dict(ENTRY, pythons=[]), "pythons must be a list"),
    (dict(ENTRY, modes=["fast"]), "modes must be a list"),
])
def test_allowlist_rejects_bad_entries(suites, tmp_path, entry, message):
    with pytest.raises(suites.SetupError, match="entry 1: " + message):
        _allowlist(suites, tmp_path, [entry])


def test_the_shipped_allowlist_is_valid(suites):
    suites.load_allowlist(suites.DEFAULT_ALLOWLIST)


def test_bad_allowlist_is_a_setup_error_with_exit_2(suites, tmp_path, capsys):
    bad = tmp_path / "allow.json"
    bad.write_text("{not json")
    status = suites.main(["--cache", str(tmp_path / "cache"), "--allowlist", str(bad)])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"realworld: error: {bad}: not valid JSON")
    assert err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--timeout", "0"], ["--run-timeout", "-1"],
                                  ["--mode", "fast"], ["--lib", "twisted"]])
def test_usage_errors_exit_2(suites, argv, capsys):
    with pytest.raises(SystemExit) as info:
        suites.main(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_default_plan(suites):
    args = suites.build_parser().parse_args([])
    plan = [(lib.name, mode, spec, optional) for lib, mode, spec, optional in suites._plan(args)]
    assert plan == [
        ("hbmqtt", "baseline", "3.8", False),
        ("hbmqtt", "layer", "3.12", False), ("hbmqtt", "layer", "3.13", False),
        ("hbmqtt", "layer", "3.14", True), ("hbmqtt", "layer", "3.15", True),
        ("hbmqtt", "layer", "3.16", True),
        ("hbmqtt", "port", "3.13", False), ("hbmqtt", "port", "3.8", False),
        ("irc3", "baseline", "3.6", False),
        ("irc3", "layer", "3.12", False), ("irc3", "layer", "3.16", True),
        ("janus", "baseline", "3.7", False),
        ("janus", "layer", "3.12", False), ("janus", "layer", "3.13", False),
        ("janus", "layer", "3.14", True), ("janus", "layer", "3.15", True),
        ("janus", "layer", "3.16", True),
        ("janus", "port", "3.13", False), ("janus", "port", "3.7", False),
        ("janus-0.3.0", "baseline", "3.6", False),
        ("janus-0.3.0", "layer", "3.12", False), ("janus-0.3.0", "layer", "3.16", True),
        ("websockets", "baseline", "3.7", False),
        ("websockets", "layer", "3.12", False), ("websockets", "layer", "3.13", False),
        ("websockets", "layer", "3.14", True), ("websockets", "layer", "3.15", True),
        ("websockets", "layer", "3.16", True),
        ("websockets", "port", "3.13", False), ("websockets", "port", "3.7", False),
        ("websockets-4.0.1", "baseline", "3.6", False),
        ("websockets-4.0.1", "layer", "3.12", False),
        ("websockets-4.0.1", "layer", "3.16", True),
    ]


def test_all_pythons_and_the_old_generations_port_mode_by_name(suites):
    args = suites.build_parser().parse_args(["--lib", "irc3", "--all-pythons"])
    assert [(m, s) for _, m, s, _ in suites._plan(args)] == [
        ("baseline", "3.6"), ("layer", "3.12"), ("layer", "3.13"), ("layer", "3.14"),
        ("layer", "3.15"), ("layer", "3.16")]
    args = suites.build_parser().parse_args(["--lib", "janus-0.3.0", "--mode", "port"])
    assert [(m, s) for _, m, s, _ in suites._plan(args)] == [("port", "3.13"), ("port", "3.6")]
    old = suites.Python("3.6", sys.executable, "3.6.15", (3, 6))
    assert "pytest==7.0.1" in suites._requirements(suites.LIBRARIES["irc3"], old, "baseline")[1]


def test_plan_with_pythons_given(suites):
    args = suites.build_parser().parse_args(
        ["--lib", "websockets", "--mode", "port", "--python", "3.12", "--python", "baseline",
         "--python", "3.7"])
    assert [(m, s) for _, m, s, _ in suites._plan(args)] == [("port", "3.12"), ("port", "3.7")]


def test_port_venv_leaves_out_the_dependencies_that_are_ported(suites):
    lib = suites.LIBRARIES["hbmqtt"]
    python = suites.Python("3.13", sys.executable, "3.13.0", (3, 13))
    purpose, requirements = suites._requirements(lib, python, "port")
    assert purpose == "hbmqtt-port"
    assert "websockets==6.0" not in requirements and "transitions==0.6.4" in requirements
    assert "websockets==6.0" in suites._requirements(lib, python, "layer")[1]
    old = suites.Python("3.7", sys.executable, "3.7.16", (3, 7))
    assert "pytest==7.4.4" in suites._requirements(suites.LIBRARIES["websockets"], old,
                                                   "baseline")[1]


def test_check_sdist_refuses_a_wrong_file(suites, tmp_path):
    path = tmp_path / "websockets-6.0.tar.gz"
    path.write_bytes(b"not the sdist")
    with pytest.raises(suites.SetupError, match="sha256 .* expected 8f3b956d"):
        suites.check_sdist(path, suites.LIBRARIES["websockets"].sdist)


def _gone(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            return "\nState:\tZ" in handle.read()
    except FileNotFoundError:
        return True


def _wait_gone(pid):
    for _ in range(200):
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_run_kills_the_whole_process_group_on_timeout(suites, tmp_path):
    pidfile = tmp_path / "pid"
    result = suites.run(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], timeout=1)
    assert result.returncode is None
    assert _wait_gone(int(pidfile.read_text()))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_kills_the_running_child_group_at_once(suites, tmp_path):
    pidfile = tmp_path / "pid"
    previous = signal.signal(signal.SIGTERM, suites._on_signal)

    def terminate_when_started():
        for _ in range(200):
            if pidfile.is_file() and pidfile.read_text().strip():
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_when_started)
    killer.start()
    try:
        with pytest.raises(suites.Interrupted) as info:
            suites.run(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], timeout=120)
    finally:
        killer.join()
        signal.signal(signal.SIGTERM, previous)
    assert info.value.signum == signal.SIGTERM
    assert _wait_gone(int(pidfile.read_text()))
    assert suites._CHILDREN == []


def test_only_plain_runs_share_a_venv(suites):
    python = suites.Python("3.13", sys.executable, "3.13.0", (3, 13))
    websockets, hbmqtt = suites.LIBRARIES["websockets"], suites.LIBRARIES["hbmqtt"]
    purposes = {mode: suites._requirements(websockets, python, mode)[0]
                for mode in suites.MODES}
    # legacy_coro is installed into the layer and port-lc venvs, never into the plain one
    assert purposes == {"baseline": "websockets-plain", "port": "websockets-plain",
                        "layer": "websockets-layer", "port-lc": "websockets-port-lc"}
    assert suites._requirements(hbmqtt, python, "port")[0] == "hbmqtt-port"
