"""Read and decode one file, and prepare its text for the parsers of today."""

import io
import re
import tokenize
from typing import Tuple

from legacy_coro.port import fixes

__all__ = ["INTERESTING", "NEEDS_IMPORT", "decode", "prepare"]

#: Cheap test on the bytes: a file without any of these has nothing to port.
INTERESTING = re.compile(rb"coroutine|yield|loop|all_tasks|current_task|wait|\basync\b")
#: The text any rewrite needs: every construct the port rewrites is reached
#: through an import of asyncio or legacy_coro.
NEEDS_IMPORT = re.compile(r"asyncio|legacy_coro")


def decode(source: bytes) -> Tuple[str, str]:
    """Return the text of *source* and its encoding (PEP 263; UTF-8 unless declared)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding), encoding


def prepare(text: str) -> str:
    """Run the fixes' passes over the text that come before any parser (``asyncio.async``)."""
    for fix in fixes.FIXES:
        if fix.prepare is not None:
            text = fix.prepare(text)
    return text
