"""The normalisation rules: each one, and that real differences survive them."""

import os
import re

import pytest

from legacy_coro._normalize import RULES, RunWindow, describe_rules, normalize, parse_user_rule

SCRIPT = "/home/me/project/examples_legacy/gather.py"
WINDOW = RunWindow(monotonic=(81234.50, 81235.25), wall=(1764000000.0, 1764000001.5))


def norm(text, **kwargs):
    kwargs.setdefault("scripts", (SCRIPT,))
    kwargs.setdefault("window", WINDOW)
    return normalize(text, **kwargs)


def test_rules_are_listed_with_descriptions():
    assert [rule.name for rule in RULES] == ["script-path", "address", "time", "test-runner"]
    text = describe_rules()
    assert all(len(line) <= 79 for line in text.splitlines())
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n(?=  \S)", text)]
    assert paragraphs == [f"{r.name}: {r.description}" for r in RULES]


# ------------------------------------------------------------------ address

@pytest.mark.parametrize("raw, expected", [
    ("<object object at 0x7f3a2c1d9e80>", "<object object at 0x...>"),
    ("<Future pending cb=[<TaskWakeupMethWrapper object at 0x10AbCdEf>()]>",
     "<Future pending cb=[<TaskWakeupMethWrapper object at 0x...>()]>"),
    ("flags 0x20 and 0x1ff stay", "flags 0x20 and 0x1ff stay"),  # fewer than 4 hex digits
])
def test_address(raw, expected):
    assert norm(raw) == expected


# ------------------------------------------------------------------ script-path

def test_script_path_in_a_repr():
    raw = f"<Task pending name='Task-1' coro=<main() running at {SCRIPT}:17>>"
    assert norm(raw) == "<Task pending name='Task-1' coro=<main() running at <script>:<line>>>"


def test_script_path_in_a_traceback():
    raw = f'  File "{SCRIPT}", line 9, in phase1\n    raise ValueError\n'
    assert norm(raw) == '  File "<script>", line <line>, in phase1\n    raise ValueError\n'


def test_script_path_bare_and_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert norm(f"running {SCRIPT}") == "running <script>"
    # given relative: its absolute spelling is recognised too
    absolute = os.path.join(str(tmp_path), "ex.py")
    assert norm(f"{absolute}:3 ex.py:4", scripts=("ex.py",)) == "<script>:<line> <script>:<line>"


def test_other_paths_and_line_numbers_are_kept():
    raw = 'File "/usr/lib/python3.12/asyncio/tasks.py", line 314, in __step'
    assert norm(raw) == raw
    # a longer name that starts with the script's path is another file
    assert norm(f"{SCRIPT}c:3 {SCRIPT}x") == f"{SCRIPT}c:3 {SCRIPT}x"


# ------------------------------------------------------------------ time

@pytest.mark.parametrize("raw, expected", [
    ("loop.time() 81234.9", "loop.time() <time>"),
    ("start 81234.512345678 end 81235.2", "start <time> end <time>"),
    ("at 81233.0, rounded before the run", "at <time>, rounded before the run"),  # slack
    ("time.time() 1764000000.8412964", "time.time() <time>"),
    ("scheduled 1764000002.9.", "scheduled <time>."),
])
def test_time_inside_the_window(raw, expected):
    assert norm(raw) == expected


@pytest.mark.parametrize("raw", [
    "elapsed 0.1 s",  # a duration, not a clock reading
    "result 3.14",
    "value 81200.5",  # below the window
    "value 81300.5",  # above it
    "Python 3.12.1",  # a version, not a number
    "81234 and 81235",  # integers are not touched
    "1764000000.5.1",
])
def test_other_numbers_are_kept(raw):
    assert norm(raw) == raw


def test_no_window_no_time_rule():
    assert norm("loop.time() 81234.9", window=None) == "loop.time() 81234.9"


# ------------------------------------------------------------------ switches

def test_no_normalize_keeps_everything_but_user_rules():
    raw = f"<object object at 0x7f3a2c1d9e80> {SCRIPT}:3 81234.9 took 12 ms"
    rule = parse_user_rule(r"\d+ ms=N ms")
    assert norm(raw, defaults=False) == raw
    assert norm(raw, defaults=False, user_rules=[rule]) == raw.replace("12 ms", "N ms")


def test_user_rules_run_after_the_defaults_in_order():
    rules = [parse_user_rule(r"0x\.\.\.=ADDR"), parse_user_rule("ADDR=addr")]
    assert norm("at 0x7f3a2c1d9e80", user_rules=rules) == "at addr"


@pytest.mark.parametrize("text, regex, replacement", [
    (r"(\d+) ms=\1", r"(\d+) ms", r"\1"),
    (r"a\=b=c", r"a\=b", "c"),  # \= keeps '=' in the regex
    ("x=", "x", ""),
    ("id=a=b", "id", "a=b"),  # only the first = splits
])
def test_parse_user_rule(text, regex, replacement):
    rule = parse_user_rule(text)
    assert (rule.pattern.pattern, rule.replacement) == (regex, replacement)


