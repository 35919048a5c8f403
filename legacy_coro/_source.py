"""Read a program's source as the interpreter does, down to the error it cannot decode.

``python FILE`` decodes the file by PEP 263 (UTF-8 unless line 1 or 2 declares
another encoding) and, when it cannot, prints a ``SyntaxError`` of its own
(``Non-UTF-8 code starting with '\\xe9' in file ... on line N, but no encoding
declared; see ... for details``), worded and laid out differently by version.
:func:`decode_source` returns the text, or raises that same ``SyntaxError``, so
that ``legacy-coro run`` shows what ``python`` shows, with no traceback of its
own.  (3.10's interpreter names the line after the one holding the byte, and
3.14's names line 1 for a byte past it; here the line is the right one.)
"""

import io
import re
import sys
import tokenize
from typing import Optional, Tuple

__all__ = ["decode_source"]

# PEP 263: an encoding declaration on line 1, or on line 2 below a blank or comment line
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_BLANK = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)", re.ASCII)


def _declared(data: bytes) -> Optional[Tuple[str, int]]:
    """Return the encoding a program declares, and on which line, if it declares one."""
    for number, line in enumerate(data.split(b"\n", 2)[:2], 1):
        match = _COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii"), number
        if number == 1 and not _BLANK.match(line):
            break
    return None


def _is_utf8(name: str) -> bool:
    import codecs

    try:
        return codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def _undecodable(data: bytes, filename: str, given: str) -> SyntaxError:
    """Return the SyntaxError ``python FILE`` shows for source it cannot decode."""
    declared = _declared(data)
    if (data.startswith(b"\xef\xbb\xbf") or (declared and _is_utf8(declared[0]))
            or (declared and sys.version_info >= (3, 14))
            or sys.implementation.name != "cpython"):  # PyPy says what its compile() says
        try:  # the interpreter says what compile() says
            compile(data, filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return exc
        return SyntaxError(f"cannot decode {given!r}")  # pragma: no cover - compile() took it
    # The interpreter's own messages, which changed with the versions:
    if sys.version_info < (3, 9):  # the path as typed, on a line of its own
        shown, url = given, "http://python.org/dev/peps/pep-0263/"
    elif sys.version_info < (3, 11):
        shown, url = filename, "https://python.org/dev/peps/pep-0263/"
    else:
        shown, url = filename, "https://peps.python.org/pep-0263/"
    if declared:  # an unknown encoding, or one the text is not in (3.8-3.13)
        message, line = f"encoding problem: {declared[0]}", declared[1]
        return (SyntaxError(message, (shown, line, None, None)) if sys.version_info < (3, 9)
                else SyntaxError(message))
    try:
        data.decode("utf-8")
        start = 0  # pragma: no cover - only undecodable data comes here
    except UnicodeDecodeError as exc:
        start = exc.start
    line = data.count(b"\n", 0, start) + 1
    message = (f"Non-UTF-8 code starting with '\\x{data[start]:02x}' in file {shown} on line "
               f"{line}, but no encoding declared; see {url} for details")
    if sys.version_info < (3, 9):
        return SyntaxError(message, (shown, line, None, None))
    if sys.version_info < (3, 14):  # 3.9-3.13 print the message alone
        return SyntaxError(message)
    # 3.14 shows the line, decoded with replacement characters, and a caret at the byte
    begin = data.rfind(b"\n", 0, start) + 1
    end = data.find(b"\n", start)
    text = data[begin:end if end >= 0 else len(data)].decode("utf-8", "replace").rstrip("\r")
    column = len(data[begin:start].decode("utf-8", "replace")) + 1
    return SyntaxError(message, (filename, line, column, text, line, column))


def _null_bytes(data: bytes, filename: str) -> bytes:
    """Do with NUL bytes what ``python FILE`` does: drop them (3.8-3.10) or refuse them.

    3.8-3.10 read a script line by line as C strings: a line ends at its first
    NUL byte, and the rest of it, newline included, is never seen (the next
    line joins it).  3.11+ refuse the file, naming the line (and showing it up
    to the byte, with no caret).
    """
    if b"\0" not in data:
        return data
    if sys.version_info < (3, 11):
        return re.sub(rb"\0[^\n]*\n?", b"", data)
    start = data.index(b"\0")
    line = data.count(b"\n", 0, start) + 1
    begin = data.rfind(b"\n", 0, start) + 1
    text = data[begin:start].decode("utf-8", "replace")
    raise SyntaxError("source code cannot contain null bytes", (filename, line, 0, text))


def decode_source(data: bytes, filename: str, given: str) -> str:
    """Decode a program as the interpreter does (PEP 263), newlines translated.

    ``filename`` is the name the code is compiled under, ``given`` the path as
    typed (3.8 shows that one).

    Raises:
        SyntaxError: the one ``python FILE`` shows when it cannot decode the
            file (or, on 3.11+, when it holds a NUL byte).
    """
    data = _null_bytes(data, filename)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return io.TextIOWrapper(io.BytesIO(data), encoding).read()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        pass
    raise _undecodable(data, filename, given)
