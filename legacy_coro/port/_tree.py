"""The two trees ``port --verify`` runs in: a copy of the original code base and of its port.

The tree is the common directory of the PATHs given, or the top package that holds it (so
that ``pkg.sub`` is still importable as ``pkg.sub`` in the copy); a package is copied into a
directory of its own, which is the directory the tests run in (as they would from the
project's root). It is copied twice into one temporary directory, skipping what the port
skips (hidden directories such as ``.git``, ``__pycache__``, ``build``, ``dist``,
``node_modules``), virtual environments and compiled files; the ported files then replace
their originals in the second copy. Each side runs only in its own copy, so every module
imports its own generation, and nothing a script writes lands in the user's directory.

Imported only when ``--verify`` runs; it needs no LibCST.
"""

import os
import shutil
import tempfile
from typing import Callable, Iterator, List, Sequence, Tuple

__all__ = ["MAX_BYTES", "MAX_FILES", "SKIP_DIRS", "TreeError", "Trees", "renames_of",
           "skipped_dir", "tree_root"]

#: directories the port does not walk into (nor does --verify copy), besides hidden ones
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "build", "dist"})
#: what one copy may hold at most: a tree larger than this is not what the PATHs meant
MAX_FILES = 20_000
MAX_BYTES = 200 * 1024 * 1024


class TreeError(Exception):
    """The tree cannot be copied; the message says why and what to do (one line)."""


def skipped_dir(name: str) -> bool:
    """Whether the port (and --verify's copy) leaves out a directory of this name."""
    return name.startswith(".") or name in SKIP_DIRS


def tree_root(paths: Sequence[str]) -> str:
    """Return the directory --verify copies: the common directory of *paths*, or the top
    package holding it (the highest directory of a chain that each hold an ``__init__.py``)."""
    directories = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
                   for p in paths]
    try:
        root = os.path.commonpath(directories)
    except ValueError:  # different drives (Windows)
        raise TreeError("the PATHs share no directory (--verify copies their common directory "
                        "to run the original and the port in); verify each part on its "
                        "own") from None
    while os.path.isfile(os.path.join(root, "__init__.py")):
        parent = os.path.dirname(root)
        if parent == root or not os.path.isfile(os.path.join(parent, "__init__.py")):
            break
        root = parent
    return root


def _walk(root: str) -> Iterator[Tuple[str, List[str]]]:
    """Yield (directory, file names) under *root*, as the port walks it."""
    for directory, dirs, files in os.walk(root):
        # a virtual environment (pyvenv.cfg) is the interpreter's, not the code's
        dirs[:] = sorted(d for d in dirs if not skipped_dir(d)
                         and not os.path.isfile(os.path.join(directory, d, "pyvenv.cfg")))
        # a link to a directory is copied as the link it is (os.walk does not follow it)
        links = [d for d in dirs if os.path.islink(os.path.join(directory, d))]
        yield directory, sorted(links + [f for f in files if not f.endswith((".pyc", ".pyo"))])


