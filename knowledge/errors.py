"""Roundtable's error hierarchy.

    RoundtableError            anything we raise on purpose
    ├── UserError              safe to show to a user as it is (bad input, missing collection, ...)
    │   ├── InvalidQueryError      empty, over-long or binary query text
    │   ├── CollectionNotFoundError
    │   └── NoDocumentsError       an ingest found nothing to read
    └── ModelMissingError      the embedding model or tokenizer is not installed (an install problem)

Only ``UserError`` messages reach users; everything else is logged with a reference id.
"""

from __future__ import annotations


class RoundtableError(Exception):
    """Base class of every error Roundtable raises on purpose."""


class UserError(RoundtableError):
    """An error whose message is written for the user and safe to show."""


class InvalidQueryError(UserError):
    pass


class CollectionNotFoundError(UserError):
    def __init__(self, name: str, available: list[str] | None = None) -> None:
        hint = f" Available: {', '.join(sorted(available))}." if available else ""
        super().__init__(f"There is no collection named {name!r}.{hint} Create it with `roundtable ingest`.")
        self.name = name


class NoDocumentsError(UserError):
    pass


class ModelMissingError(RoundtableError):
    """The embedding model or its tokenizer is not installed."""
