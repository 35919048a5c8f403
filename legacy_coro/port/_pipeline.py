"""The driver of the port: every file of a run through the stages, in one process or in workers.

1. read, decode and analyse each file (:func:`._file.scan`);
2. analyse the run: what the names of each file are across the files
   (:class:`._run.Run`), and what that tells each file (:class:`Facts`);
3. plan, transform and render each file with its facts (:func:`._file.port_scanned`);
4. when the plan of a file refuses an undecorated generator that the run
   converts, plan the run again without it and port again the files whose
   facts changed (:func:`converge`, the only such loop).

The command line (:func:`port_files`), :func:`port_source` and
:mod:`legacy_coro.codemod` all port through here.
"""

import concurrent.futures
import difflib
import multiprocessing
import os
from typing import (
    Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple,
    TypeVar,
)

from legacy_coro.port._options import DEFAULT_TARGET
from legacy_coro.port._file import Ported, Scanned, port_scanned, scan
from legacy_coro.port._model import DEFAULT_RENAMES, Facts, ModuleInfo, Renames
from legacy_coro.port._render import PortError
from legacy_coro.port._run import (
    CANDIDATES, Run, RunNames, choose_renames, module_name, moved_path, renamed_module,
)

__all__ = ["Outcome", "converge", "port_files", "port_source"]

R = TypeVar("R")
FnId = Tuple[str, Tuple[str, ...]]


class Outcome(NamedTuple):
    """One file of a run, ported (or not) by a worker."""

    path: str
    changed: bool = False
    converted: int = 0
    converted_names: Tuple[str, ...] = ()
    sites: Tuple[Tuple[int, str, str], ...] = ()
    notes: Tuple[Tuple[int, str], ...] = ()  #: undecorated generators converted too
    error: Optional[Tuple[str, str]] = None  #: (kind, message): kind "io", "parse", "internal"
    new: Optional[bytes] = None  #: the ported bytes, when the text changed
    diff: str = ""
    lines: int = 0
    refused_helpers: Tuple[Tuple[str, ...], ...] = ()
    #: where the file goes: a module or package named ``async``/``await`` is renamed
    moved: Optional[str] = None


def converge(infos: Dict[str, ModuleInfo], todo: Sequence[str],
             port: Callable[[Dict[str, Facts]], List[Tuple[str, R]]],
             refused_of: Callable[[R], Iterable[Tuple[str, ...]]],
             result_helper: bool = True) -> Dict[str, R]:
    """Port *todo* with the facts of the run, planning the run again until no file refuses.

    *port* ports the files it is given facts for and returns (ident, result);
    *refused_of* names the undecorated generators a result's plan refused.
    """
    run = Run(infos, result_helper=result_helper)
    results: Dict[str, R] = {}
    refused: Set[FnId] = set()
    previous: Dict[str, Facts] = {}
    pending = list(todo)
    while pending:
        facts = {ident: run.facts(ident) if ident in infos else Facts() for ident in pending}
        again = False
        for ident, result in port(facts):
            results[ident] = result
            previous[ident] = facts[ident]
            for helper in refused_of(result):
                refused.add((ident, helper))
                again = True
        if not again:
            break
        # A helper the run converted was refused by a file's plan: plan the run again
        # without it, and port again every file whose facts changed.
        run = Run(infos, refused, result_helper)
        pending = [i for i in results if i in infos and run.facts(i) != previous[i]]
    return results


def port_source(source: bytes, path: str = "<unknown>", target: Tuple[int, int] = DEFAULT_TARGET,
                result_helper: bool = True) -> Ported:
    """Port one file's bytes on its own; raise :class:`PortError` when it cannot be done safely.

    ``async``/``await`` used as names are renamed as in a run of this one file;
    a module named so is not (see :func:`port_files`).
    """
    module, package = module_name(path) if path not in ("<unknown>", "-", "<module>") else (
        "", False)
    renames = choose_renames(word.decode() for word in CANDIDATES.findall(source))
    scanned = scan(source, path, renamed_module(module, renames), package, target=target,
                   renames=renames)
    infos = {path: scanned.analysis.info} if scanned.analysis is not None else {}
    found = converge(infos, [path], lambda facts: [(path, port_scanned(scanned, facts[path],
                                                                       target))],
                     lambda ported: ported.refused_helpers, result_helper)
    return found[path]


