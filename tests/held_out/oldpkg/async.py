"""Events a bot waits for: the module's name is a keyword since 3.7."""
import asyncio


class AsyncEvents(object):
    """Old code's names: an attribute, a parameter and a method called async/await."""

    def __init__(self, loop, async=True):
        self.loop = loop
        self.async = async

    def await(self, value):
        return '%s awaited' % (value,)

    @asyncio.coroutine
    def wait_for(self, value):
        yield from asyncio.sleep(0, loop=self.loop)
        return self.await(value)


def async(value):
    if value is None:
        raise ValueError('async(%r)' % (value,))
    return value * 2
