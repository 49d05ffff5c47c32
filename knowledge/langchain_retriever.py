"""The hybrid retriever as a langchain ``BaseRetriever``, for langchain chains and agents.

Kept out of ``knowledge.retrieval``: langchain's retriever base class pulls in its tracing stack (about 0.6 s
of imports), which the bot itself never uses.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from knowledge.retrieval import HybridRetriever


class ResearchRetriever(BaseRetriever):
    """The hybrid retriever as a langchain ``BaseRetriever``: ``Document``s with score and metadata."""

    retriever: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hybrid: HybridRetriever = self.retriever
        return [Document(page_content=hit.text, id=hit.chunk_id,
                         metadata={**hit.metadata, "score": hit.score, "chunk_id": hit.chunk_id,
                                   "title": hit.title, "source": hit.source})
                for hit in hybrid.search(query, k=self.k)]
