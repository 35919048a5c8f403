"""Read and decode one file, and prepare its text for the parsers of today."""

import io
import re
import tokenize
from typing import Tuple

from legacy_coro.port import fixes
from legacy_coro.port._model import DEFAULT_RENAMES, Renames

__all__ = ["INTERESTING", "NEEDS_IMPORT", "Unreadable", "decode", "prepare"]

#: Cheap test on the bytes: a file without any of these has nothing to port (the
#: fixes' keywords: CancelledError, the policy classes...).
INTERESTING = re.compile(
    rb"coroutine|yield|loop|all_tasks|current_task|wait|\basync\b|" + b"|".join(
        re.escape(word.encode()) for word in sorted(frozenset().union(
            *(fix.keywords for fix in fixes.FIXES)))))
#: PEP 263's encoding declaration
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
#: The text any rewrite needs: every construct the port rewrites is reached
#: through an import of asyncio or legacy_coro.
NEEDS_IMPORT = re.compile(r"asyncio|legacy_coro")


class Unreadable(Exception):
    """The bytes are not Python source the port can read; the message says why and what to do."""


def decode(source: bytes) -> Tuple[str, str]:
    """Return the text of *source* and its encoding (PEP 263; UTF-8 unless declared).

    Raises:
        Unreadable: a NUL byte (a binary file), bytes the encoding cannot decode,
            or an encoding Python does not know.
    """
    nul = source.find(b"\0")
    if nul >= 0:
        line = source.count(b"\n", 0, nul) + 1
        raise Unreadable(f"line {line} contains a NUL byte (not Python source); remove it or "
                         "leave the file out")
    try:
        encoding, lines = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc) or "encoding problem" in str(exc):
            raise Unreadable(f"{exc}; fix the coding line") from None
        encoding, lines = "utf-8", []  # line 1 or 2 is not UTF-8 (no coding line read)
    try:
        return source.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        byte = source[exc.start]
        if not _COOKIE.search(b"".join(lines[:2])):
            raise Unreadable(
                f"line {line} is not UTF-8 (byte 0x{byte:02x}) and no encoding is declared; "
                "add a coding line (# -*- coding: latin-1 -*-) or convert the file to UTF-8"
            ) from None
        raise Unreadable(f"line {line} is not {encoding} (byte 0x{byte:02x}), the encoding it "
                         "declares; fix the coding line or the bytes") from None


def prepare(text: str, renames: Renames = DEFAULT_RENAMES) -> str:
    """Run the fixes' passes over the text that come before any parser (``async`` as a name)."""
    for fix in fixes.FIXES:
        if fix.prepare is not None:
            text = fix.prepare(text, renames)
    return text
