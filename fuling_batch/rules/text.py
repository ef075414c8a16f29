"""Text typed by people: how it is compared, and how it is cleaned before any output holds it.

The one home of text normalisation. :func:`clean_text` is the one cleaning function: every
text the program writes (notices, the 呈批表, the summary, returned copies, report.json,
history) has gone through it, so a control character typed or smuggled into a sheet (``_x0001_``
in sharedStrings.xml becomes a real U+0001) cannot break an output that another one survives.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["INVISIBLE", "clean_text", "compact_text", "normalize_text", "strip_invisible"]

# XML 1.0 cannot hold C0 controls (except tab, LF, CR), lone surrogates, U+FFFE/U+FFFF; DEL
# and the C1 controls are legal but never meant.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"\s*[\t\r\n]+\s*")
# Bidi controls (U+202E makes "exe.txt" show as "txt.exe"), zero-width and other invisible
# format characters: they change how a name looks without changing what it is.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)


def clean_text(value: object, *, keep_breaks: bool = False) -> str:
    """``value`` as text every output can hold: no XML-illegal or control characters, no bidi
    or invisible format characters, no surrounding white space; tabs and line breaks become
    one space unless ``keep_breaks`` (a cell of the summary may wrap; a run of a .docx cannot).

    Everything else (``&``, ``<``, quotes, any script, characters outside the BMP) is kept
    exactly: escaping is each writer's business.
    """
    text = str(value)
    if text.isprintable():  # the usual case: no control, break, surrogate or format character
        return text.strip()
    text = INVISIBLE.sub("", _NOT_XML.sub("", text))
    if not keep_breaks:
        text = _BREAKS.sub(" ", text)
    return text.strip()


def strip_invisible(text: str) -> str:
    """``text`` without bidi controls and invisible format characters."""
    return INVISIBLE.sub("", text)


def compact_text(text: str) -> str:
    """NFKC (full-width → half-width) with every white space removed: how labels and codes
    typed by people are compared (``"统一社会 信用代码"`` and ``"９１５…"`` match)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC) and surrounding white space (incl. U+3000) removed."""
    return unicodedata.normalize("NFKC", text).strip()
