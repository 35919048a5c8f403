"""Undecorated generators handed to every task entry point, and iscoroutine() dispatch."""
import asyncio


class Poller(object):
    """Starts its own task in __init__, as old servers did: asyncio.Task(self._poll())."""

    def __init__(self, loop):
        self.loop = loop
        self.polls = []
        self.task = asyncio.Task(self._poll(), loop=loop)

    def _poll(self):  # no decorator: a plain generator
        for n in range(3):
            yield from asyncio.sleep(0, loop=self.loop)
            self.polls.append(n)
        return 'polled %d' % len(self.polls)


def fetch(loop, what):
    yield from asyncio.sleep(0, loop=loop)
    return what.upper()


def handler(request):  # an aiohttp 1.x-style handler: a plain generator
    yield from asyncio.sleep(0)
    return 'response to %s' % request


@asyncio.coroutine
def dispatch(request):
    """aiohttp 1.x/2.x ran the handler's result when it was a coroutine."""
    result = handler(request)
    if asyncio.iscoroutine(result):
        result = yield from result
    return result


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
poller = Poller(loop)
print('Task(gen):', loop.run_until_complete(poller.task))
print('create_task(gen):', loop.run_until_complete(loop.create_task(fetch(loop, 'a'))))
print('ensure_future(gen):', loop.run_until_complete(asyncio.ensure_future(fetch(loop, 'b'))))
print('async(gen):', loop.run_until_complete(getattr(asyncio, 'async')(fetch(loop, 'c'))))
print('run_until_complete(gen):', loop.run_until_complete(fetch(loop, 'd')))
print('gather:', loop.run_until_complete(asyncio.gather(fetch(loop, 'e'), fetch(loop, 'f'))))
done, pending = loop.run_until_complete(asyncio.wait([fetch(loop, 'g'), fetch(loop, 'h')]))
print('wait:', sorted(t.result() for t in done), len(pending))
print('iscoroutine(gen):', asyncio.iscoroutine(handler('x')), asyncio.iscoroutine(iter([])))
print('dispatch:', loop.run_until_complete(dispatch('GET /')))
loop.close()
