"""``get_event_loop()`` outside a coroutine goes through a helper that answers as 3.4-3.11 did."""

from pathlib import Path
from typing import List, Optional

import pytest

pytest.importorskip("libcst")

from port_helpers import d, port, prints_as_on_36  # noqa: E402

from legacy_coro.port.fixes.get_event_loop import HELPER_CODE  # noqa: E402

HELPER = "\n\n\n" + HELPER_CODE.format(name="_legacy_get_event_loop") + "\n\n"

ROWS = [
    pytest.param(
        "import asyncio\n\nloop = asyncio.get_event_loop()\n",
        HELPER.lstrip("\n") + "loop = _legacy_get_event_loop()\n",
        ["LC014"], id="module-level"),  # asyncio was imported for that call only
    pytest.param(
        "import asyncio\n\nif __name__ == '__main__':\n"
        "    asyncio.get_event_loop().run_forever()\n",
        HELPER.lstrip("\n") + "if __name__ == '__main__':\n"
        "    _legacy_get_event_loop().run_forever()\n",
        ["LC014"], id="main-block"),
    pytest.param(
        "from asyncio import get_event_loop\n\n\ndef main():\n    return get_event_loop()\n",
        HELPER.lstrip("\n") + "def main():\n    return _legacy_get_event_loop()\n",
        ["LC014"], id="plain-function-import-dropped"),
    pytest.param(
        "import asyncio\n\n\nasync def main():\n    return asyncio.get_event_loop()\n",
        None, [], id="inside-a-coroutine-it-is-the-running-loop"),
    pytest.param(
        "import asyncio\n\n\n@asyncio.coroutine\ndef main():\n"
        "    loop = asyncio.get_event_loop()\n    yield from asyncio.sleep(0, loop=loop)\n",
        "import asyncio\n\n\nasync def main():\n"
        "    loop = asyncio.get_event_loop()\n    await asyncio.sleep(0)\n",
        [], id="inside-a-converted-coroutine"),
    pytest.param(
        "import asyncio\n\nloop = asyncio.get_event_loop_policy().get_event_loop()\n",
        None, ["LC022"], id="not-this-call-the-policy-s"),
    pytest.param(
        "import asyncio\n\n_legacy_get_event_loop = 1\nloop = asyncio.get_event_loop()\n",
        HELPER.lstrip("\n").replace("_legacy_get_event_loop", "_legacy_get_event_loop2")
        + "_legacy_get_event_loop = 1\nloop = _legacy_get_event_loop2()\n",
        ["LC014"], id="the-name-is-taken"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), ROWS)
def test_get_event_loop(src: str, expected: Optional[str], codes: List[str]) -> None:
    result, found = port(src)
    assert result == (expected if expected is not None else src)
    assert found == codes
    # the helper is the port's own: left as it is; what is left stays reported
    assert port(result) == (result, [code for code in codes if code != "LC014"])


PROGRAM = d("""\
    import asyncio
    import threading

    loop = asyncio.get_event_loop()
    print("same loop:", asyncio.get_event_loop() is loop)
    print("running:", loop.is_running())


    def in_thread(found):
        try:
            asyncio.get_event_loop()
        except RuntimeError as exc:
            found.append(type(exc).__name__)


    found = []
    thread = threading.Thread(target=in_thread, args=(found,))
    thread.start()
    thread.join()
    print("other thread:", found)
    other = asyncio.new_event_loop()
    asyncio.set_event_loop(other)
    print("the set one:", asyncio.get_event_loop() is other)
    other.close()
    loop.close()
    """)


def test_helper_answers_as_36_did(tmp_path: Path) -> None:
    prints_as_on_36(tmp_path, PROGRAM, "loops.py")
