"""Normalise a script's transcript so that two runs of equivalent code compare equal.

Only what cannot be the same between two correct runs is rewritten, and each
rewrite is a named, listed rule (``legacy-coro compare --help`` and the README
print :data:`RULES`).  Nothing else is touched: a changed value, a line in a
different order or a missing line still shows as a difference.

The default rules, applied in this order:

``script-path``
    The script's own path (absolute, resolved, and as given) followed by a line
    number, as in ``coro=<main() running at /x/ex.py:12>`` or a traceback's
    ``File "/x/ex.py", line 12``, becomes ``<script>:<line>`` /
    ``File "<script>", line <line>``; the bare path becomes ``<script>``.  The
    two files of a pair live in different directories and differ in line
    numbers.
``address``
    Memory addresses in reprs (``0x7f3a2c1d9e80``: ``0x`` and four or more hex
    digits) become ``0x...``.
``time``
    A decimal number (digits, a point, digits) whose value lies inside the time
    window of the run -- between ``time.monotonic()`` (the clock of
    ``loop.time()``) or ``time.time()`` read just before the child started and
    just after it exited, give or take :data:`TIME_SLACK` seconds -- becomes
    ``<time>``.  The runner records the window; numbers outside it are never
    touched, and without a window this rule does nothing.
``test-runner``
    What unittest and pytest print that changes from run to run: the duration
    in unittest's ``Ran 7 tests in 0.216s`` and in pytest's summary line
    (``=== 7 passed in 0.22s ===``, whose ``=`` padding depends on it) becomes
    ``<duration>``; in pytest's session header, the ``platform``, ``rootdir``
    and ``plugins`` lines (the interpreter, the directory, the versions)
    become ``platform <platform>``, ``rootdir: <rootdir>``, ``plugins:
    <plugins>``.  The counts, the test names and the outcomes are kept.

Any default rule can be skipped by name (``legacy-coro compare --skip-rule
test-runner``) or all of them (``--no-normalize``).  User rules
(``--normalize REGEX=REPL``) run after the default ones.
"""

import os
import re
from typing import Collection, Iterable, List, NamedTuple, Optional, Sequence, Tuple

__all__ = [
    "RULES",
    "RULE_NAMES",
    "TIME_SLACK",
    "Rule",
    "RunWindow",
    "UserRule",
    "describe_rules",
    "normalize",
    "parse_user_rule",
]

#: seconds added on each side of a run's time window (a printed time may be
#: rounded, or scheduled a little after the moment it was printed)
TIME_SLACK = 2.0


class Rule(NamedTuple):
    """One default normalisation rule, as listed in ``--help`` and the README."""

    name: str
    description: str


RULES: Tuple[Rule, ...] = (
    Rule(
        "script-path",
        "the script's own path followed by a line number (FILE:LINE in reprs, "
        "File \"FILE\", line N in tracebacks) -> <script>:<line>; the bare path -> <script>",
    ),
    Rule("address", "memory addresses, 0x and 4+ hex digits (0x7f3a2c1d9e80) -> 0x..."),
    Rule(
        "time",
        "decimal numbers whose value lies within the run's time window (loop.time(), "
        "time.monotonic() or time.time() read during the run, give or take 2 seconds) "
        "-> <time>",
    ),
    Rule(
        "test-runner",
        "the duration in unittest's \"Ran N tests in 0.216s\" and in pytest's summary line "
        "-> <duration>; pytest's session header lines platform, rootdir and plugins -> "
        "<platform>, <rootdir>, <plugins>",
    ),
)

#: the names of the default rules, in the order they apply
RULE_NAMES: Tuple[str, ...] = tuple(rule.name for rule in RULES)


class RunWindow(NamedTuple):
    """The clocks read just before a child process started and just after it exited."""

    monotonic: Tuple[float, float]
    wall: Tuple[float, float]


class UserRule(NamedTuple):
    """A ``--normalize REGEX=REPL`` rule."""

    text: str
    pattern: "re.Pattern[str]"
    replacement: str


_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
# digits '.' digits, not part of a longer number or a dotted version (3.12.1)
_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?!\.?\d)")
# unittest: "Ran 7 tests in 0.216s" (stderr)
_UNITTEST_RAN = re.compile(r"^Ran (\d+ tests?) in \d+\.\d+s$", re.MULTILINE)
# pytest's last line: "==== 1 failed, 6 passed in 0.22s ====" (-q: without the padding,
# which pytest fits to the terminal around the text, so it changes with the duration)
_PYTEST_SUMMARY = re.compile(
    r"^(=+ )?((?:\d+ [a-z]+(?:, )?)+|no tests ran) in \d+(?:\.\d+)?s(?: \(\d+:\d\d:\d\d\))?"
    r"( =+)?$", re.MULTILINE)
# pytest's session header, from its first line to "collected N items"
_PYTEST_HEADER = re.compile(r"^=+ test session starts =+$(.*?)^collect", re.MULTILINE | re.DOTALL)
_PYTEST_HEADER_LINES = re.compile(r"^(platform) .*$|^(rootdir|plugins): .*$", re.MULTILINE)


