"""The ledger's tests, unittest style of 2015."""
import asyncio
import unittest

from ledger import Ledger, Receipt


class LedgerTest(unittest.TestCase):
    def setUp(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(None)

    def tearDown(self):
        self.loop.close()

    def test_record_counts(self):
        ledger = Ledger(loop=self.loop)

        @asyncio.coroutine
        def go():
            yield from ledger.record("a", 1)
            return (yield from ledger.record("b", 2))

        self.assertEqual(self.loop.run_until_complete(go()), 2)

    def test_receipt_is_awaitable(self):
        ledger = Ledger(loop=self.loop)

        @asyncio.coroutine
        def go():
            return (yield from Receipt(ledger, "x", 9))

        self.assertEqual(self.loop.run_until_complete(go()), "receipt x #1")
        self.assertEqual(ledger.entries, [("x", 9)])

    def test_records_in_parallel(self):
        ledger = Ledger(loop=self.loop)
        tasks = [asyncio.async(ledger.record(n, 1), loop=self.loop) for n in "abc"]
        self.loop.run_until_complete(asyncio.wait(tasks, loop=self.loop))
        self.assertEqual(sorted(e[0] for e in ledger.entries), ["a", "b", "c"])


if __name__ == "__main__":
    unittest.main()
