"""The compat layer's import hook: old modules compiled through the layer's transform.

Modelled on pytest's assertion rewriting, the import hook most Python
engineers already trust:

- one meta-path finder (:class:`LegacyFinder`), first on ``sys.meta_path``
  while the layer is installed, that owns every module loaded from a source
  file outside the standard library and legacy_coro: the program's own, its
  dependencies in site-packages, and (through pytest's own hook, below) the
  test modules pytest collects;
- a cheap pre-check (:func:`legacy_coro._rewrite.wanted`): a module with no
  ``yield from`` and no ``async``/``await`` used as a name is loaded by the
  interpreter's own loader, from the interpreter's own ``.pyc``;
- the rest is compiled through the layer's one compile path
  (:mod:`legacy_coro._compile`), an ``ast`` transform that keeps every
  position, so tracebacks point at the user's source;
- the transformed code is cached beside the interpreter's own under its own
  tag (``mod.cpython-312-legacy_coro-<hash>.pyc``, the hash naming the
  transform), written atomically and read back only when the source's mtime
  and size still match; the interpreter's own ``.pyc`` is never touched;
- a module opts out with ``LEGACY_CORO_DONT_REWRITE`` in its docstring.

The loader adds no frame of its own to a module's execution (it inherits
``exec_module``), so an error raised while an old module runs shows the
frames the interpreter shows.  pytest loads test modules and conftest files
through its own hook, and doctest compiles examples itself;
:mod:`legacy_coro._pytest_glue` makes them apply the layer, when their modules
are imported (:class:`_GluedLoader`).
"""

import importlib.machinery
import importlib.util
import marshal
import os
import site
import struct
import sys
import sysconfig
import types
from typing import Any, Optional, Sequence, Tuple

from legacy_coro import _compile, _ledger, _pytest_glue

__all__ = ["LegacyFinder"]


def _dirs(paths: Sequence[str]) -> Tuple[str, ...]:
    # as given and with symbolic links resolved: a module's origin may be either
    forms = {os.path.join(form(p), "") for p in paths if p
             for form in (os.path.abspath, os.path.realpath)}
    return tuple(sorted(forms))


def _scopes() -> Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]:
    """Return (legacy_coro's dir, site-packages dirs, standard library dirs)."""
    paths = sysconfig.get_paths()
    sites = [paths["purelib"], paths["platlib"]]
    sites.extend(getattr(site, "getsitepackages", lambda: [])())
    user = getattr(site, "getusersitepackages", lambda: "")()
    if user:
        sites.append(user)
    own = os.path.dirname(os.path.abspath(_compile.__file__ or ""))
    stdlib = [paths["stdlib"], paths["platstdlib"]]
    return _dirs([own]), _dirs(sites), _dirs(stdlib)


class _Scope:
    """Decides which source files are old code the layer may transform."""

    def __init__(self) -> None:
        self.own, self.sites, self.stdlib = _scopes()

    def covers(self, origin: str) -> bool:
        path = os.path.abspath(origin)
        if path.startswith(self.own):
            return False
        # site-packages often lies inside the standard library's directory
        if path.startswith(self.sites):
            return True
        return not path.startswith(self.stdlib)


# ---------------------------------------------------------------------------
# The cache: a .pyc of the interpreter's format under the layer's own tag.

_HEADER = struct.Struct("<4sIII")  # magic, flags (0: mtime-based), mtime, size


def _cache_path(source_path: str, tag: str) -> Optional[str]:
    try:
        own = importlib.util.cache_from_source(source_path)
    except (NotImplementedError, ValueError):  # no cache_tag on this implementation
        return None
    directory, name = os.path.split(own)
    cache_tag = sys.implementation.cache_tag
    return os.path.join(directory, name.replace(cache_tag, f"{cache_tag}-{tag}", 1))


def _read_cache(path: str, stat: os.stat_result) -> Optional[types.CodeType]:
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, flags, mtime, size = _HEADER.unpack_from(data)
    if (magic != importlib.util.MAGIC_NUMBER or flags != 0
            or mtime != int(stat.st_mtime) & 0xFFFFFFFF or size != stat.st_size & 0xFFFFFFFF):
        return None
    try:
        code = marshal.loads(data[_HEADER.size:])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def _write_cache(path: str, stat: os.stat_result, code: types.CodeType) -> None:
    if sys.dont_write_bytecode:
        return
    data = _HEADER.pack(importlib.util.MAGIC_NUMBER, 0, int(stat.st_mtime) & 0xFFFFFFFF,
                        stat.st_size & 0xFFFFFFFF) + marshal.dumps(code)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)  # atomic: a reader sees the old file or the new
    except OSError:  # a read-only site-packages: compile again next time
        try:
            os.unlink(temporary)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# The finder and the loader.


class LegacyLoader(importlib.machinery.SourceFileLoader):
    """A source file loader that compiles old code through the layer's transform."""

    tag = ""

    def get_code(self, fullname: str) -> Any:
        path = self.get_filename(fullname)
        cache = _cache_path(path, self.tag)
        try:
            stat = os.stat(path)
        except OSError:
            return super().get_code(fullname)
        if cache is not None:
            code = _read_cache(cache, stat)
            if code is not None:
                return code
        source = self.get_data(path)
        code = _compile.compile_module(source, path) if _compile.wanted(source) else None
        if code is None:  # nothing to transform: the interpreter's own code and .pyc
            return super().get_code(fullname)
        if cache is not None:
            _write_cache(cache, stat, code)
        return code


class _GluedLoader(LegacyLoader):
    """Loads a module the layer reaches into (pytest's, doctest), then reaches in."""

    transforms = True  #: False for a module of the standard library: its own code

    def get_code(self, fullname: str) -> Any:
        if not self.transforms:
            return importlib.machinery.SourceFileLoader.get_code(self, fullname)
        return super().get_code(fullname)

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        _ledger.apply_late(_pytest_glue.settings(module.__name__))


class LegacyFinder:
    """Hands the modules of old code to :class:`LegacyLoader` (legacy_coro.install())."""

    def __init__(self) -> None:
        self._scope = _Scope()
        self._tag = _compile.tag()
        self._loader_class = type("LegacyLoader", (LegacyLoader,), {"tag": self._tag})
        self._glued_loader_class = type("LegacyLoader", (_GluedLoader,), {"tag": self._tag})

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        # Ask the finders after this one, in order, as the import system would.
        finders = sys.meta_path
        try:
            start = finders.index(self) + 1  # type: ignore[arg-type]
        except ValueError:
            return None
        for finder in finders[start:]:
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if type(spec.loader) is not importlib.machinery.SourceFileLoader or not spec.origin:
            return spec
        if fullname in _pytest_glue.MODULES:
            spec.loader = self._glued_loader_class(fullname, spec.origin)
            spec.loader.transforms = self._scope.covers(spec.origin)
        elif self._scope.covers(spec.origin):
            spec.loader = self._loader_class(fullname, spec.origin)
        return spec

    def invalidate_caches(self) -> None:
        """Nothing of its own to forget (the finders it asks are invalidated by importlib)."""