@pytest.mark.parametrize("text, message", [
    ("nothing", "expected REGEX=REPL"),
    ("=x", "empty"),
    ("[a=x", "bad regular expression"),
    (r"(a)=\2", "bad replacement"),
    ("(?P<n>a)=\\g<m>", "bad replacement"),
])
def test_parse_user_rule_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_user_rule(text)


# ------------------------------------------------------------------ real differences survive

A = f"""\
phase1 at 81234.6 <Task pending coro=<main() running at {SCRIPT}:10> at 0x7f00aa00>
result 1
result 2
done
"""


@pytest.mark.parametrize("changed", [
    A.replace("result 1", "result 3"),  # a changed value
    A.replace("result 1\nresult 2", "result 2\nresult 1"),  # changed order
    A.replace("result 2\n", ""),  # a missing line
    A + "extra\n",  # an extra line
    A.replace("phase1", "phase2"),  # a changed word next to a normalised time
    A.replace("main()", "outer()"),  # a different coroutine in the same repr
    A.replace("pending", "finished"),
    A.replace("81234.6", "0.6"),  # a duration instead of a clock reading
])
def test_real_differences_survive(changed):
    assert norm(changed) != norm(A)


def test_equivalent_runs_compare_equal():
    other = "/elsewhere/examples_native/gather.py"
    window = RunWindow((90000.0, 90001.0), (1764000100.0, 1764000101.0))
    b = (A.replace(SCRIPT + ":10", other + ":7").replace("81234.6", "90000.4")
         .replace("0x7f00aa00", "0x55aa11bb"))
    assert normalize(b, scripts=(other,), window=window) == norm(A)


# -------------------------------------------------------------- test-runner

PYTEST_RUN = """\
============================= test session starts ==============================
platform linux -- Python 3.12.1, pytest-9.2.0, pluggy-1.7.0
rootdir: /somewhere/old
plugins: xdist-3.8.0, hypothesis-6.170.17
collected 7 items

test_mod.py ......F                                                      [100%]

=========================== short test summary info ============================
FAILED test_mod.py::test_x - assert 1 == 2
========================= 1 failed, 6 passed in 0.22s ==========================
"""


@pytest.mark.parametrize("raw, expected", [
    ("Ran 7 tests in 0.216s", "Ran 7 tests in <duration>"),
    ("Ran 1 test in 0.000s", "Ran 1 test in <duration>"),
    ("7 passed in 0.12s", "7 passed in <duration>"),
    ("1 failed, 6 passed, 2 warnings in 62.02s (0:01:02)",
     "1 failed, 6 passed, 2 warnings in <duration>"),
    ("=================== 7 passed in 0.12s ====================", "== 7 passed in <duration> =="),
    ("no tests ran in 0.01s", "no tests ran in <duration>"),
    # not a runner's line: left alone
    ("we ran 7 tests in 0.216s", "we ran 7 tests in 0.216s"),
    ("Ran 7 tests in 0.216s today", "Ran 7 tests in 0.216s today"),
    ("elapsed 0.216s", "elapsed 0.216s"),
    ("rootdir: /x", "rootdir: /x"),  # outside pytest's header
])
def test_test_runner_durations(raw, expected):
    assert normalize(raw + "\n") == expected + "\n"


def test_pytest_header_and_summary():
    other = (PYTEST_RUN.replace("/somewhere/old", "/elsewhere/new")
             .replace("3.12.1, pytest-9.2.0", "3.13.0, pytest-8.3.2")
             .replace("xdist-3.8.0", "xdist-3.6.1")
             .replace("========================= 1 failed, 6 passed in 0.22s "
                      "==========================",
                      "======================== 1 failed, 6 passed in 10.22s "
                      "=========================="))
    assert normalize(other) == normalize(PYTEST_RUN)
    lines = normalize(PYTEST_RUN).splitlines()
    assert lines[1:4] == ["platform <platform>", "rootdir: <rootdir>", "plugins: <plugins>"]
    assert lines[-1] == "== 1 failed, 6 passed in <duration> =="
    assert lines[-2] == "FAILED test_mod.py::test_x - assert 1 == 2"  # outcomes are kept


def test_pytest_counts_and_outcomes_stay_differences():
    assert normalize(PYTEST_RUN.replace("1 failed, 6 passed", "7 passed")) != normalize(
        PYTEST_RUN)
    assert normalize("Ran 7 tests in 0.2s\n") != normalize("Ran 6 tests in 0.2s\n")


def test_test_runner_rule_can_be_skipped():
    assert normalize("Ran 7 tests in 0.216s\n", skip=("test-runner",)) == (
        "Ran 7 tests in 0.216s\n")
    assert normalize("<a at 0x7f3a2c1d9e80>\n", skip=("address",)) == "<a at 0x7f3a2c1d9e80>\n"
