"""An old server's except clauses name the exceptions through asyncio's submodules."""
import asyncio
import asyncio.futures
import asyncio.streams


@asyncio.coroutine
def slow(loop):
    yield from asyncio.sleep(10, loop=loop)


@asyncio.coroutine
def handler(loop):
    task = asyncio.async(slow(loop), loop=loop)
    yield from asyncio.sleep(0, loop=loop)
    task.cancel()
    try:
        yield from task
    except asyncio.futures.CancelledError:
        print('handler: cancelled, as asyncio.futures.CancelledError')
    try:
        yield from asyncio.wait_for(slow(loop), 0.01, loop=loop)
    except asyncio.futures.TimeoutError:
        print('handler: timed out, as asyncio.futures.TimeoutError')
    future = asyncio.Future(loop=loop)
    future.set_result(1)
    try:
        future.set_result(2)
    except asyncio.futures.InvalidStateError:
        print('handler: asyncio.futures.InvalidStateError')
    reader = asyncio.StreamReader(loop=loop)
    reader.feed_data(b'abc')
    reader.feed_eof()
    try:
        yield from reader.readexactly(5)
    except asyncio.streams.IncompleteReadError as exc:
        print('handler: asyncio.streams.IncompleteReadError, partial %r' % (exc.partial,))
    return 'done'


loop = asyncio.new_event_loop()
print(loop.run_until_complete(handler(loop)))
print(asyncio.futures.CancelledError is asyncio.CancelledError)
loop.close()
