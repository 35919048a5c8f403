"""Version shims, as packages kept them in 2015."""
try:
    import asyncio
except ImportError:  # Python 2 with trollius
    import trollius as asyncio

try:
    from asyncio import ensure_future
except ImportError:  # Python 3.4.0-3.4.3
    ensure_future = getattr(asyncio, "async")

PY35 = True