# ---------------------------------------------------------------------------
# A run over files.  In worker processes each file stays with the worker that
# scanned it (the analysis is not done twice): _SCANNED is that worker's
# memory of its files between the passes.

_SCANNED: Dict[str, Scanned] = {}


def _unified(old: bytes, new: bytes, path: str, moved: Optional[str] = None) -> str:
    """The diff of one file; a file that moves gets git's header (``git apply`` reads it)."""
    def lines(data: bytes) -> List[str]:
        return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)

    out = difflib.unified_diff(lines(old), lines(new), f"a/{path}", f"b/{moved or path}")
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)
    if moved is None:
        return text
    similarity = int(100 * difflib.SequenceMatcher(None, lines(old), lines(new)).ratio())
    return (f"diff --git a/{path} b/{moved}\nsimilarity index {similarity}%\n"
            f"rename from {path}\nrename to {moved}\n{text}")


def _failure(path: str, exc: BaseException, lines: int) -> Outcome:
    if isinstance(exc, PortError):
        return Outcome(path, error=(exc.kind, str(exc)), lines=lines)
    if isinstance(exc, RecursionError):
        return Outcome(path, error=("parse", "too deeply nested to port"), lines=lines)
    # a bug of ours must not stop the other files
    return Outcome(path, error=("internal", f"internal error: {type(exc).__name__}: {exc}"),
                   lines=lines)


class ScanResult(NamedTuple):
    """What the first pass tells the run of one file."""

    path: str
    info: Optional[ModuleInfo]
    failure: Optional[Outcome]
    taken: FrozenSet[str] = frozenset()  #: words the run's new names must not be
    renamed: bool = False  #: the scan depends on the run's new names (see Renames)


def _scan_one(path: str, source: Optional[bytes] = None, force: bool = False,
              target: Tuple[int, int] = DEFAULT_TARGET, renames: Renames = DEFAULT_RENAMES,
              aliases: Optional[Dict[str, str]] = None) -> ScanResult:
    """First pass: read and analyse *path*."""
    if source is None:
        try:
            with open(path, "rb") as stream:
                source = stream.read()
        except OSError as exc:
            return ScanResult(path, None, Outcome(
                path, error=("io", f"cannot read: {exc.strerror or exc}")))
    taken = frozenset(word.decode() for word in CANDIDATES.findall(source))
    module, package = module_name(path) if path != "-" else ("", False)
    new_module = renamed_module(module, renames)
    try:
        scanned = scan(source, path, new_module, package, force, target, renames, aliases)
    except Exception as exc:
        return ScanResult(path, None, _failure(path, exc, source.count(b"\n")), taken,
                          new_module != module)
    _SCANNED[path] = scanned
    return ScanResult(path, scanned.analysis.info if scanned.analysis is not None else None,
                      None, taken, scanned.renamed or new_module != module)


def _port_one(path: str, facts: Facts, target: Tuple[int, int], want_diff: bool,
              moved: Optional[str] = None) -> Outcome:
    """Second pass: port a scanned file with the facts of the run (*moved*: where it goes)."""
    scanned = _SCANNED[path]
    lines = scanned.source.count(b"\n")
    try:
        ported = port_scanned(scanned, facts, target)
    except Exception as exc:
        return _failure(path, exc, lines)
    sites = tuple((s.line, s.code, s.detail) for s in ported.sites)
    if moved is not None:
        old = module_name(path)[0]
        what = "package" if scanned.package else "module"
        sites = tuple(sorted(sites + ((1, "LC019", f"{what} `{old}` is now "
                                       f"`{renamed_module(old, scanned.renames)}` ({moved})"),)))
    changed = ported.changed or moved is not None
    return Outcome(
        path, changed, ported.converted, ported.converted_names, sites, ported.notes, None,
        ported.source if ported.changed else None,
        _unified(scanned.source, ported.source, path, moved) if want_diff and changed else "",
        lines, ported.refused_helpers, moved,
    )


def _scan_batch(paths: List[str], force: bool = False, target: Tuple[int, int] = DEFAULT_TARGET,
                renames: Renames = DEFAULT_RENAMES,
                aliases: Optional[Dict[str, Dict[str, str]]] = None) -> List[ScanResult]:
    return [_scan_one(path, force=force, target=target, renames=renames,
                      aliases=(aliases or {}).get(path)) for path in paths]