def _replace_test_runner(text: str) -> str:
    text = _UNITTEST_RAN.sub(r"Ran \1 in <duration>", text)

    def summary(match: "re.Match[str]") -> str:
        body = f"{match.group(2)} in <duration>"
        return f"== {body} ==" if match.group(1) else body

    text = _PYTEST_SUMMARY.sub(summary, text)

    def header_line(match: "re.Match[str]") -> str:
        if match.group(1):
            return "platform <platform>"
        return f"{match.group(2)}: <{match.group(2)}>"

    def header(match: "re.Match[str]") -> str:
        start, end = match.span(1)
        whole, offset = match.group(0), match.start(0)
        return (whole[:start - offset] + _PYTEST_HEADER_LINES.sub(header_line, match.group(1))
                + whole[end - offset:])

    return _PYTEST_HEADER.sub(header, text)


def describe_rules(indent: str = "  ", width: int = 79) -> str:
    """Return the default rules as ``name: description`` paragraphs wrapped to ``width``."""
    import textwrap

    return "\n".join(
        textwrap.fill(f"{rule.name}: {rule.description}", width, initial_indent=indent,
                      subsequent_indent=indent + "    ", break_on_hyphens=False)
        for rule in RULES
    )


def parse_user_rule(text: str) -> UserRule:
    """Parse ``REGEX=REPL``; the first ``=`` not preceded by a backslash splits it.

    Raises:
        ValueError: with a message saying what is wrong, when there is no
            ``=`` or the regular expression does not compile.
    """
    match = re.search(r"(?<!\\)=", text)
    if match is None:
        raise ValueError(
            f"--normalize {text!r}: expected REGEX=REPL (write \\= for a literal '=' in REGEX)"
        )
    regex, replacement = text[: match.start()], text[match.end():]
    if not regex:
        raise ValueError(f"--normalize {text!r}: the regular expression before '=' is empty")
    try:
        pattern = re.compile(regex, re.MULTILINE)
    except re.error as exc:
        raise ValueError(f"--normalize {text!r}: bad regular expression: {exc}") from None
    try:
        _check_replacement(regex, replacement)
    except (re.error, IndexError) as exc:
        raise ValueError(f"--normalize {text!r}: bad replacement: {exc}") from None
    return UserRule(text, pattern, replacement)


def _check_replacement(regex: str, replacement: str) -> None:
    """Raise re.error when REPL is malformed or names a group REGEX lacks."""
    # re checks a template only when something matches; add an empty alternative
    # (same groups, always matches "") so the template is expanded once now.
    try:
        probe = re.compile(f"(?:{regex})|")
    except re.error:  # e.g. global flags such as (?i) must stay at the start
        return
    probe.sub(replacement, "")


def _path_variants(script: str) -> List[str]:
    """Return the spellings of ``script`` a transcript may contain, longest first."""
    variants = {script, os.path.abspath(script), os.path.realpath(script)}
    variants.discard("")
    return sorted(variants, key=len, reverse=True)


def _replace_script_path(text: str, scripts: Sequence[str]) -> str:
    spellings: List[str] = []
    for script in scripts:
        spellings.extend(_path_variants(script))
    if not spellings:
        return text
    alternatives = "|".join(re.escape(s) for s in sorted(set(spellings), key=len, reverse=True))
    text = re.sub(rf'"(?:{alternatives})", line \d+', '"<script>", line <line>', text)
    text = re.sub(rf"(?:{alternatives}):\d+", "<script>:<line>", text)
    return re.sub(rf"(?:{alternatives})(?!\w)", "<script>", text)


def _replace_times(text: str, window: RunWindow) -> str:
    ranges = [
        (start - TIME_SLACK, end + TIME_SLACK) for start, end in (window.monotonic, window.wall)
    ]

    def replace(match: "re.Match[str]") -> str:
        value = float(match.group())
        if any(low <= value <= high for low, high in ranges):
            return "<time>"
        return match.group()

    return _DECIMAL.sub(replace, text)


def normalize(
    text: str,
    *,
    scripts: Sequence[str] = (),
    window: Optional[RunWindow] = None,
    user_rules: Iterable[UserRule] = (),
    defaults: bool = True,
    skip: Collection[str] = (),
) -> str:
    """Apply the default rules (unless ``defaults`` is false), then the user rules.

    Args:
        text: the raw output.
        scripts: the script's path(s) as given and as run, for ``script-path``.
        window: the run's time window, for ``time``; without it no number changes.
        user_rules: parsed ``--normalize`` rules, applied in order after the defaults.
        defaults: False for ``--no-normalize`` (user rules still apply).
        skip: names of default rules not to apply (``--skip-rule``).
    """
    if defaults:
        if "script-path" not in skip:
            text = _replace_script_path(text, scripts)
        if "address" not in skip:
            text = _ADDRESS.sub("0x...", text)
        if window is not None and "time" not in skip:
            text = _replace_times(text, window)
        if "test-runner" not in skip:
            text = _replace_test_runner(text)
    for rule in user_rules:
        text = rule.pattern.sub(rule.replacement, text)
    return text
