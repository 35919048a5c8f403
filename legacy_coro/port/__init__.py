"""``legacy-coro port``: generator coroutines (``@coroutine`` + ``yield from``) into async/await.

The stages, one module each:

1. read and decode a file (:mod:`._read`), analyse it with :mod:`ast` in one
   walk (:mod:`._analyse`, summed up by :mod:`._summary`; names and scopes in
   :mod:`._names`);
2. analyse the run: names across the files (:mod:`._run`);
3. plan each file: what becomes of each function (:mod:`._plan`), and what
   LibCST need not see (:mod:`._fold`);
4. transform it with LibCST in one walk (:mod:`._transform`, imports in
   :mod:`._imports`);
5. render it, lay out the lines it changed in the file's own style
   (:mod:`._wrap`, :mod:`._layout`) and check it (:mod:`._render`), then
   write, diff, check or verify (:mod:`._paths`, :mod:`._verify`);
6. report (:mod:`._report`).

:mod:`._file` holds the stages of one file and :mod:`._pipeline` drives
them over a run.  Each rewrite and each site left is a fix, one file of
:mod:`.fixes`, registering handlers for the node types it cares about in
both walks (:mod:`._registry`).  Only :mod:`._reasons` and :mod:`._options`
can be imported without LibCST.
"""

from typing import Any

__all__ = ["Options", "PortError", "Ported", "Site", "port_paths", "port_source"]

_WHERE = {
    "Options": "legacy_coro.port._options",
    "PortError": "legacy_coro.port._render",
    "Ported": "legacy_coro.port._file",
    "Site": "legacy_coro.port._file",
    "port_paths": "legacy_coro.port._paths",
    "port_source": "legacy_coro.port._pipeline",
}


def __getattr__(name: str) -> Any:
    # Lazily, so that `legacy-coro port --help` (which reads _reasons) needs no LibCST.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