def _port_batch(jobs: List[Tuple[str, Facts, Optional[str]]], target: Tuple[int, int],
                want_diff: bool) -> List[Outcome]:
    return [_port_one(path, facts, target, want_diff, moved) for path, facts, moved in jobs]


class _Workers:
    """*n* worker processes; each keeps the files it scanned for the second pass."""

    def __init__(self, n: int, paths: List[str]) -> None:
        # spawn, not fork: forking a process that may run threads is unsafe (3.12 warns).
        context = multiprocessing.get_context("spawn")
        self.pools = [concurrent.futures.ProcessPoolExecutor(1, mp_context=context)
                      for _ in range(n)]
        # Largest files first, each to the least loaded worker.
        sizes = []
        for path in paths:
            try:
                sizes.append((os.path.getsize(path), path))
            except OSError:
                sizes.append((0, path))
        self.buckets: List[List[str]] = [[] for _ in range(n)]
        load = [0] * n
        for size, path in sorted(sizes, reverse=True):
            which = load.index(min(load))
            self.buckets[which].append(path)
            load[which] += size + 2000  # per-file cost beyond its bytes
        self.owner = {path: i for i, bucket in enumerate(self.buckets) for path in bucket}

    def run(self, function: Any, batches: List[List[Any]], *args: Any) -> List[Any]:
        futures = []
        for pool, batch in zip(self.pools, batches):
            for start in range(0, len(batch), 32):
                futures.append(pool.submit(function, batch[start:start + 32], *args))
        results: List[Any] = []
        for future in futures:
            results.extend(future.result())
        return results

    def by_owner(self, items: Iterable[Tuple[Any, ...]]) -> List[List[Tuple[Any, ...]]]:
        batches: List[List[Tuple[Any, ...]]] = [[] for _ in self.pools]
        for item in items:
            batches[self.owner[item[0]]].append(item)
        return batches

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(wait=True)


class RunOptions(NamedTuple):
    """What a run over files needs to know (see _paths.Options)."""

    jobs: int = 1
    target: Tuple[int, int] = DEFAULT_TARGET
    result_helper: bool = True
    diff: bool = False


def port_files(files: List[str], options: RunOptions,
               stdin_source: Optional[bytes] = None) -> List[Outcome]:
    """Port every file (and stdin's source, reported as "-"); an outcome each, in order."""
    order = (["-"] if stdin_source is not None else []) + files
    try:
        return _port_run(files, options, stdin_source)
    except RecursionError:  # the run-wide analysis: a bug of ours, not the user's
        message = "internal error: the analysis of the run went too deep"
    except Exception as exc:
        message = f"internal error: {type(exc).__name__}: {exc}"
    return [Outcome(path, error=("internal", message)) for path in order]


def _port_run(files: List[str], options: RunOptions, stdin_source: Optional[bytes]
              ) -> List[Outcome]:
    workers = options.jobs or os.cpu_count() or 1
    pool = _Workers(min(workers, len(files)), files) if workers > 1 and len(files) > 1 else None
    order = (["-"] if stdin_source is not None else []) + files
    try:
        renames = DEFAULT_RENAMES
        failures, infos, taken, renamed = _scan_all(files, options, stdin_source, pool, renames)
        chosen = _free_renames(taken, files)
        if renamed and chosen != renames:  # a file of the run uses async_ already: again
            failures, infos, _, _ = _scan_all(files, options, stdin_source, pool, chosen)
        moves = {path: moved_path(path, chosen) for path in files}
        moves = {path: new for path, new in moves.items() if new != path}
        modules = tuple(sorted({(old, renamed_module(old, chosen)) for old in (
            module_name(path)[0] for path in moves) if "." in old}))

        def port(facts: Dict[str, Facts]) -> List[Tuple[str, Outcome]]:
            jobs = [(p, f._replace(moved_modules=modules), moves.get(p)) for p, f in facts.items()]
            results = _port_batch([job for job in jobs if job[0] == "-" or pool is None],
                                  options.target, options.diff)
            if pool is not None:
                batches = pool.by_owner(job for job in jobs if job[0] != "-")
                results += pool.run(_port_batch, batches, options.target, options.diff)
            return [(outcome.path, outcome) for outcome in results]

        outcomes = converge(infos, [p for p in order if p not in failures], port,
                            lambda outcome: outcome.refused_helpers, options.result_helper)
    finally:
        _SCANNED.clear()
        if pool is not None:
            pool.close()
    return [failures.get(path) or outcomes[path] for path in order]


