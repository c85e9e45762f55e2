"""The category table and deadline rules this process uses, loaded once (a deployment may point to
its own CSVs)."""

from __future__ import annotations

import os
from functools import cache

from models.categories import Category, CategoryTable
from models.deadlines import SourceRules


@cache
def categories() -> CategoryTable:
    return CategoryTable.load(os.environ.get("CHENGGUAN_CATEGORIES_FILE") or None)


@cache
def source_rules() -> SourceRules:
    return SourceRules.load(os.environ.get("CHENGGUAN_SOURCE_RULES_FILE") or None)


def category_label(code: str) -> str:
    """"E0102" -> "市容环境/暴露垃圾"; a code the table does not know is shown as it is."""
    try:
        return categories().get(code).label
    except KeyError:
        return code


def find_by_words(text: str) -> Category | None:
    """A category typed by name: 大类/小类, or just the 小类 when that is unambiguous."""
    text = text.strip()
    try:
        return categories().by_name(text)
    except KeyError:
        pass
    named = [c for c in categories() if c.minor == text]
    return named[0] if len(named) == 1 else None
