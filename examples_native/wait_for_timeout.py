"""asyncio.wait_for() gives up on a slow operation after a timeout and cancels it.

Not in the book's excerpt.  wait_for() waits until the cancelled operation
has finished cancelling, so its message comes before the timeout is seen.
"""

import asyncio


async def operation(name, delay):
    print(f'{name}: starting, needs {delay} s')
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name}: cancelled')
        raise
    print(f'{name}: finished')
    return f'{name} result'


async def try_with_timeout(name, delay, timeout):
    print(f'waiting at most {timeout} s for {name}')
    try:
        result = await asyncio.wait_for(operation(name, delay), timeout=timeout)
    except asyncio.TimeoutError:
        print(f'{name} timed out')
        return None
    print(f'{name} returned {result!r}')
    return result


async def main():
    fast = await try_with_timeout('fast', 0.01, 1)
    slow = await try_with_timeout('slow', 5, 0.1)
    print(f'results: {[fast, slow]!r}')


asyncio.run(main())
