"""Run blocking functions in a thread pool with loop.run_in_executor().

Not in the book's excerpt.  The workers print nothing: threads run in no fixed
order, so the results are printed after all of them are gathered (gather()
keeps the order the calls were made in).
"""

import asyncio
import concurrent.futures
import threading
import time


def blocking(n):
    # Blocks its thread, as a slow library call would.
    time.sleep(0.05)
    in_worker = threading.current_thread() is not threading.main_thread()
    return n, n * n, in_worker


async def run_blocking_tasks(executor):
    loop = asyncio.get_running_loop()
    print('creating executor tasks')
    tasks = [
        loop.run_in_executor(executor, blocking, i)
        for i in range(6)
    ]
    print('waiting for executor tasks')
    results = await asyncio.gather(*tasks)
    for n, square, in_worker in results:
        print(f'{n} squared is {square} (computed in a worker thread: {in_worker})')


async def main():
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as executor:
        await run_blocking_tasks(executor)
    print('executor shut down')


asyncio.run(main())