def _free_renames(taken: Set[str], files: List[str]) -> Renames:
    """The run's new names for async/await: in none of its files and paths, nor where it moves."""
    taken = set(taken)
    for path in files:
        for part in path.split(os.sep):
            taken.add(part[:-3] if part.endswith(".py") else part)
    while True:
        renames = choose_renames(taken)
        clash = False
        for path in files:
            new = moved_path(path, renames)
            if new != path and os.path.lexists(new) and not os.path.samefile(path, new):
                clash = True
                taken.update(renames)  # a file or package of that name is there already
        if not clash:
            return renames


def _scan_all(files: List[str], options: RunOptions, stdin_source: Optional[bytes],
              pool: Optional[_Workers], renames: Renames
              ) -> Tuple[Dict[str, Outcome], Dict[str, ModuleInfo], Set[str], bool]:
    """Scan every file; again, forced, the files that may define what the run asks about.

    Returns the failures, the analyses, the words the run's new names must not
    be, and whether a scan depends on *renames*.
    """
    scanned: List[ScanResult] = []
    if stdin_source is not None:
        scanned.append(_scan_one("-", stdin_source, target=options.target, renames=renames))
    if pool is not None:
        scanned += pool.run(_scan_batch, pool.buckets, False, options.target, renames)
    else:
        scanned += _scan_batch(files, False, options.target, renames)
    failures: Dict[str, Outcome] = {}
    infos: Dict[str, ModuleInfo] = {}
    taken: Set[str] = set()
    renamed = False
    for result in scanned:
        taken |= result.taken
        renamed = renamed or result.renamed
        if result.failure is not None:
            failures[result.path] = result.failure
        elif result.info is not None:
            infos[result.path] = result.info
    unscanned = [p for p in files if p not in infos and p not in failures]
    # A module of the run that others import from, skipped for having nothing to
    # port itself (`compat.py`: `import asyncio`): what it binds is asked about.
    imported = _imported_modules(infos.values())
    _rescan([p for p in unscanned if renamed_module(module_name(p)[0], renames) in imported],
            infos, options, pool, renames)
    run = Run(infos, result_helper=options.result_helper)
    # Undecorated generators may convert: a file without a yield could still
    # use one otherwise (`for x in helper()`), which forbids it.  A decorated
    # function may return the result of a function such a file defines.
    names = {fid[1][-1] for fid in run.helpers} | run.unresolved()
    if names:
        _rescan([p for p in unscanned if p not in infos and _mentions(p, names)], infos,
                options, pool, renames)
    # asyncio reached through a module of the run (`from .compat import asyncio`): what
    # those names are is known now; analyse those files again with it.
    run_names = RunNames(infos)
    aliases = {path: found for path in infos if path != "-"
               for found in [run_names.aliases(path)] if found}
    _rescan(list(aliases), infos, options, pool, renames, aliases)
    return failures, infos, taken, renamed


def _imported_modules(infos: Iterable[ModuleInfo]) -> Set[str]:
    """Every module (and package) name the modules' module-level imports name."""
    found: Set[str] = set()
    for info in infos:
        for refs in info.exports.values():
            for ref in refs:
                if ref[0] == "q":
                    parts = ref[1].split(".")
                    found.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
    return found


def _rescan(paths: List[str], infos: Dict[str, ModuleInfo], options: RunOptions,
            pool: Optional[_Workers], renames: Renames,
            aliases: Optional[Dict[str, Dict[str, str]]] = None) -> None:
    """Scan *paths* again, forced (with *aliases*), each in the worker that has it."""
    if not paths:
        return
    if pool is not None:
        batches: List[List[str]] = [[] for _ in pool.pools]
        for path in paths:
            batches[pool.owner[path]].append(path)
        rescanned = pool.run(_scan_batch, batches, True, options.target, renames, aliases)
    else:
        rescanned = _scan_batch(paths, True, options.target, renames, aliases)
    for result in rescanned:
        if result.info is not None:
            infos[result.path] = result.info


def _mentions(path: str, names: Set[str]) -> bool:
    scanned = _SCANNED.get(path)
    source = scanned.source if scanned is not None else None
    if source is None:
        try:
            with open(path, "rb") as stream:
                source = stream.read()
        except OSError:
            return False
    return any(name.encode() in source for name in names)
