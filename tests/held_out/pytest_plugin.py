"""An old test suite under pytest, with an old plugin installed through an entry point."""
import os
import sys

import pytest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, 'plugin_site'))  # where the plugin is installed


class Outcomes(object):
    """Each test's outcome, as pytest reports it (its own output goes nowhere)."""

    def __init__(self):
        self.seen = []

    def pytest_runtest_logreport(self, report):
        if report.when == 'call' or report.outcome != 'passed':
            self.seen.append((report.nodeid.split('::')[-1], report.when, report.outcome))


outcomes = Outcomes()
saved = sys.stdout
with open(os.devnull, 'w') as devnull:
    sys.stdout = devnull
    try:
        code = pytest.main(['-q', '-p', 'no:cacheprovider', os.path.join(here, 'plugin_suite')],
                           plugins=[outcomes])
    finally:
        sys.stdout = saved
print('exit code:', int(code))
for outcome in sorted(outcomes.seen):
    print(*outcome)
print('plugin loaded through its entry point:', 'oldplugin' in sys.modules)
