"""Run CPU-bound functions in a process pool with loop.run_in_executor().

Not in the book's excerpt.  The worker function lives at module level so the
pool can pickle it, and the program starts under the __main__ guard so that
worker processes started by importing this file do not run it again.
"""

import asyncio
import concurrent.futures
import os
from legacy_coro import coroutine


def cpu_bound(n):
    total = sum(i * i for i in range(n * 10000))
    return n, total, os.getpid()


@coroutine
def run_cpu_tasks(executor):
    loop = asyncio.get_running_loop()
    print('creating executor tasks')
    tasks = [
        loop.run_in_executor(executor, cpu_bound, i)
        for i in range(1, 5)
    ]
    print('waiting for executor tasks')
    results = yield from asyncio.gather(*tasks)
    for n, total, pid in results:
        print(f'sum of squares below {n * 10000} is {total}'
              f' (computed in another process: {pid != os.getpid()})')


@coroutine
def main():
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as executor:
        yield from run_cpu_tasks(executor)
    print('executor shut down')


if __name__ == '__main__':
    asyncio.run(main())
