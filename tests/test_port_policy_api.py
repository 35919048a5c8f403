"""What 3.16 removed: the policy API (LC022) and ``asyncio.iscoroutinefunction``."""

from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port  # noqa: E402

ROWS = [
    pytest.param("""\
        import asyncio

        def check(f):
            return asyncio.iscoroutinefunction(f)
        """, """\
        import inspect

        def check(f):
            return inspect.iscoroutinefunction(f)
        """, [], id="iscoroutinefunction-to-inspect"),
    pytest.param("""\
        import inspect
        from asyncio import iscoroutinefunction, sleep

        CHECK = iscoroutinefunction(sleep) and inspect.isclass(int)
        """, """\
        import inspect
        from asyncio import sleep

        CHECK = inspect.iscoroutinefunction(sleep) and inspect.isclass(int)
        """, [], id="inspect-already-imported"),
    pytest.param("""\
        import asyncio
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        """, None, ["LC022"], id="set-a-policy"),
    pytest.param("""\
        import asyncio

        class Policy(asyncio.DefaultEventLoopPolicy):
            pass

        loop = asyncio.get_event_loop_policy().new_event_loop()
        """, None, ["LC022", "LC022"], id="a-policy-class-and-the-getter"),
    pytest.param("""\
        from asyncio import AbstractEventLoopPolicy
        """, None, ["LC022"], id="imported"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), ROWS)
def test_policy_api(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == d(expected if expected is not None else src)
    assert found == codes
