"""Choosing between the Japanese and English text of a bilingual record."""

from __future__ import annotations

from django.utils.translation import get_language


def current_lang() -> str:
    """ "en" on English pages, otherwise "ja" (Japanese is the default language)."""
    lang = get_language() or "ja"
    return "en" if lang.startswith("en") else "ja"


def localized(ja: str, en: str) -> str:
    """The English text on English pages when there is one, else the Japanese."""
    if current_lang() == "en" and en:
        return en
    return ja or en
