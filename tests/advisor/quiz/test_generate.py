"""The quiz questions on the bundled notes, checked for the properties a member relies on: every quote is a sentence
of the cited note, word for word; the quote supports the answer and no other option; options differ; the same
notes always give the same questions; and there are enough of them in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from advisor.quiz.checks import SUPPORTED, UNSUPPORTED, problems, support
from advisor.quiz.generate import QuizQuestion, generate
from advisor.quiz.notes import Note, bundled_notes, notes_from_chunks
from knowledge.documents import BUNDLED_CORPUS


@pytest.fixture(scope="module")
def notes() -> list[Note]:
    return bundled_notes()


@pytest.fixture(scope="module")
def questions(notes: list[Note]) -> list[QuizQuestion]:
    return generate(notes)


def test_the_bundled_notes_give_at_least_150_questions_in_english_and_chinese(questions: list[QuizQuestion]) -> None:
    english = [q for q in questions if q.language == "en"]
    chinese = [q for q in questions if q.language == "zh"]
    assert len(questions) >= 150
    assert len(english) >= 120 and len(chinese) >= 30
    assert {q.kind for q in chinese} == {"define", "term", "ask"}  # the Chinese notes list no "common mistakes"
    assert len({q.citation.doc_id for q in questions}) >= 30  # nearly every note is asked about


def test_every_quote_is_a_sentence_of_the_cited_note_word_for_word(questions: list[QuizQuestion]) -> None:
    for question in questions:
        raw = (BUNDLED_CORPUS / question.citation.doc_id).read_text(encoding="utf-8")  # the file, not our parse
        assert question.citation.quote in raw, question.id
        assert re.search(r"[.?!。？！]$", question.citation.quote), question.citation.quote  # a whole sentence
        title = re.search(r"^title: (.+)$", raw, re.MULTILINE)
        assert title is not None and title.group(1).strip() == question.citation.title


def test_the_quote_supports_the_answer_and_no_other_option(questions: list[QuizQuestion]) -> None:
    for question in questions:
        quote = question.citation.quote.casefold()
        right = question.options[question.answer]
        # The answer is literally in the quote (a self-check question IS the quote).
        assert right.casefold().rstrip("?？") in quote or right == question.citation.quote, question.id
        assert support(right, question.citation.quote) >= SUPPORTED
        for index, option in enumerate(question.options):
            if index != question.answer:
                assert option.casefold() not in quote, (question.id, option)
                assert support(option, question.citation.quote) < UNSUPPORTED, (question.id, option)


def test_wrong_options_are_things_the_cited_note_never_says(notes: list[Note],
                                                              questions: list[QuizQuestion]) -> None:
    texts = {note.doc_id: note.text.casefold() for note in notes}
    for question in questions:
        for index, option in enumerate(question.options):
            if index != question.answer:
                assert option.casefold() not in texts[question.citation.doc_id], (question.id, option)


def test_options_are_four_and_distinct_and_answers_are_spread(questions: list[QuizQuestion]) -> None:
    for question in questions:
        assert len(question.options) == 4
        assert len({o.casefold() for o in question.options}) == 4
        assert not problems(question.options, question.answer, question.citation.quote,
                            (BUNDLED_CORPUS / question.citation.doc_id).read_text(encoding="utf-8"))
    positions = [q.answer for q in questions]
    assert all(positions.count(i) > len(questions) / 8 for i in range(4))  # the answer is not always "A"
    assert len({q.id for q in questions}) == len(questions)


def test_the_same_notes_give_the_same_questions_in_any_order(notes: list[Note],
                                                             questions: list[QuizQuestion]) -> None:
    assert generate(notes) == questions
    assert generate(list(reversed(notes))) == questions
    bonds = generate(notes, topic="bonds")
    assert bonds and {q.citation.doc_id for q in bonds} == {"bonds-and-interest-rate-risk.md"}
    assert set(bonds) <= set(questions)  # a filter picks questions; it never changes their ids or options


def test_topics_and_languages_filter(notes: list[Note]) -> None:
    leverage = generate(notes, topic="杠杆")
    assert leverage and {q.language for q in leverage} == {"zh"}
    assert any(q.question == "根据《杠杆与融资融券：保证金、强制平仓与亏损放大》，“杠杆”是指什么？" for q in leverage)
    assert {q.language for q in generate(notes, language="en", topic="ETF")} == {"en"}
    assert generate(notes, topic="astrology") == []


def test_a_definition_question_reads_like_the_note(questions: list[QuizQuestion]) -> None:
    (question,) = [q for q in questions if q.question == 'According to the note "Diversification", what is '
                   'diversification?']
    assert question.options[question.answer].startswith("The practice of spreading money across several")
    assert question.citation.quote.startswith("Diversification is the practice of spreading money")
    assert json.loads(json.dumps(question.to_json())) == {
        "id": question.id, "language": "en", "question": question.question, "options": list(question.options),
        "answer": question.answer, "citation": {"doc_id": "diversification.md", "title": "Diversification",
                                                "quote": question.citation.quote}}


def test_the_checks_catch_an_unsound_question() -> None:
    note = "Leverage is the use of borrowed money to control a larger position. Margin is a loan from a broker."
    quote = "Leverage is the use of borrowed money to control a larger position."
    sound = ["The use of borrowed money to control a larger position", "A shared ledger", "A payment to shareholders"]
    assert problems(sound, 0, quote, note) == []
    assert "the quote is not verbatim in the note" in problems(sound, 0, quote.replace("larger", "big"), note)
    assert "the quote does not support the answer" in problems(sound, 1, quote, note)
    twice = [*sound, "Borrowed money used to control a larger position"]
    assert "the quote also supports option(s) [3]" in problems(twice, 0, quote, note)
    assert "two options read the same" in problems([*sound, "a shared LEDGER"], 0, quote, note)


def test_a_collection_s_chunks_become_notes(notes: list[Note]) -> None:
    diversification = next(n for n in notes if n.doc_id == "diversification.md")
    halves = diversification.text.split("## How Diversification Works")
    meta = {"doc_id": "diversification.md", "title": diversification.title, "tags": ",".join(diversification.tags)}
    rebuilt = notes_from_chunks([(halves[0], meta), ("分散投资是指把资金分配到多种资产。", {"doc_id": "zh-note.md"}),
                                 ("## How Diversification Works" + halves[1], meta)])
    assert [(n.doc_id, n.language) for n in rebuilt] == [("diversification.md", "en"), ("zh-note.md", "zh")]
    # The title and tags come back from the chunks' metadata (distractors are chosen by tag); a chunk without a
    # title is named after its file.
    assert (rebuilt[0].title, rebuilt[0].tags) == (diversification.title, diversification.tags)
    assert rebuilt[1].title == "zh note" and rebuilt[1].tags == ()
    from_chunks = generate([*rebuilt, *(n for n in notes if n.doc_id != "diversification.md")],
                           topic="diversification", language="en")
    assert any(q.citation.quote.startswith("Diversification is the practice") for q in from_chunks)


def test_the_cli_prints_the_contract(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bots.app.cli import app

    result = CliRunner().invoke(app, ["quiz", "generate", "--language", "zh", "--topic", "港股通", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert list(payload) == ["questions"] and payload["questions"]
    for item in payload["questions"]:
        assert list(item) == ["id", "language", "question", "options", "answer", "citation"]
        assert list(item["citation"]) == ["doc_id", "title", "quote"]
        assert item["language"] == "zh" and item["citation"]["doc_id"] == "zh-stock-connect.md"
