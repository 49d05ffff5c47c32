"""Quiz results and the risk profile's knowledge answer: raised only on a real record, never lowered."""

from __future__ import annotations

from advisor.quiz.knowledge import quiz_knowledge, raise_knowledge
from advisor.quiz.progress import Progress
from advisor.suitability import Profile

ANSWERS = {"horizon": 2, "loss": 2, "reaction": 2, "experience": 1, "knowledge": 0, "income": 1, "reserve": 1,
           "objective": 1}


def record(answered: int, right: dict[str, int]) -> Progress:
    return Progress(answered, sum(right.values()), right, frozenset())


def test_a_short_or_patchy_record_shows_nothing() -> None:
    assert quiz_knowledge(record(9, {"bonds-and-interest-rate-risk.md": 9})) == 0  # fewer than 10 right
    assert quiz_knowledge(record(20, {"bonds-and-interest-rate-risk.md": 12})) == 0  # 60% right
    assert quiz_knowledge(record(12, {"bonds-and-interest-rate-risk.md": 10})) == 1
    advanced = {"bonds-and-interest-rate-risk.md": 6, "options-basics-and-risks.md": 3, "short-selling.md": 2}
    assert quiz_knowledge(record(12, advanced)) == 2


def test_the_quiz_raises_the_knowledge_answer_and_the_level_never_falls() -> None:
    profile = Profile.from_answers("telegram:5", ANSWERS)
    raised = raise_knowledge(profile, record(12, {"bonds-and-interest-rate-risk.md": 11}))
    assert raised is not None
    assert raised.after.answers["knowledge"] == 1 and raised.after.points > profile.points
    assert raised.after.level >= profile.level  # "C2" < "C3": levels compare as strings of one digit
    assert {k: v for k, v in raised.after.answers.items() if k != "knowledge"} == \
        {k: v for k, v in ANSWERS.items() if k != "knowledge"}


def test_a_member_who_claimed_more_keeps_their_answer() -> None:
    expert = Profile.from_answers("telegram:5", {**ANSWERS, "knowledge": 2})
    assert raise_knowledge(expert, record(30, {"bonds-and-interest-rate-risk.md": 30})) is None
    assert raise_knowledge(Profile.from_answers("telegram:5", ANSWERS), record(3, {"x.md": 3})) is None
