from __future__ import annotations

from advisor.composer import GroundedComposer, split_sentences
from knowledge.retrieval import Hit


def hit(doc: str, text: str, score: float) -> Hit:
    return Hit(doc, f"{doc}-c", score, doc.title(), f"{doc}.md", text, {"doc_id": doc})


def test_split_sentences_skips_headings_questions_and_fragments() -> None:
    text = ("## Heading\nBond prices fall when rates rise. Duration measures that sensitivity!\n"
            "Is this right for you? Short bit.\n分散投资可以降低单一资产的风险。你准备好了吗？")
    assert split_sentences(text) == ["Bond prices fall when rates rise.", "Duration measures that sensitivity!",
                                     "分散投资可以降低单一资产的风险。"]


def test_compose_picks_relevant_sentences_in_reading_order() -> None:
    hits = [
        hit("bonds", "Bonds are loans to issuers. Bond prices fall when interest rates rise. "
                     "Longer bonds are more sensitive to rate changes. Coupons are paid twice a year.", 0.8),
        hit("cats", "Cats sleep for most of the day. Cats enjoy warm windowsills and boxes.", 0.3),
        hit("rates", "When interest rates rise, existing bonds with lower coupons lose value.", 0.7),
    ]
    draft = GroundedComposer().compose("why do bond prices fall when interest rates rise?", hits)
    texts = [c.text for c in draft.sentences]
    assert "Bond prices fall when interest rates rise." in texts
    assert not any("Cats" in t for t in texts)
    assert len(texts) <= 4 and draft.strength > 0.5
    ranks = [(c.rank, c.position) for c in draft.sentences]
    assert ranks == sorted(ranks)  # grouped by source, reading order within it
    assert draft.sentences[0].hit.doc_id == "bonds"


def test_duplicates_from_overlapping_chunks_are_quoted_once() -> None:
    sentence = "Margin calls can force a sale at the worst moment."
    hits = [hit("m1", f"{sentence} Leverage magnifies losses.", 0.9), hit("m2", sentence, 0.8)]
    draft = GroundedComposer().compose("what is a margin call", hits)
    assert [c.text for c in draft.sentences].count(sentence) == 1


def test_no_hits_make_an_empty_draft() -> None:
    draft = GroundedComposer().compose("anything", [])
    assert draft.sentences == () and draft.strength == 0.0
