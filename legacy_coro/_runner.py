"""Run a script or module as ``__main__`` with the compat layer installed.

Behaves as ``python script.py args`` / ``python -m module args`` / ``python -``
/ ``python DIR`` would: the same ``sys.argv``, ``sys.path[0]``, ``__file__``,
exit code and stdin/stdout; an uncaught exception goes to ``sys.excepthook``
with a traceback that starts at the user's code (the runner's and runpy's
frames are cut off); a file that cannot be decoded, or does not compile, gets
the interpreter's own ``SyntaxError``, shown as the interpreter shows it: for
the program itself, no traceback; for a module it imports, the program's
frames down to the import, none of the layer's.
"""

import os
import runpy
import sys
import types
from typing import List, Optional, Sequence, Tuple

from legacy_coro import _compile, _install
from legacy_coro._report import Recorder, render_json, render_table
from legacy_coro._source import decode_source

__all__ = ["run"]

_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_RUNPY = os.path.abspath(runpy.__file__)
_AST = os.path.abspath(getattr(sys.modules.get("ast"), "__file__", None) or "ast.py")


def _filename(tb: types.TracebackType) -> str:
    name = tb.tb_frame.f_code.co_filename
    return name if name.startswith("<") else os.path.abspath(name)


def _ours(tb: types.TracebackType) -> bool:
    filename = _filename(tb)
    return (
        filename.startswith(_OWN_DIR) or filename == _RUNPY or "<frozen runpy" in filename
    )


def _machinery(tb: types.TracebackType) -> bool:
    """A frame of the import system, of legacy_coro, or of ``ast``: not the program's."""
    filename = _filename(tb)
    return (filename.startswith(_OWN_DIR) or filename == _AST
            or filename.startswith("<frozen importlib._bootstrap"))


def _cut_compiling(exc: BaseException) -> None:
    """Drop the frames that compiled a module from a compile error's traceback.

    The interpreter shows a module that does not compile (or, on 3.8-3.10,
    holds a NUL byte) with the importing frames only: the import system's
    own are removed (``_call_with_frames_removed``).  The layer's compile
    path is not the import system's, so its frames (and ``ast``'s, and the
    import system's around them) are removed here.
    """
    if not isinstance(exc, (SyntaxError, ValueError)):
        return
    entries = []
    tb = exc.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    last = len(entries)  # the entries from here on are the compile path's
    while last > 0 and _machinery(entries[last - 1]):
        last -= 1
    if not any(_filename(entry).startswith(_OWN_DIR) for entry in entries[last:]):
        return  # raised by the program's own code (its compile(), its ast.parse()): all shown
    if last == 0:
        exc.__traceback__ = None
    else:
        entries[last - 1].tb_next = None