def renames_of(moves: Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """The renames that carry out *moves* (file -> where it goes), the deepest first.

    A package renamed is one rename of its directory, whatever number of its
    files the run holds.
    """
    found = set()
    for old, new in moves:
        old_parts, new_parts = _parts(old), _parts(new)
        if len(old_parts) != len(new_parts):  # pragma: no cover - moved_path keeps the depth
            raise ValueError(f"{old} cannot move to {new}")
        for depth, (before, after) in enumerate(zip(old_parts, new_parts)):
            if before != after:
                found.add((depth, os.path.join(*old_parts[:depth + 1]),
                           os.path.join(*old_parts[:depth], after)))
    return [(old, new) for _, old, new in sorted(found, reverse=True)]


def _parts(path: str) -> List[str]:
    parts: List[str] = []
    while True:
        head, tail = os.path.split(path)
        if not tail:
            if head:
                parts.append(head)
            break
        parts.append(tail)
        path = head
    return parts[::-1]


class Trees:
    """A temporary directory holding ``a/NAME`` (the original tree) and ``b/NAME`` (the port).

    Use it as a context manager: the directory is removed on leaving, whatever happened.
    """

    def __init__(self, root: str, stopped: Callable[[], bool] = lambda: False) -> None:
        self.root = root  #: the user's tree
        self.stopped = stopped  #: polled while copying, so that a signal stops the copy
        self.temp = ""
        self.a = self.b = ""  #: the copies' roots
        #: the renames made in copy "b" (modules named async), deepest first, absolute
        self.moved: List[Tuple[str, str]] = []

    def __enter__(self) -> "Trees":
        try:
            self.temp = tempfile.mkdtemp(prefix="legacy-coro-verify-")
        except OSError as exc:
            raise TreeError(f"cannot make a temporary directory to copy {self.root} into: "
                            f"{exc.strerror or exc}; set TMPDIR to a writable directory") from None
        name = os.path.basename(self.root) or "root"
        self.a = os.path.join(self.temp, "a", name)
        self.b = os.path.join(self.temp, "b", name)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.temp:
            shutil.rmtree(self.temp, ignore_errors=True)

    def side(self, which: str) -> str:
        """Return the root of copy "a" or "b"."""
        return self.a if which == "a" else self.b

    def project(self, which: str) -> str:
        """Return the directory tests run in on side "a" or "b": the copy of the tree, or
        the directory holding it when the tree is a package."""
        side = self.side(which)
        return os.path.dirname(side) if os.path.isfile(os.path.join(side, "__init__.py")) \
            else side

    def inside(self, path: str, which: str) -> str:
        """Return where the user's *path* is in copy "a" or "b" (in "b", once moved)."""
        path = os.path.abspath(path)
        if which == "b":
            for old, new in self.moved:
                if path == old or path.startswith(old + os.sep):
                    path = new + path[len(old):]
        relative = os.path.relpath(path, self.root)
        return os.path.join(self.side(which), relative)

    def move(self, renames: Sequence[Tuple[str, str]]) -> None:
        """Make in copy "b" the renames of the run (:func:`renames_of`), as the port does.

        Raises:
            TreeError: a rename failed.
        """
        for old, new in renames:
            try:
                os.rename(self.inside(old, "b"), self.inside(new, "b"))
            except OSError as exc:
                raise TreeError(f"cannot rename {old} to {new} in the copy for --verify: "
                                f"{exc.strerror or exc}") from None
            self.moved.append((os.path.abspath(old), os.path.abspath(new)))

    def copy(self, extra: Sequence[str] = ()) -> None:
        """Copy the tree to both sides; *extra* files are copied even where the walk skips them.

        Raises:
            TreeError: the tree is too large, or a file cannot be read or written.
            InterruptedError: stopped() became true meanwhile.
        """
        files: List[str] = []
        size = 0
        for directory, names in _walk(self.root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    size += os.lstat(path).st_size
                except OSError:  # gone meanwhile
                    continue
                files.append(path)
            if len(files) > MAX_FILES or size > MAX_BYTES:
                raise TreeError(
                    f"--verify copies {self.root} (the directory holding the PATHs, up to its "
                    f"top package) twice, and it holds more than {MAX_FILES} files or "
                    f"{MAX_BYTES // 2**20} MB besides what the port skips; pass PATHs inside "
                    "a smaller directory")
        seen = set(files)
        files += [os.path.abspath(p) for p in extra if os.path.abspath(p) not in seen]
        for path in files:
            if self.stopped():
                raise InterruptedError
            for which in ("a", "b"):
                self._copy_one(path, self.inside(path, which))

    def _copy_one(self, source: str, target: str) -> None:
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.islink(source):
                os.symlink(os.readlink(source), target)
            else:
                shutil.copy2(source, target)
        except OSError as exc:
            where = source if exc.filename in (None, source) else target
            raise TreeError(f"cannot copy {where} for --verify: {exc.strerror or exc}") from None

    def place(self, path: str, new: bytes) -> None:
        """Write the port of the user's *path* into copy "b"."""
        target = self.inside(path, "b")
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as stream:
                stream.write(new)
        except OSError as exc:
            raise TreeError(f"cannot write the port of {path} into the copy for --verify: "
                            f"{exc.strerror or exc}") from None
