"""asyncio.Semaphore lets at most two of five workers hold it at once.

Not in the book's excerpt.  Which worker prints first after a release depends
on timing, so the workers record what happened and main() prints it once all
of them are done: the order they got the semaphore (first come, first
served) and how many held it at the same time.
"""

import asyncio


async def worker(n, semaphore, state):
    # Generator-based coroutines have no spelling of the asynchronous context
    # manager statement that runs on 3.9+, so both styles acquire() and
    # release() explicitly in try/finally, which is what that statement does.
    await semaphore.acquire()
    try:
        state['order'].append(n)
        state['holding'] += 1
        state['most'] = max(state['most'], state['holding'])
        await asyncio.sleep(0.05)
        state['holding'] -= 1
    finally:
        semaphore.release()
    return f'worker {n} done'


async def main():
    semaphore = asyncio.Semaphore(2)
    state = {'order': [], 'holding': 0, 'most': 0}
    print('starting 5 workers, 2 at a time')
    results = await asyncio.gather(
        *[worker(n, semaphore, state) for n in range(5)]
    )
    for result in results:
        print(result)
    print(f"order they got the semaphore: {state['order']}")
    print(f"most workers holding it at once: {state['most']}")


asyncio.run(main())
