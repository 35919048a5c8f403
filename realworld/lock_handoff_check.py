"""Show that janus 0.3.2's mutex assertions fail on Python 3.14+ for a reason outside asyncio.

    python3.X realworld/lock_handoff_check.py

janus's tests assert ``not queue._sync_mutex.locked()`` (a ``threading.Lock``) right after
``put_nowait()``/``get_nowait()`` and the like, which notify a ``threading.Condition`` on
that mutex from an executor thread while the caller holds it: the pool thread blocks on the
mutex until the caller releases it.  This does the same with a plain thread and no asyncio:
the main thread holds a ``threading.Lock``, a thread blocks acquiring it for a few
milliseconds, the main thread releases it and asks ``locked()`` at once.  3.7-3.13 answer
False every time; 3.14 and 3.15 answer True every time: their ``threading.Lock`` hands
itself over to a thread that has waited longer than a millisecond (it stays locked, owned by
the waiter, until that thread runs), so the lock is still taken when the test looks, until
the pool thread gets the GIL.  Exit status 0 when ``locked()`` was always False, 1 when it
was True at least once.
"""

import sys
import threading
import time

ROUNDS = 50


def _take(mutex: threading.Lock) -> None:
    with mutex:
        pass


def main() -> int:
    held = 0
    for _ in range(ROUNDS):
        mutex = threading.Lock()
        mutex.acquire()
        thread = threading.Thread(target=_take, args=(mutex,))
        thread.start()
        time.sleep(0.005)  # the thread is blocked in acquire() by now
        mutex.release()
        if mutex.locked():
            held += 1
        thread.join()
    version = ".".join(map(str, sys.version_info[:3]))
    print(f"Python {version}: locked() right after release(), with a thread waiting: "
          f"{held} of {ROUNDS} times")
    return 1 if held else 0


if __name__ == "__main__":
    raise SystemExit(main())
