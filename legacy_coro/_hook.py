"""The compat layer's import hook: old modules compiled through the layer's transform.

Modelled on pytest's assertion rewriting, the import hook most Python
engineers already trust:

- one meta-path finder (:class:`LegacyFinder`), first on ``sys.meta_path``
  while the layer is installed, that owns every module loaded from a source
  file outside the standard library and legacy_coro: the program's own, its
  dependencies in site-packages, and (through pytest's own hook, below) the
  test modules pytest collects;
- a cheap pre-check (:func:`legacy_coro._rewrite.wanted`): a module with no
  ``yield from`` and no ``.async`` is loaded by the interpreter's own loader,
  from the interpreter's own ``.pyc``;
- the transform is an ``ast`` transform that keeps every position, so
  tracebacks point at the user's source;
- the transformed code is cached beside the interpreter's own under its own
  tag (``mod.cpython-312-legacy_coro-<hash>.pyc``, the hash naming the
  transform), written atomically and read back only when the source's mtime
  and size still match; the interpreter's own ``.pyc`` is never touched;
- a module opts out with ``LEGACY_CORO_DONT_REWRITE`` in its docstring.

pytest loads test modules and conftest files through its own hook, which
rewrites their asserts.  While the layer is installed, pytest's hook reads
``X.async`` too, applies the layer's transform after its own, and caches the
result under a tag of its own (so a later run without the layer never reads
it).
"""

import ast
import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import site
import struct
import sys
import sysconfig
import types
from typing import Any, List, Optional, Sequence, Tuple

from legacy_coro import _rewrite

__all__ = ["LegacyFinder", "OPT_OUT", "pytest_settings"]

#: A module whose docstring contains this is never transformed.
OPT_OUT = "LEGACY_CORO_DONT_REWRITE"

_PYTEST_REWRITE = "_pytest.assertion.rewrite"
_PYTEST_WARNINGS = "_pytest.warnings"


def _transform_tag() -> str:
    """Name the transform: a hash of the modules that decide what it does."""
    from legacy_coro import _versions

    digest = hashlib.sha1()
    for module in (_rewrite, _versions, sys.modules[__name__]):
        with open(module.__file__ or "", "rb") as source:  # type: ignore[arg-type]
            digest.update(source.read())
    return f"legacy_coro-{digest.hexdigest()[:10]}"


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
    own = os.path.dirname(os.path.abspath(_rewrite.__file__ or ""))
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


def _opted_out(tree: ast.Module) -> bool:
    doc = ast.get_docstring(tree, clean=False)
    return doc is not None and OPT_OUT in doc


def transform(source: bytes, filename: str) -> Optional[types.CodeType]:
    """Compile *source* through the layer's transform; None when the module opts out."""
    tree = _rewrite.parse_source(source, filename)
    if _opted_out(tree):
        return None
    _rewrite.transform_tree(tree)
    return compile(tree, filename, "exec", dont_inherit=True)  # type: ignore[no-any-return]


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
        code = transform(source, path) if _rewrite.wanted(source) else None
        if code is None:  # nothing to transform: the interpreter's own code and .pyc
            return super().get_code(fullname)
        if cache is not None:
            _write_cache(cache, stat, code)
        return code

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        if module.__name__ in (_PYTEST_REWRITE, _PYTEST_WARNINGS):
            from legacy_coro import _compat

            _compat.apply_late(pytest_settings(module.__name__))


class LegacyFinder:
    """Hands the modules of old code to :class:`LegacyLoader` (legacy_coro.install())."""

    def __init__(self) -> None:
        self._scope = _Scope()
        self._tag = _transform_tag()
        self._loader_class = type("LegacyLoader", (LegacyLoader,), {"tag": self._tag})

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
        if (
            type(spec.loader) is importlib.machinery.SourceFileLoader
            and spec.origin
            and self._scope.covers(spec.origin)
        ):
            spec.loader = self._loader_class(fullname, spec.origin)
        return spec

    def invalidate_caches(self) -> None:
        """Nothing of its own to forget (the finders it asks are invalidated by importlib)."""


# ---------------------------------------------------------------------------
# pytest: its hook loads test modules and conftest files; the layer's
# transform joins its assertion rewriting while the layer is installed.


def _ast_reading_async() -> types.ModuleType:
    """An ``ast`` module for pytest whose ``parse`` reads ``X.async`` too."""
    proxy = types.ModuleType("ast")
    proxy.__dict__.update(vars(ast))

    def parse(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, (bytes, str)):
            return ast.parse(source, filename, *args, **kwargs)
        return _rewrite.parse_source(source, filename)

    proxy.parse = parse  # type: ignore[attr-defined]
    return proxy


def pytest_settings(only: Optional[str] = None) -> List[Any]:
    """Return the settings that make pytest apply the layer (for its modules loaded).

    Args:
        only: just this one of pytest's modules (it has just been imported).
    """
    settings: List[Any] = []
    for name, build in ((_PYTEST_REWRITE, _rewrite_settings), (_PYTEST_WARNINGS,
                                                               _warnings_settings)):
        module = sys.modules.get(name)
        if module is not None and only in (None, name):
            settings.extend(build(module))
    return settings


def _unknown_pytest(what: str) -> List[Any]:
    import warnings

    warnings.warn(f"legacy_coro: this pytest's {what} is not the one the layer knows; "
                  "the layer does not reach into it", RuntimeWarning, stacklevel=3)
    return []


def _rewrite_settings(module: types.ModuleType) -> List[Any]:
    """pytest's assertion rewriting: read ``X.async``, add the transform, cache apart."""
    from legacy_coro._compat import _Setting

    original = getattr(module, "rewrite_asserts", None)
    tail = getattr(module, "PYC_TAIL", None)
    if original is None or not isinstance(tail, str) or getattr(module, "ast", None) is not ast:
        return _unknown_pytest("assertion rewriting")

    def rewrite_asserts(mod: ast.Module, *args: Any, **kwargs: Any) -> None:
        original(mod, *args, **kwargs)
        if not _opted_out(mod):
            _rewrite.transform_tree(mod)

    rewrite_asserts.__wrapped__ = original  # type: ignore[attr-defined]
    stem, dot, extension = tail.rpartition(".")
    return [
        _Setting(module, "ast", _ast_reading_async()),
        _Setting(module, "rewrite_asserts", rewrite_asserts),
        _Setting(module, "PYC_TAIL", f"{stem}-{_transform_tag()}{dot}{extension}"),
    ]


def _warnings_settings(module: types.ModuleType) -> List[Any]:
    """pytest's warning capture: keep silent what install() silences.

    pytest resets the warning filters around each test and shows
    DeprecationWarning by default; on 3.8-3.10 that would bring back the
    warnings of what those Pythons deprecated and old code ran without.
    """
    import contextlib
    import warnings

    from legacy_coro._compat import _Setting, silenced

    original = getattr(module, "catch_warnings_for_item", None)
    if original is None:
        return _unknown_pytest("warning capture")

    @contextlib.contextmanager
    def catch_warnings_for_item(*args: Any, **kwargs: Any) -> Any:
        with original(*args, **kwargs) as log:
            for message in silenced():
                warnings.filterwarnings("ignore", message, DeprecationWarning)
            yield log

    catch_warnings_for_item.__wrapped__ = original  # type: ignore[attr-defined]
    return [_Setting(module, "catch_warnings_for_item", catch_warnings_for_item)]
