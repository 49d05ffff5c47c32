"""When a briefing is due, in the chat's own zone, and what members may type to say so."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from advisor.briefing.markets import MARKETS, is_trading_day, market_of
from advisor.briefing.subscription import (
    Subscription,
    format_days,
    parse_days,
    parse_market,
    parse_time,
    parse_zone,
)
from knowledge.errors import UserError


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_new_york_0830_follows_daylight_saving_time() -> None:
    sub = Subscription("telegram:-100", time(8, 30), "America/New_York")
    # Monday 2 March 2026 is winter time (UTC-5); Monday 9 March, the day after the change, summer time (UTC-4).
    assert sub.due_date(utc(2026, 3, 2, 13, 30)) == date(2026, 3, 2)
    assert sub.due_date(utc(2026, 3, 2, 12, 30)) is None
    assert sub.due_date(utc(2026, 3, 9, 12, 30)) == date(2026, 3, 9)
    assert sub.due_date(utc(2026, 3, 9, 13, 30)) is None
    # And back on Monday 2 November 2026, the day after summer time ends.
    assert sub.due_date(utc(2026, 11, 2, 13, 30)) == date(2026, 11, 2)


def test_a_zone_without_daylight_saving_is_due_at_the_same_utc_time_all_year() -> None:
    sub = Subscription("discord:1", time(8, 30), "Asia/Shanghai", market="CN")
    assert sub.due_date(utc(2026, 1, 5, 0, 30)) == date(2026, 1, 5)
    assert sub.due_date(utc(2026, 7, 6, 0, 30)) == date(2026, 7, 6)


def test_due_from_the_local_time_until_the_grace_period_ends() -> None:
    sub = Subscription("telegram:-100", time(8, 30), "Europe/London", market="UK")
    assert sub.due_date(utc(2026, 1, 5, 8, 29, 59)) is None
    assert sub.due_date(utc(2026, 1, 5, 8, 30)) == date(2026, 1, 5)
    assert sub.due_date(utc(2026, 1, 5, 8, 59, 59)) == date(2026, 1, 5)
    assert sub.due_date(utc(2026, 1, 5, 9, 0)) is None


def test_a_late_evening_briefing_is_still_due_after_midnight() -> None:
    sub = Subscription("telegram:-100", time(23, 50), "UTC", days=frozenset(range(7)))
    assert sub.due_date(utc(2026, 1, 6, 0, 10)) == date(2026, 1, 5)


def test_only_on_the_chosen_days_and_the_market_zone_is_the_default() -> None:
    sub = Subscription("telegram:-100")  # 08:30, mon-fri, US: New York time
    assert sub.zone == "America/New_York"
    assert sub.due_date(utc(2026, 11, 28, 13, 30)) is None  # a Saturday
    weekend = Subscription("telegram:-100", days=parse_days("sat,sun"))
    assert weekend.due_date(utc(2026, 11, 28, 13, 30)) == date(2026, 11, 28)


def test_exchange_holidays_are_not_trading_days() -> None:
    assert not is_trading_day("US", date(2026, 11, 26))  # Thanksgiving
    assert is_trading_day("US", date(2026, 11, 27))
    assert not is_trading_day("HK", date(2026, 12, 25))
    assert not is_trading_day("UK", date(2026, 11, 28))  # a Saturday


def test_past_the_calendar_data_weekdays_are_assumed_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert is_trading_day("CN", date(2031, 6, 2))
    assert "assumed to be a trading day" in caplog.text


@pytest.mark.parametrize(("text", "expected"), [
    ("mon-fri", "mon-fri"), ("weekdays", "mon-fri"), ("daily", "daily"), ("mon,wed-fri", "mon,wed,thu,fri"),
    ("fri-mon", "mon,fri,sat,sun"), ("Sat Sun", "sat,sun")])
def test_days_are_read_the_way_people_write_them(text: str, expected: str) -> None:
    assert format_days(parse_days(text)) == expected


@pytest.mark.parametrize(("parse", "text", "says"), [
    (parse_time, "25:00", "not a time of day"), (parse_time, "8", "HH:MM"), (parse_time, "08:61", "HH:MM"),
    (parse_zone, "Mars/Olympus", "not a time zone"), (parse_zone, "../../etc/passwd", "not a time zone"),
    (parse_days, "someday", "not a set of days"), (parse_days, ",", "at least one day"),
    (parse_market, "JP", "US, HK, CN, UK, EU")])
def test_bad_input_is_refused_with_a_message_for_the_member(parse: object, text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse(text)  # type: ignore[operator]


def test_good_input_is_normalised() -> None:
    assert parse_time("7.05") == time(7, 5)
    assert parse_zone("Asia/Hong_Kong") == "Asia/Hong_Kong"
    assert parse_market("hk") == "HK"
    with pytest.raises(UserError):
        market_of("Mars")
    assert all(market.indices and market.calendar for market in MARKETS.values())


def test_describe_says_what_the_chat_will_get() -> None:
    text = Subscription("telegram:-100", watchlist=("AAPL", "0700.HK")).describe()
    assert "08:30 America/New_York, mon-fri" in text and "AAPL, 0700.HK" in text
