"""Old programs pick their loops through event loop policies (uvloop's way)."""
import asyncio
import threading


class CountingPolicy(asyncio.DefaultEventLoopPolicy):
    """A policy subclass: asyncio's default one, counting the loops it makes."""

    made = 0

    def new_event_loop(self):
        CountingPolicy.made += 1
        return super().new_event_loop()


class OwnPolicy(asyncio.AbstractEventLoopPolicy):
    """A policy of its own: one loop for every thread."""

    def __init__(self):
        self._loop = None

    def get_event_loop(self):
        if self._loop is None:
            self._loop = self.new_event_loop()
        return self._loop

    def set_event_loop(self, loop):
        self._loop = loop

    def new_event_loop(self):
        return asyncio.SelectorEventLoop()


@asyncio.coroutine
def legacy():
    yield from asyncio.sleep(0)
    return 'legacy ran'


def plain():
    return 'plain'


default = asyncio.get_event_loop_policy()
print('default policy:', isinstance(default, asyncio.AbstractEventLoopPolicy),
      isinstance(default, asyncio.DefaultEventLoopPolicy))
asyncio.set_event_loop_policy(CountingPolicy())
loop = asyncio.get_event_loop()
print('get_event_loop:', loop is asyncio.get_event_loop(), CountingPolicy.made)
print(loop.run_until_complete(legacy()))
print('iscoroutinefunction:', asyncio.iscoroutinefunction(legacy),
      asyncio.iscoroutinefunction(plain))


def in_a_thread(seen):
    try:
        asyncio.get_event_loop()
    except RuntimeError as exc:
        seen.append(str(exc))
    policy = asyncio.get_event_loop_policy()
    thread_loop = policy.new_event_loop()
    policy.set_event_loop(thread_loop)
    seen.append(thread_loop.run_until_complete(legacy()))
    thread_loop.close()


seen = []
thread = threading.Thread(target=in_a_thread, args=(seen,), name='worker')
thread.start()
thread.join()
print('thread:', seen, CountingPolicy.made)
loop.close()

asyncio.set_event_loop_policy(OwnPolicy())
own = asyncio.get_event_loop()
print('own policy:', own is asyncio.get_event_loop(), own.run_until_complete(legacy()))
own.close()
asyncio.set_event_loop_policy(None)
print('reset:', type(asyncio.get_event_loop_policy()) is type(default))
