"""An old pytest plugin, installed with a pytest11 entry point (pytest-asyncio's era)."""
import asyncio

import pytest


@asyncio.coroutine
def settle(loop):
    yield from asyncio.sleep(0, loop=loop)


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(asyncio.async(settle(loop), loop=loop))
    yield loop
    loop.close()


def pytest_configure(config):
    config.addinivalue_line('markers', 'old_async: run the test in the loop fixture')


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    if collector.funcnamefilter(name) and asyncio.iscoroutinefunction(obj):
        return list(collector._genfunctions(name, obj))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if 'old_async' in pyfuncitem.keywords:
        funcargs = pyfuncitem.funcargs
        args = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        loop = funcargs['loop']
        loop.run_until_complete(asyncio.async(pyfuncitem.obj(**args), loop=loop))
        return True
