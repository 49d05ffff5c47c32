"""The stores every command needs, without the research corpus: profiles, market data, portfolios and briefing
subscriptions.

Kept apart from ``composition`` (which also loads Chroma, the embedding model and langchain) so that
`roundtable quote` and `roundtable portfolio` start in a fraction of the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from advisor.briefing.store import SqlBriefingStore
from advisor.market.data import MarketData
from advisor.market.desk import QuoteDesk
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore, load_or_create_key
from bots.app.settings import Settings
from knowledge.errors import UserError


@dataclass
class Markets:
    """The market features: quotes and charts (``desk``) and private portfolios, on one data source."""

    market: MarketData
    desk: QuoteDesk
    portfolios: Portfolios


def secret_key(settings: Settings) -> bytes:
    settings.home.mkdir(parents=True, exist_ok=True)
    return (settings.secret_key.get_secret_value().encode() if settings.secret_key
            else load_or_create_key(settings.home / "secret.key"))


def open_profiles(settings: Settings) -> SqlProfileStore:
    try:
        return SqlProfileStore.open(settings.sqlalchemy_url, secret_key(settings))
    except ValueError as exc:
        raise UserError(f"Cannot open the profile store: {exc}. ROUNDTABLE_SECRET_KEY must be a Fernet key "
                        "(44 url-safe base64 characters).") from exc


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
    holdings = SqlHoldingsStore(profiles.engine, secret_key(settings))
    portfolios = Portfolios(holdings, desk, profiles, base_currency=settings.base_currency.upper(),
                            benchmark=settings.benchmark)
    return Markets(market, desk, portfolios)


def open_briefing_store(settings: Settings, profiles: SqlProfileStore | None = None) -> SqlBriefingStore:
    """Briefing subscriptions and the send ledger, in the app's database (the profiles' engine).

    The chat settings' table (a briefing's language) is created here too, so that every table a briefing run
    reads exists once a chat has subscribed: two `brief run-due` processes started at once then only read and
    claim, and never race to create a table."""
    from bots.chat.settings import ChatSettingsStore

    engine = (profiles or open_profiles(settings)).engine
    ChatSettingsStore(engine)
    return SqlBriefingStore(engine)
