"""The stages of the port for one file: scan (read, analyse), then port (plan, transform, render).

:func:`scan` is the first pass of a run over a file, :func:`port_scanned` the
second, once the analysis of the run (:mod:`._run`) has said what it knows of
the file's names (:class:`Facts`).  :mod:`._pipeline` drives them over the
files of a run.
"""

import sys
from typing import Dict, List, NamedTuple, Optional, Tuple

import libcst as cst

from legacy_coro.port._options import DEFAULT_TARGET
from legacy_coro.port._analyse import syntax_error
from legacy_coro.port._summary import Analysis, analyse
from legacy_coro.port._fold import Reduced
from legacy_coro.port._model import DEFAULT_RENAMES, Facts, Renames
from legacy_coro.port._plan import plan_file
from legacy_coro.port._read import INTERESTING, NEEDS_IMPORT, Unreadable, decode, prepare
from legacy_coro.port._render import Lines, PortError, check_output, not_reproduced, render
from legacy_coro.port import fixes
from legacy_coro.port._context import Context
from legacy_coro.port._transform import Transformer, dispatch
from legacy_coro.port._wrap import wrap

__all__ = ["Ported", "Scanned", "Site", "port_scanned", "scan"]


class Site(NamedTuple):
    """A place the port left alone, with its reason code."""

    line: int
    code: str
    detail: str = ""


class Ported(NamedTuple):
    """What porting one file produced."""

    source: bytes  #: the new source (the old one when nothing changed)
    changed: bool
    converted: int  #: functions turned into ``async def``
    converted_names: Tuple[str, ...]  #: their paths ("Class.method")
    sites: Tuple[Site, ...]
    #: undecorated generators the run-wide analysis said convert, but that the
    #: plan of the file refused: the run must be planned again without them
    refused_helpers: Tuple[Tuple[str, ...], ...] = ()
    notes: Tuple[Tuple[int, str], ...] = ()  #: (line, undecorated generator converted too)


class Scanned(NamedTuple):
    """One file read and analysed (the first pass of a run)."""

    path: str
    source: bytes
    text: str = ""
    encoding: str = "utf-8"
    prepared: str = ""  #: the text with ``async`` used as a name rewritten
    analysis: Optional[Analysis] = None  #: None: nothing in the file to port
    module: str = ""
    package: bool = False
    target: Tuple[int, int] = DEFAULT_TARGET  #: the oldest Python the output must run on
    renames: Renames = DEFAULT_RENAMES  #: what ``async``/``await`` used as names became
    #: the text holds one of them: the scan depends on *renames*
    renamed: bool = False
    aliases: Optional[Dict[str, str]] = None  #: see _run.RunNames.aliases


def scan(source: bytes, path: str = "<unknown>", module: str = "",
         package: bool = False, force: bool = False,
         target: Tuple[int, int] = DEFAULT_TARGET, renames: Renames = DEFAULT_RENAMES,
         aliases: Optional[Dict[str, str]] = None) -> Scanned:
    """Read one file and analyse it with :mod:`ast`; raise :class:`PortError` if unreadable.

    A file that cannot need porting (no ``yield``, ``coroutine``, ``loop``...
    in it) is not parsed at all.  A file the running Python cannot parse is an
    error only if something in it could need porting.
    """
    try:  # before anything else: a binary file is an error, asyncio or not
        text, encoding = decode(source)
    except Unreadable as exc:
        raise PortError("parse", f"cannot port: {exc}") from None
    if not force and not INTERESTING.search(source):
        return Scanned(path, source, module=module, package=package, target=target)
    prepared = prepare(text, renames)
    renamed = prepared != text and any(
        prepared.count(new) > text.count(new) for new in renames)
    analysis = analyse(prepared, module, package, ident=path, target=target, renames=renames,
                       aliases=aliases)
    if analysis is None:
        if not NEEDS_IMPORT.search(prepared):
            return Scanned(path, source, text, encoding, prepared, None, module, package, target,
                           renames, renamed)
        version = "{}.{}".format(*sys.version_info[:2])
        raise PortError("parse", f"cannot parse on Python {version}: {syntax_error(prepared)}")
    return Scanned(path, source, text, encoding, prepared, analysis, module, package, target,
                   renames, renamed, aliases)


