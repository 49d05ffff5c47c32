"""How a report counts: local days and hours in the chat's zone (daylight saving, half-hour offsets), hourly
series for short windows, moderation counted once per flagged message, and an empty window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from advisor.report.activity import HourCounts
from advisor.report.summary import BriefingSend, ModerationStep, build_report

T0 = datetime(2026, 10, 20, tzinfo=UTC)


def hour(at: datetime, messages: int = 1, score: float = 0.0, fear: int = 0) -> HourCounts:
    return HourCounts(at, messages, messages if score > 0 else 0, messages if score < 0 else 0,
                      messages if score == 0 else 0, fear, score * messages)


def test_a_week_across_the_end_of_summer_time_has_seven_local_days() -> None:
    # London leaves summer time on Sunday 25 October 2026: that day is 25 hours long.
    since = datetime(2026, 10, 19, tzinfo=UTC) - timedelta(hours=1)  # Monday 00:00 in London (BST)
    until = datetime(2026, 10, 26, tzinfo=UTC)  # Monday 00:00 in London (GMT)
    late_sunday = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # 23:30 GMT: still Sunday
    report = build_report("telegram:-1", since, until, zone="Europe/London",
                          activity=[hour(since, 2, 0.5), hour(late_sunday - timedelta(minutes=30), 3, -0.5)])
    days = [bucket.start.date() for bucket in report.mood]
    assert days == [date(2026, 10, 19) + timedelta(days=n) for n in range(7)]
    assert (report.mood[0].messages, report.mood[0].mood_index) == (2, 50.0)
    assert (report.mood[-1].messages, report.mood[-1].mood_index) == (3, -50.0)
    assert report.hours[0] == 2 and report.hours[23] == 3  # local hours: 00:00 BST, 23:00 GMT


def test_a_half_hour_zone_counts_an_hour_at_the_local_hour_it_starts_in() -> None:
    report = build_report("discord:1", T0, T0 + timedelta(days=1), zone="Asia/Kolkata",  # UTC+5:30
                          activity=[hour(T0 + timedelta(hours=4), 5), hour(T0 + timedelta(hours=5), 2)])
    assert report.hours[9] == 5 and report.hours[10] == 2  # 04:00 UTC = 09:30 IST; 05:00 UTC = 10:30 IST
    assert report.busiest == (9, 10)
    assert report.bucket == "hour" and report.timezone == "Asia/Kolkata" and report.timezone_source == "briefing"


def test_two_days_or_less_get_an_hourly_series_covering_every_hour() -> None:
    report = build_report("telegram:-1", T0, T0 + timedelta(hours=6), activity=[hour(T0 + timedelta(hours=2), 4)])
    assert report.bucket == "hour" and report.timezone == "UTC" and report.timezone_source == "default"
    assert [b.messages for b in report.mood] == [0, 0, 4, 0, 0, 0]
    assert [b.mood_index for b in report.mood] == [None, None, 0.0, None, None, None]


def test_moderation_counts_flagged_messages_by_category_and_every_step_by_action() -> None:
    steps = [ModerationStep(T0, "hold", "bot", ("hype", "pump")), ModerationStep(T0, "reject", "telegram:9",
                                                                                ("hype", "pump")),
             ModerationStep(T0, "warn", "bot", ("promissory",)), ModerationStep(T0, "warn", "bot", ("promissory",)),
             ModerationStep(T0, "mute", "bot")]
    moderation = build_report("telegram:-1", T0, T0 + timedelta(days=7), moderation=steps).moderation
    assert moderation.total == 3  # the hold and two warnings; the admin's reject and the mute follow from them
    assert moderation.by_category == {"promissory": 2, "hype": 1, "pump": 1}
    assert moderation.by_action == {"warn": 2, "hold": 1, "mute": 1, "reject": 1}


def test_briefings_count_by_status_and_list_the_days_sent() -> None:
    sends = [BriefingSend(date(2026, 10, 21), "sent"), BriefingSend(date(2026, 10, 20), "sent"),
             BriefingSend(date(2026, 10, 22), "failed")]
    briefings = build_report("telegram:-1", T0, T0 + timedelta(days=7), briefings=sends).briefings
    assert briefings.to_json() == {"sent": 2, "failed": 1, "skipped": 0, "dates": ["2026-10-20", "2026-10-21"]}


def test_an_empty_window_is_a_report_that_says_so() -> None:
    report = build_report("telegram:-1", T0, T0 + timedelta(days=7))
    payload = report.to_json()
    assert payload["empty"] is True and payload["questions"]["by_risk"] == {f"R{n}": 0 for n in range(1, 6)}
    assert payload["mood"]["mood_index"] is None and payload["mood"]["fear_share"] is None
    assert len(payload["mood"]["series"]) == 7 and payload["hours"]["messages"] == [0] * 24


def test_a_window_must_be_aware_and_forward() -> None:
    with pytest.raises(ValueError, match="before"):
        build_report("telegram:-1", T0, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report("telegram:-1", T0.replace(tzinfo=None), T0 + timedelta(days=1))
