"""Show that irc3 0.9.8's tests lost under the layer fail for reasons outside asyncio.

    python3.X realworld/irc3_checks.py

Each check does, without asyncio and without irc3, the one thing a lost test does, and
says whether this Python still allows it:

- ``re-inline-flags``: irc3/async.py builds ``'(?P<nick>...)(?i)...'``, an inline global
  flag after the start of the pattern: deprecated since 3.6, an error (``re.error``, 3.13:
  ``re.PatternError``) since 3.11 (tests/test_async.py, 3 tests);
- ``assertEquals``: unittest's old alias, removed in 3.12 (tests/test_casefold.py,
  tests/test_quakenet.py);
- ``base64.encodestring``: removed in 3.9 (irc3/plugins/sasl.py; tests/test_sasl.py);
- ``method-rebinding``: ``bound_method.__get__(other)`` returned the bound method itself;
  3.11 and 3.12 bind the function again, to ``other`` (fixed in 3.13).  irc3's
  ``@irc3.extend`` puts a plugin's bound method on the bot with ``f.__get__(bot,
  type(bot))``, so on 3.11/3.12 the method runs with the bot as ``self`` ('IrcBot' object
  has no attribute 'factory': tests/test_cron.py, test_paginate.py, test_reload.py,
  test_social.py, and irc3/plugins/social.py's doctest).

Prints one line per check; exit status 0 when all are allowed here, 1 otherwise.
"""

import base64
import re
import sys
import unittest
import warnings

PATTERN = r"^:(?P<srv>\S+) 401 (?P<me>\S+) (?P<nick>(?i)gawel) :(?P<data>.*)"


def re_inline_flags() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        re.compile(PATTERN)
    return "re.compile() takes a global flag after the start"


def assert_equals() -> str:
    case = unittest.TestCase()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        case.assertEquals(1, 1)
    return "TestCase.assertEquals exists"


def encodestring() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        base64.encodestring(b"user")  # type: ignore[attr-defined]
    return "base64.encodestring exists"


class Plugin:
    def factory(self) -> str:
        return "plugin"

    def method(self) -> str:
        return self.factory()


class Bot:
    pass


def method_rebinding() -> str:
    bound = Plugin().method
    bot = Bot()
    rebound = bound.__get__(bot, Bot)  # what irc3.dec.extend does
    rebound()
    return "a bound method's __get__ keeps its self"


CHECKS = [("re-inline-flags", re_inline_flags), ("assertEquals", assert_equals),
          ("base64.encodestring", encodestring), ("method-rebinding", method_rebinding)]


def main() -> int:
    version = ".".join(map(str, sys.version_info[:3]))
    failed = 0
    for name, check in CHECKS:
        try:
            said = check()
        except Exception as exc:  # noqa: BLE001 - each failure is the finding
            failed += 1
            said = f"fails: {type(exc).__name__}: {exc}"
        print(f"Python {version}: {name}: {said}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
