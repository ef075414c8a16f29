"""How text typed by people is compared: the one home of text normalisation."""

from __future__ import annotations

import unicodedata

__all__ = ["compact_text", "normalize_text"]


def compact_text(text: str) -> str:
    """NFKC (full-width → half-width) with every white space removed: how labels and codes
    typed by people are compared (``"统一社会 信用代码"`` and ``"９１５…"`` match)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC) and surrounding white space (incl. U+3000) removed."""
    return unicodedata.normalize("NFKC", text).strip()
