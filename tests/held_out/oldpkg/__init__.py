"""An old package with a module named async (irc3 0.9.8 had irc3/async.py)."""