def _trim(exc: Optional[BaseException]) -> None:
    """Drop the runner's frames (and the layer's compile path's) from *exc* and its chain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        _cut_compiling(exc)
        tb = exc.__traceback__
        while tb is not None and _ours(tb):
            tb = tb.tb_next
        exc.__traceback__ = tb
        exc = exc.__cause__ or exc.__context__


#: 3.8-3.11 count a call from C into Python (exec()) against the recursion limit too
_C_CALLS_COUNT = sys.version_info < (3, 12) and sys.implementation.name == "cpython"


def _depth() -> int:
    """Return the recursion depth of the caller's frame (the frames below it included).

    On 3.8-3.11, each ``exec()`` that runpy's ``_run_code`` does (``python -m
    legacy_coro``) counts as one more.
    """
    depth = 0
    frame: Optional[types.FrameType] = sys._getframe(1)
    while frame is not None:
        depth += 1
        if (_C_CALLS_COUNT and frame.f_code.co_name == "_run_code"
                and frame.f_globals.get("__name__") == "runpy"):
            depth += 1
        frame = frame.f_back
    return depth


class _RecursionAllowance:
    """Give the program the recursion depth ``python`` would give it.

    The runner's own frames (and runpy's, and the console script's) sit below
    the program's and count against the recursion limit, so a deep chain of
    old coroutines that ran under ``python`` would stop short under
    ``legacy-coro run``.  While the program runs, the limit is raised by the
    frames the runner adds, and ``sys.getrecursionlimit()`` /
    ``sys.setrecursionlimit()`` read and set the limit as the program knows it.
    """

    def __init__(self, extra: int) -> None:
        self.extra = max(0, extra)
        self._get = sys.getrecursionlimit
        self._set = sys.setrecursionlimit

    def __enter__(self) -> None:
        get, set_, extra = self._get, self._set, self.extra

        def getrecursionlimit() -> int:
            return get() - extra

        def setrecursionlimit(limit: int) -> None:
            set_(limit + extra if isinstance(limit, int) and limit > 0 else limit)

        for name, wrapper in (("getrecursionlimit", getrecursionlimit),
                              ("setrecursionlimit", setrecursionlimit)):
            original = getattr(sys, name)
            wrapper.__name__, wrapper.__qualname__ = original.__name__, original.__qualname__
            wrapper.__doc__ = original.__doc__
            setattr(sys, name, wrapper)
        set_(get() + extra)

    def __exit__(self, *exc_info: object) -> None:
        limit = sys.getrecursionlimit()
        sys.getrecursionlimit, sys.setrecursionlimit = self._get, self._set
        try:
            self._set(limit)
        except RecursionError:  # pragma: no cover - left deeper than the program's limit
            pass


def _exit_code(exc: SystemExit) -> int:
    """Return what the interpreter would exit with for *exc* (printing a message)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _has_main_module(path: str) -> bool:
    """Whether ``python PATH`` runs PATH's ``__main__`` (a directory or a zip file)."""
    if os.path.isdir(path):
        return True
    import zipfile

    return zipfile.is_zipfile(path)


def _run_main_of(path: str) -> None:
    """Run the ``__main__`` module of a directory or zip file, as ``python DIR`` does."""
    # 3.9+ put the directory in front of sys.path absolute; 3.8 as typed.
    sys.path[0] = os.path.abspath(path) if sys.version_info >= (3, 9) else path
    main = types.ModuleType("__main__")
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        # What the interpreter itself calls for `python DIR` (and -m), in every
        # version since 3.4: it imports __main__ from sys.path[0] through the
        # import system (and so the compat layer's hook) and runs it in
        # sys.modules["__main__"], leaving sys.argv[0] as typed.
        run_as_main = getattr(runpy, "_run_module_as_main", None)
        # `python DIR` runs __main__ three frames deep, as this call does from here
        with _RecursionAllowance(_depth()):
            if run_as_main is not None:
                run_as_main("__main__", False)
            else:  # pragma: no cover - not seen on CPython 3.8-3.14
                runpy.run_path(path, run_name="__main__")
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


