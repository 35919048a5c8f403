"""A ledger service and its client over TCP, written for Python 3.4 in 2015."""
import sys

from compat import asyncio

loop = asyncio.get_event_loop()


class Config(object):
    """Options, one of them named async (2015: not a keyword yet)."""

    def __init__(self, host, async=False):
        self.host = host
        self.async = async


class Ledger(object):
    def __init__(self, loop=None):
        self.loop = loop
        self.lock = asyncio.Lock(loop=loop)
        self.entries = []

    @asyncio.coroutine
    def record(self, name, amount):
        with (yield from self.lock):
            yield from asyncio.sleep(0.01, loop=self.loop)
            self.entries.append((name, amount))
            return len(self.entries)


class Receipt(object):
    """Awaitable the 2015 way: an __iter__ generator, also used as __await__."""

    def __init__(self, ledger, name, amount):
        self.ledger, self.name, self.amount = ledger, name, amount

    def __iter__(self):
        count = yield from self.ledger.record(self.name, self.amount)
        return "receipt %s #%d" % (self.name, count)
    __await__ = __iter__


@asyncio.coroutine
def handle(reader, writer, ledger):
    try:
        line = yield from reader.readline()
        name, amount = line.decode().split()
    except Exception:
        writer.close()
        raise
    text = yield from Receipt(ledger, name, int(amount))
    writer.write(text.encode() + b"\n")
    yield from writer.drain()
    writer.close()


@asyncio.coroutine
def send(port, name, amount, loop):
    reader, writer = yield from asyncio.open_connection("127.0.0.1", port, loop=loop)
    writer.write(("%s %d\n" % (name, amount)).encode())
    answer = yield from reader.readline()
    writer.close()
    return answer.decode().strip()


@asyncio.coroutine
def slow(loop):
    yield from asyncio.sleep(1, loop=loop)


@asyncio.coroutine
def main(loop):
    config = Config("127.0.0.1", async=True)
    print("async:", config.async)
    ledger = Ledger(loop=loop)
    server = yield from asyncio.start_server(
        lambda r, w: handle(r, w, ledger), config.host, 0, loop=loop)
    port = server.sockets[0].getsockname()[1]
    print((yield from send(port, "rent", 700, loop)))
    first = asyncio.async(ledger.record("coffee", 3), loop=loop)
    done, pending = yield from asyncio.wait([ledger.record("tea", 2)], loop=loop)
    print("first:", (yield from first), "then:", [t.result() for t in done])
    print((yield from Receipt(ledger, "cake", 5)))
    me = asyncio.Task.current_task(loop=loop)
    print("in a task:", me is not None)
    print("tasks:", len(asyncio.Task.all_tasks(loop)), "known")
    try:
        yield from asyncio.wait_for(slow(loop), 0.01, loop=loop)
    except asyncio.futures.TimeoutError:
        print("timed out")
    print("coroutine function:", asyncio.iscoroutinefunction(main))
    print("entries:", sorted(ledger.entries))
    server.close()
    yield from server.wait_closed()
    return len(ledger.entries)


if __name__ == "__main__":
    count = loop.run_until_complete(main(loop))
    loop.close()
    sys.exit(0 if count == 4 else 1)