#: the transform's handlers: the engine's and every fix's
_HANDLERS = dispatch(fixes.FIXES)


class _Unfold(Exception):
    """Folding did not line up for this file: port it again with nothing folded."""


def port_scanned(scanned: Scanned, facts: Facts,
                 target: Tuple[int, int] = DEFAULT_TARGET) -> Ported:
    """Port a scanned file with what the analysis of the run found (the second pass)."""
    notes = facts.notes
    reports = tuple(Site(*r) for r in facts.reports)
    analysis = scanned.analysis
    if analysis is None:
        return Ported(scanned.source, False, 0, (), reports, notes=notes)
    if not facts.rewrites:  # nothing to transform; the text passes may still change it
        ported = Ported(scanned.source, False, 0, (), ())
        new_text = scanned.prepared
    else:
        try:
            new_text, ported = _port(scanned, analysis, facts, target)
        except _Unfold:
            unfolded = analyse(scanned.prepared, scanned.module, scanned.package, fold=False,
                               ident=scanned.path, target=scanned.target,
                               renames=scanned.renames, aliases=scanned.aliases)
            assert unfolded is not None
            new_text, ported = _port(scanned, unfolded, facts, target)
    found = list(analysis.reports)
    for fix in fixes.FIXES:
        if fix.complete is not None:
            new_text, more = fix.complete(new_text, facts)
            found += more
    new_text = wrap(scanned.text, new_text)  # the lines it changed, in the file's style
    changed = new_text != scanned.text
    if changed:
        check_output(scanned.prepared, new_text, scanned.path)
    sites = tuple(sorted(set(ported.sites + reports + tuple(Site(*s) for s in found))))
    return ported._replace(
        source=new_text.encode(scanned.encoding) if changed else scanned.source,
        changed=changed, sites=sites, notes=notes)


def _statements(reduced: Reduced, module: cst.Module
                ) -> Optional[Tuple[List[bool], List[Optional[str]]]]:
    """Line the statements the analysis flagged up with those of *module*.

    Returns, per statement of the LibCST module, whether to visit it and the
    name it binds; None when they do not line up (the caller visits everything).
    """
    flags: List[bool] = []
    binds: List[Optional[str]] = []
    units = reduced.units
    index = 0
    for stmt in module.body:
        size = len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        group = units[index:index + size]
        index += size
        if len(group) != size:
            return None
        flags.append(any(unit.interesting for unit in group))
        binds.append(group[0].binds if size == 1 else None)
    if index != len(units):
        return None
    return flags, binds


def _port(scanned: Scanned, analysis: Analysis, facts: Facts, target: Tuple[int, int]
          ) -> Tuple[str, Ported]:
    """Port *scanned* as *analysis* planned it (reduced None: visit the whole module).

    Returns the new text, and what was ported (its source not set yet).
    """
    reduced = analysis.reduced
    folded = reduced is not None and bool(reduced.kept)
    parsed = reduced.text if reduced else scanned.prepared
    try:
        module = cst.parse_module(parsed)
    except cst.ParserSyntaxError as exc:
        if folded:
            raise _Unfold() from None
        raise PortError("parse", f"LibCST cannot parse: {exc.message} (line {exc.raw_line})"
                        ) from None
    rendered, lines = render(module)
    if rendered != parsed:  # LibCST would change text it was not asked to change
        if folded:
            raise _Unfold()
        raise PortError("parse", not_reproduced(parsed, rendered))
    statements = _statements(reduced, module) if reduced else None
    if statements is None and folded:
        raise _Unfold()
    plan = plan_file(analysis.definitions, facts)
    line_of = Lines(module, lines, reduced)
    transformer = Transformer(Context(target, plan, facts, analysis.scopes, analysis.counts,
                                      line_of), _HANDLERS)
    new_module = transformer.transform(module, *(statements or (None, None)))
    code = new_module.code
    new_text = reduced.restore(code) if reduced is not None else code
    if new_text is None:  # the transform lost a placeholder
        raise _Unfold()
    found = {Site(line_of(n) or 0, code, detail) for n, code, detail in transformer.out.reports}
    found.update(Site(*site) for site in plan.sites)
    return new_text, Ported(
        scanned.source,
        False,
        len(transformer.out.converted),
        tuple(transformer.out.converted),
        tuple(sorted(found)),
        tuple(plan.refused_helpers),
    )
