"""The stores every command needs, without the research corpus: profiles, market data, portfolios and briefing
subscriptions.

Kept apart from ``composition`` (which also loads Chroma, the embedding model and langchain) so that
`roundtable quote` and `roundtable portfolio` start in a fraction of the time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from advisor.briefing.store import SqlBriefingStore
from advisor.db import app_engine
from advisor.keycheck import check_keys, counts, describe, holds_secrets
from advisor.keys import (
    KeyProblem,
    KeyRing,
    create_key_file,
    loose_permissions,
    parse_pseudonym_key,
    ring_from_file,
    ring_from_settings,
)
from advisor.market.data import MarketData
from advisor.market.desk import QuoteDesk
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from bots.app.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Markets:
    """The market features: quotes and charts (``desk``) and private portfolios, on one data source."""

    market: MarketData
    desk: QuoteDesk
    portfolios: Portfolios


def key_file(settings: Settings) -> Path:
    return settings.home / "secret.key"


def load_ring(settings: Settings, engine: Engine) -> KeyRing:
    """The key ring from ROUNDTABLE_SECRET_KEY or the key file, without checking it against the database. A
    missing key file is created only when the database holds no encrypted data: a new key over data written
    with a lost one would make it unreadable for good."""
    pseudonym = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else None
    if settings.secret_key:
        return ring_from_settings(settings.secret_key.get_secret_value(), pseudonym)
    override = parse_pseudonym_key(pseudonym, "ROUNDTABLE_PSEUDONYM_KEY") if pseudonym else None
    path = key_file(settings)
    if not path.exists():
        if holds_secrets(engine):
            raise KeyProblem(f"Cannot start: the key file {path} is missing, but the database holds "
                             f"{describe(counts(engine))} encrypted with it. Nothing was changed and no new key "
                             "was made. Restore the key file from a backup (or set ROUNDTABLE_SECRET_KEY).")
        create_key_file(path)
        log.info("created a new key file at %s", path)
    warning = loose_permissions(path)
    if warning:
        log.warning(warning)
    return ring_from_file(path, override)  # the environment's pseudonym key wins (the check verifies it)


def key_ring(settings: Settings, engine: Engine | None = None) -> KeyRing:
    """The app's keys, checked against its database (``KeyProblem`` names what is wrong and what is at stake)."""
    own = engine is None
    settings.home.mkdir(parents=True, exist_ok=True)  # the SQLite file and the key file live there
    engine = engine or app_engine(settings.sqlalchemy_url)
    try:
        ring = load_ring(settings, engine)
        check_keys(engine, ring)
        return ring
    finally:
        if own:
            engine.dispose()


def open_profiles(settings: Settings) -> SqlProfileStore:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = app_engine(settings.sqlalchemy_url)
    return SqlProfileStore(engine, key_ring(settings, engine))


def open_market_data(settings: Settings, profiles: SqlProfileStore) -> MarketData:
    """ROUNDTABLE_MARKET_DATA: ``yahoo`` (live, behind the database cache), ``offline`` (the bundled sample) or
    ``csv:DIR``. Local files are read once per change by the csv provider itself, so they need no cache."""
    from advisor.market.csvdir import CsvMarketData, offline_market_data

    source = settings.market_data
    if source == "offline":
        return offline_market_data()
    if source.startswith("csv:"):
        return CsvMarketData(Path(source[4:]).expanduser())
    from advisor.market.cache import MarketDataCache
    from advisor.market.yahoo import YahooMarketData

    yahoo = YahooMarketData(deadline=settings.market_timeout, cache_dir=settings.home / "yfinance")
    return MarketDataCache(yahoo, profiles.engine)


def open_markets(settings: Settings, profiles: SqlProfileStore) -> Markets:
    market = open_market_data(settings, profiles)
    desk = QuoteDesk(market, PriceRisk(market))
    holdings = SqlHoldingsStore(profiles.engine, profiles.ring)
    portfolios = Portfolios(holdings, desk, profiles, base_currency=settings.base_currency.upper(),
                            benchmark=settings.benchmark)
    return Markets(market, desk, portfolios)


def open_briefing_store(settings: Settings, profiles: SqlProfileStore | None = None) -> SqlBriefingStore:
    """Briefing subscriptions and the send ledger, in the app's database (the profiles' engine).

    The chat settings' table (a briefing's language) is created here too, so that every table a briefing run
    reads exists once a chat has subscribed: two `brief run-due` processes started at once then only read and
    claim, and never race to create a table."""
    from bots.chat.settings import ChatSettingsStore

    profiles = profiles or open_profiles(settings)
    ChatSettingsStore(profiles.engine)
    return SqlBriefingStore(profiles.engine, profiles.ring)