def _run_script(path: str) -> None:
    """Execute the file at *path* (``-``: stdin) as the ``__main__`` module."""
    if path != "-" and _has_main_module(path):  # a directory or zip with __main__.py
        _run_main_of(path)
        return
    if path == "-":
        filename = "<stdin>"
        stdin = getattr(sys.stdin, "buffer", None)
        data = stdin.read() if stdin is not None else sys.stdin.read().encode("utf-8")
    else:
        # 3.9+ gives __main__ an absolute __file__; 3.8 kept the path as typed.
        filename = os.path.abspath(path) if sys.version_info >= (3, 9) else path
        with open(path, "rb") as source_file:
            data = source_file.read()
    source = decode_source(data, filename, path if path != "-" else filename)
    code = None
    if "plain-generator-await" in _install.installed():
        code = _compile.compile_module(source, filename)
    if code is None:  # the layer does not transform on this Python, or the program opts out
        code = compile(source, filename, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__dict__.update(
        __file__=filename, __builtins__=__builtins__, __cached__=None, __loader__=None,
        __spec__=None, __package__=None,
    )
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        # `python SCRIPT` runs the script's frame first on the stack; here it is one
        # below this one
        with _RecursionAllowance(_depth() + _C_CALLS_COUNT):  # and exec() itself
            exec(code, main.__dict__)
    finally:
        if saved_main is not None:
            sys.modules["__main__"] = saved_main


def run(target: str, args: List[str], *, module: bool = False, report: Optional[str] = None,
        restore: Sequence[str] = ()) -> int:
    """Install the compat layer and run *target* as ``__main__``; return the exit code.

    Args:
        target: a script path, or a module name when *module* is true.
        args: the script's own arguments (``sys.argv[1:]``).
        module: run *target* as ``python -m`` would.
        report: None for no porting report, ``"-"`` for a table on stderr at
            exit, otherwise a file to write the report to as JSON.
        restore: opt-in behaviour changes to restore too (``install(restore=)``).
    """
    problem = _cannot_run(target, module) or _cannot_write(report)
    if problem:
        message, code = problem
        print(f"legacy-coro run: {message}", file=sys.stderr)
        return code
    recorder = Recorder() if report is not None else None
    saved_argv, saved_path0 = sys.argv[:], sys.path[0] if sys.path else None
    if not sys.path:
        sys.path.append("")
    if module:
        sys.argv = ["-m"] + list(args)  # runpy puts the module's file in argv[0]
        sys.path[0] = os.getcwd()
    elif target == "-":
        sys.argv = ["-"] + list(args)
        sys.path[0] = ""
    else:
        sys.argv = [target] + list(args)
        sys.path[0] = os.path.dirname(os.path.realpath(target))  # a directory: its own
    already = bool(_install.installed())
    _install.install(recorder.record if recorder is not None else None, restore=restore)
    try:
        if module:
            # `python -m` runs the module three frames deep; run_module four below this one
            with _RecursionAllowance(_depth() + 1):
                runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            _run_script(target)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException as exc:  # noqa: B036 - reported like the interpreter does
        _trim(exc)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        # the interpreter dies of SIGINT after a KeyboardInterrupt: a shell shows 130
        code = 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        if not already:
            _install.uninstall()
        sys.argv = saved_argv
        if saved_path0 is not None:
            sys.path[0] = saved_path0
    if recorder is not None:
        _write_report(recorder, report)
    return code


def _cannot_run(target: str, module: bool) -> Optional[Tuple[str, int]]:
    """Return what the interpreter says (and its exit code) when it cannot run *target*."""
    if module or target == "-":
        return None
    if not os.path.exists(target):
        return (f"can't open file {os.path.abspath(target)!r}: [Errno 2] No such file or "
                "directory", 2)
    if _has_main_module(target):  # a directory or zip file: it needs a __main__ module
        import importlib.machinery

        if importlib.machinery.PathFinder.find_spec("__main__", [target]) is None:
            shown = os.path.abspath(target) if sys.version_info >= (3, 9) else target
            return f"can't find '__main__' module in {shown!r}", 1
    return None


def _cannot_write(report: Optional[str]) -> Optional[Tuple[str, int]]:
    """Check, before the program runs, that the JSON report can be written where asked."""
    if report is None or report == "-":
        return None
    existed = os.path.exists(report)
    try:
        with open(report, "a", encoding="utf-8"):
            pass
        if not existed:
            os.unlink(report)
    except OSError as exc:
        return (f"error: cannot write the porting report to {report!r} (LEGACY_CORO_REPORT): "
                f"{exc.strerror or exc}; set LEGACY_CORO_REPORT to a writable file, or unset "
                "it", 2)
    return None


def _write_report(recorder: Recorder, report: Optional[str]) -> None:
    sys.stdout.flush()
    uses = recorder.uses()
    if report == "-":
        sys.stderr.write(render_table(uses))
        sys.stderr.flush()
    elif report is not None:
        try:
            with open(report, "w", encoding="utf-8") as out:
                out.write(render_json(uses))
        except OSError as exc:  # the program's own exit code stands
            print(f"legacy-coro run: warning: could not write the porting report to "
                  f"{report!r}: {exc.strerror or exc}", file=sys.stderr)
