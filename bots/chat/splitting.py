"""Cutting long replies into messages a platform accepts, for every front-end.

Cuts fall at the coarsest boundary that fits (paragraphs, then lines, then whatever the front-end lists);
what still does not fit goes to the front-end's own ``hard_cut``, which knows which cuts would break its markup.
"""

from __future__ import annotations

from collections.abc import Callable


def split(text: str, limit: int, separators: tuple[str, ...], hard_cut: Callable[[str, int], list[str]]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return hard_cut(text, limit)
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = part if len(part) <= limit else ""
        if not current:
            pieces.extend(split(part, limit, finer, hard_cut))
    return [*pieces, current] if current else pieces
