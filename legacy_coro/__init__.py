"""Run generator-based asyncio coroutines (``@coroutine`` + ``yield from``) on CPython 3.8-3.16."""

from legacy_coro._install import install, installed, installed_patches, uninstall
from legacy_coro._shim import coroutine, iscoroutine, iscoroutinefunction

__all__ = [
    "coroutine", "install", "installed", "installed_patches", "iscoroutine",
    "iscoroutinefunction", "uninstall",
]
__version__ = "0.9.0"

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
