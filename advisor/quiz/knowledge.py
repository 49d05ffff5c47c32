"""Quiz results and the risk profile's "knowledge" answer (advisor.suitability QUESTIONNAIRE item "knowledge").

Only with the member's consent, and only upwards: quiz results may raise the knowledge answer the member gave,
never lower it, and the level is recomputed from the questionnaire's own scoring (so it can rise, never fall).
The thresholds ask for a real record, not a lucky streak:

- choice 1 ("I know shares, bonds and funds"): at least 10 right answers, at least 70% of all answers right;
- choice 2 ("I also understand leverage, options or short selling"): that, plus at least 5 right answers on the
  notes about those products (margin and leverage, options, short selling, leveraged ETFs, 融资融券).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from advisor.quiz.progress import Progress
from advisor.suitability import QUESTIONNAIRE, Profile

KNOWLEDGE = "knowledge"
BASIC_RIGHT = 10
BASIC_SHARE = 0.7
ADVANCED_RIGHT = 5
# Notes about leverage, options and short selling: what the questionnaire's top knowledge answer names.
ADVANCED_NOTES = ("margin-and-leverage", "options-basics", "short-selling", "leveraged-and-inverse", "zh-leverage")


def quiz_knowledge(progress: Progress) -> int:
    """The knowledge choice (0, 1 or 2) the member's quiz record shows."""
    if progress.correct < BASIC_RIGHT or progress.correct < BASIC_SHARE * progress.answered:
        return 0
    advanced = sum(right for doc, right in progress.right_by_note.items() if doc.startswith(ADVANCED_NOTES))
    return 2 if advanced >= ADVANCED_RIGHT else 1


def knowledge_label(choice: int) -> str:
    item = next(item for item in QUESTIONNAIRE if item.key == KNOWLEDGE)
    return item.choices[choice].en


@dataclass(frozen=True)
class Raised:
    """A profile whose knowledge answer the quiz raised: ``before`` and ``after`` are the two profiles."""

    before: Profile
    after: Profile


def raise_knowledge(profile: Profile, progress: Progress) -> Raised | None:
    """The profile with the knowledge answer raised to what the quiz shows, or None when nothing would change
    (no answer to raise, or the member already claimed as much)."""
    current = profile.answers.get(KNOWLEDGE)
    shown = quiz_knowledge(progress)
    if current is None or shown <= current:
        return None
    updated = Profile.from_answers(profile.user_id, {**profile.answers, KNOWLEDGE: shown})
    if updated.points < profile.points:  # cannot happen (more points for more knowledge), but never lower silently
        return None
    return Raised(profile, replace(updated, user_id=profile.user_id))
