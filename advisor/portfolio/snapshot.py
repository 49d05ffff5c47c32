"""A portfolio snapshot: values, cost basis and P&L in the member's base currency, concentration, risk from
the portfolio's own price history, and the suitability check against the member's level.

Market data costs exactly two requests, whatever the number of holdings: one ``quotes`` call (the holdings
and the benchmark, whose currency decides the exchange rates needed) and one batched ``history`` call (the
holdings, the benchmark and every exchange-rate pair, direct and inverse, so no second round trip is needed
when only the inverse exists).

Conventions (``Snapshot.to_json`` carries them to scripts):
- money is in the base currency; fractions are 0-1 (weights, P&L %, volatility, drawdown as a positive fall);
- missing is None, never 0, and every gap is explained in ``warnings``;
- a holding without a price, or whose currency cannot be converted, is listed but left out of the totals and
  the weights; a holding without history is left out of the risk figures; each with a warning;
- the cost basis is converted at the exchange rate of the purchase date when the date is known and inside
  the fetched history (about a year), otherwise at the latest rate (a warning names those holdings), so
  older P&L includes no currency gain or loss;
- total cost and P&L are None when any valued holding has no purchase price (a partial sum would not match
  the total value);
- risk is measured on the daily value series with today's quantities over the last 252 daily returns:
  volatility = sample stdev of daily simple returns x sqrt(252), the largest drawdown, and beta against the
  benchmark (converted to the base currency when its rate is known). The SRRI class uses the UCITS bands
  (advisor.risk) on this one-year daily volatility, then the project's SRRI -> R mapping;
- ``as_of`` is the time of the newest price used; ``sources`` lists each source and kind of data
  ({"source", "data": "quotes"|"history", "as_of": its oldest as-of, "stale"}).

A provider outage never raises: the quotes failing leaves every holding unpriced (history is then not asked
for: the provider is down); history failing leaves foreign holdings unconverted and the risk unmeasured.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from advisor.market.data import History, MarketData, MarketDataError, Quote
from advisor.market.pricerisk import override_for
from advisor.portfolio.holdings import Holding, merge
from advisor.portfolio.measures import Component, Rate, beta, fx_pairs, max_drawdown, simple_returns, value_series
from advisor.portfolio.render import snapshot_text
from advisor.risk import SRRI_TO_RISK, annualised_volatility, srri_class
from advisor.suitability import max_risk
from advisor.types import RISK_LEVELS, InvestorLevel, RiskLevel
from knowledge.errors import UserError

TRADING_DAYS = 252
HISTORY_DAYS = 400  # calendar days fetched: 253 closes in any market (holidays included) and the 6-month chart
MIN_RISK_RETURNS = 20  # below a month of returns a volatility is noise, not a risk class
OLD_QUOTE = timedelta(days=7)  # a last price older than this suggests a suspended or delisted symbol
CURRENCY = re.compile(r"[A-Z]{3}")

Match = Literal["ok", "warn", "none", "unknown"]


@dataclass(frozen=True)
class HoldingValue:
    symbol: str
    quantity: float
    price: float | None  # per unit, in ``currency``
    currency: str | None
    market_value: float | None  # base currency
    cost_basis: float | None  # base currency
    pnl: float | None
    pnl_pct: float | None
    weight: float | None
    as_of: datetime | None = None
    source: str | None = None
    stale: bool = False


@dataclass(frozen=True)
class Risk:
    volatility: float | None = None
    max_drawdown: float | None = None
    beta: float | None = None
    srri: int | None = None
    level: RiskLevel | None = None
    returns: int = 0  # how many daily returns the figures rest on


@dataclass(frozen=True)
class SuitabilityCheck:
    member_level: InvestorLevel | None
    portfolio_risk: RiskLevel | None
    match: Match
    note: str


@dataclass(frozen=True)
class SourceMark:
    source: str
    data: Literal["quotes", "history"]
    as_of: datetime
    stale: bool


@dataclass(frozen=True)
class Snapshot:
    user: str | None
    base_currency: str
    benchmark: str
    as_of: datetime | None
    holdings: tuple[HoldingValue, ...]
    market_value: float | None
    cost_basis: float | None
    pnl: float | None
    pnl_pct: float | None
    risk: Risk
    largest_weight: float | None
    hhi: float | None
    suitability: SuitabilityCheck
    sources: tuple[SourceMark, ...]
    warnings: tuple[str, ...]
    value_series: tuple[tuple[date, float], ...] = ()  # for the chart; not part of the JSON

    def to_json(self) -> dict[str, Any]:
        """The issue's JSON shape, ready for ``json.dumps`` (money rounded to cents, fractions to 6 places)."""
        return {
            "user": self.user,
            "base_currency": self.base_currency,
            "as_of": _iso(self.as_of),
            "holdings": [{"symbol": h.symbol, "quantity": h.quantity, "price": h.price, "currency": h.currency,
                          "market_value": _money(h.market_value), "cost_basis": _money(h.cost_basis),
                          "pnl": _money(h.pnl), "pnl_pct": _fraction(h.pnl_pct), "weight": _fraction(h.weight)}
                         for h in self.holdings],
            "total": {"market_value": _money(self.market_value), "cost_basis": _money(self.cost_basis),
                      "pnl": _money(self.pnl), "pnl_pct": _fraction(self.pnl_pct)},
            "risk": {"volatility": _fraction(self.risk.volatility), "max_drawdown": _fraction(self.risk.max_drawdown),
                     "beta": _fraction(self.risk.beta), "srri": self.risk.srri, "level": self.risk.level},
            "concentration": {"largest_weight": _fraction(self.largest_weight), "hhi": _fraction(self.hhi)},
            "suitability": {"member_level": self.suitability.member_level,
                            "portfolio_risk": self.suitability.portfolio_risk,
                            "match": self.suitability.match, "note": self.suitability.note},
            "sources": [{"source": s.source, "data": s.data, "as_of": _iso(s.as_of), "stale": s.stale}
                        for s in self.sources],
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        """A short chat message (**bold** only), with the as-of times and sources under the numbers."""
        return snapshot_text(self)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _combined(holdings: Iterable[Holding]) -> dict[str, Holding]:
    book: dict[str, Holding] = {}
    for h in holdings:
        book[h.symbol] = merge(book[h.symbol], h) if h.symbol in book else h
    return book


def _listing(symbols: Sequence[str]) -> str:
    return ", ".join(symbols[:8]) + (f" and {len(symbols) - 8} more" if len(symbols) > 8 else "")


def take_snapshot(holdings: Iterable[Holding], market: MarketData, base_currency: str = "USD",
                  benchmark: str = "SPY", today: date | None = None, profile_level: InvestorLevel | None = None,
                  *, user: str | None = None) -> Snapshot:
    base = base_currency.strip().upper()
    if not CURRENCY.fullmatch(base):
        raise UserError(f"{base_currency!r} is not a currency code; use three letters such as USD, EUR or HKD.")
    today = today or date.today()
    book = _combined(holdings)
    warnings: list[str] = []
    quotes: dict[str, Quote] = {}
    histories: dict[str, History] = {}
    history_failed = False
    if book:
        try:
            quotes = market.quotes([*book, benchmark] if benchmark not in book else list(book))
        except MarketDataError as exc:
            warnings.append(f"Prices: {exc} Holdings are listed without values.")
        else:
            currencies = {q.currency for q in quotes.values()}
            wanted = [*book, benchmark, *(p for c in sorted(currencies) for p in fx_pairs(c, base))]
            # The window ends at the newest price the source has: a csv export or the offline sample may end
            # long before today, and "the last 252 days" means the last 252 days of data.
            if quotes:
                today = min(today, max(q.as_of.date() for q in quotes.values()))
            try:
                histories = market.history(list(dict.fromkeys(wanted)), today - timedelta(days=HISTORY_DAYS), today)
            except MarketDataError as exc:
                history_failed = True
                warnings.append(f"Price history: {exc} Risk figures and exchange rates are missing.")
    else:
        warnings.append("This portfolio has no holdings yet.")
    rates: dict[str, Rate | None] = {}

    def rate_for(currency: str) -> Rate | None:
        if currency not in rates:
            rates[currency] = Rate.find(currency, base, histories)
        return rates[currency]

    # -- per holding ---------------------------------------------------------------------------------------
    values: list[HoldingValue] = []
    unpriced: list[str] = []
    unconverted: list[str] = []
    no_cost: list[str] = []
    latest_fx: list[str] = []
    old: list[str] = []
    no_history: list[str] = []
    components: dict[str, Component] = {}
    for symbol, h in book.items():
        quote = quotes.get(symbol)
        if quote is None:
            unpriced.append(symbol)
            values.append(HoldingValue(symbol, h.quantity, None, None, None, None, None, None, None))
            continue
        if quote.as_of.date() < today - OLD_QUOTE:
            old.append(f"{symbol} ({quote.as_of.date().isoformat()})")
        rate = rate_for(quote.currency)
        if rate is None:
            unconverted.append(f"{symbol} ({quote.currency})")
            values.append(HoldingValue(symbol, h.quantity, quote.price, quote.currency, None, None, None, None,
                                       None, quote.as_of, quote.source, quote.stale))
            continue
        market_value = h.quantity * quote.price * rate.latest()
        cost_basis = pnl = pnl_pct = None
        if h.cost is None:
            no_cost.append(symbol)
        else:
            bought_rate = rate.at(h.bought) if h.bought else None
            if bought_rate is None:
                bought_rate = rate.latest()
                if rate.pair:
                    latest_fx.append(symbol)
            cost_basis = h.quantity * h.cost * bought_rate
            pnl = market_value - cost_basis
            pnl_pct = pnl / cost_basis
        values.append(HoldingValue(symbol, h.quantity, quote.price, quote.currency, market_value, cost_basis, pnl,
                                   pnl_pct, None, quote.as_of, quote.source, quote.stale))
        if symbol in histories:
            components[symbol] = Component(h.quantity, histories[symbol].closes(), rate)
        else:
            no_history.append(symbol)

    # -- totals and concentration --------------------------------------------------------------------------
    valued = [v for v in values if v.market_value is not None]
    total = sum(v.market_value for v in valued if v.market_value is not None) if valued else None
    if total is not None and total > 0:
        values = [replace(v, weight=v.market_value / total) if v.market_value is not None else v for v in values]
    values.sort(key=lambda v: -v.market_value if v.market_value is not None else math.inf)
    weights = [v.weight for v in values if v.weight is not None]
    cost = pnl_total = pnl_pct_total = None
    if valued and not no_cost:
        cost = sum(v.cost_basis for v in valued if v.cost_basis is not None)
        pnl_total = (total or 0.0) - cost
        pnl_pct_total = pnl_total / cost if cost else None

    if unpriced and quotes:
        # Stale quotes mean the source is down: the missing ones could not be fetched, they are not unknown.
        why = ("the market data could not be reached and there is no earlier price"
               if any(q.stale for q in quotes.values()) else "unknown or delisted?")
        warnings.append(f"No price for {_listing(unpriced)}: {why}. Listed without values and left out of the "
                        "totals and risk figures.")
    if unconverted:
        warnings.append(f"No exchange rate into {base} for {_listing(unconverted)}: left out of the totals and "
                        "risk figures.")
    if old:
        warnings.append(f"The last price of {_listing(old)} is more than a week old: the symbol may be suspended "
                        "or delisted.")
    stale = [v.symbol for v in values if v.stale]
    if stale:
        warnings.append(f"Prices of {_listing(stale)} are stale: the provider could not be reached, so these are "
                        "the last known prices (see their as-of times).")
    if no_cost and valued:
        warnings.append(f"No purchase price for {_listing(no_cost)}, so the total cost and P&L are missing.")
    if latest_fx:
        warnings.append(f"The cost of {_listing(latest_fx)} is converted at the latest exchange rate (purchase date "
                        "unknown or older than the history fetched).")

    risk: Risk = Risk()
    series: list[tuple[date, float]] = []
    if book and quotes and not history_failed:
        if no_history:
            warnings.append(f"No price history for {_listing(no_history)}: left out of the risk figures.")
        risk, series = _risk(_long_enough(components, warnings), histories.get(benchmark), base, rate_for, warnings)
    suitability = _suitability(risk.level, profile_level, [s for s in book if override_for(s) is not None], warnings)
    marks = _sources(values, [histories[s] for s in histories])
    as_of = max((v.as_of for v in values if v.as_of), default=None)
    return Snapshot(user, base, benchmark, as_of, tuple(values), total, cost, pnl_total, pnl_pct_total, risk,
                    max(weights, default=None), sum(w * w for w in weights) if weights else None, suitability,
                    marks, tuple(warnings), tuple(series))


def _long_enough(components: dict[str, Component], warnings: list[str]) -> list[Component]:
    """The components whose history is at least half as long as the longest. The value series starts when
    every component has a price, so one recent listing would otherwise cut a year of risk to a few weeks."""
    longest = max((len(c.closes) for c in components.values()), default=0)
    short = [s for s, c in components.items() if len(c.closes) < longest / 2]
    if short:
        warnings.append(f"{_listing(short)} {'has' if len(short) == 1 else 'have'} too short a price history: left "
                        "out of the risk figures.")
    return [c for s, c in components.items() if s not in short]


def _risk(components: list[Component], bench: History | None, base: str, rate_for: Callable[[str], Rate | None],
          warnings: list[str]) -> tuple[Risk, list[tuple[date, float]]]:
    series = value_series(components)
    window = series[-(TRADING_DAYS + 1):]
    returns = simple_returns([v for _, v in window])
    if len(returns) < MIN_RISK_RETURNS:
        if components:
            warnings.append(f"Only {len(returns)} daily returns of history: too few to measure risk.")
        return Risk(returns=len(returns)), series
    if len(returns) < TRADING_DAYS:
        warnings.append(f"Risk is measured over {len(returns)} trading days, less than a year: read it with care.")
    volatility = annualised_volatility(returns, TRADING_DAYS)
    drawdown = max_drawdown([v for _, v in window])
    measured_beta = None
    if bench is None:
        warnings.append("No history for the benchmark, so beta is missing.")
    else:
        rate = rate_for(bench.currency)
        closes = bench.closes()
        if rate is None:
            warnings.append(f"Beta compares with {bench.symbol} in {bench.currency} (no rate into {base}).")
        else:
            closes = {d: c * r for d, c in closes.items() if (r := rate.at(d)) is not None}
        measured_beta = beta(dict(window), closes, MIN_RISK_RETURNS)
    srri = srri_class(volatility)
    return Risk(volatility, drawdown, measured_beta, srri, SRRI_TO_RISK[srri], len(returns)), series


def _allowed(level: InvestorLevel) -> str:
    top = max_risk(level)
    return "R1" if top == "R1" else f"R1-{top}"


def _suitability(risk: RiskLevel | None, level: InvestorLevel | None, always_r5: list[str],
                 warnings: list[str]) -> SuitabilityCheck:
    if level is None:
        return SuitabilityCheck(None, risk, "none", "Take the risk questionnaire (/profile) to check this portfolio "
                                                    "against your risk profile.")
    notes: list[str] = []
    if risk is not None and RISK_LEVELS.index(risk) > RISK_LEVELS.index(max_risk(level)):
        notes.append(f"Warning: this portfolio's measured risk ({risk}) is above your risk profile {level} (suited "
                     f"to {_allowed(level)}). It could fall further than you said you can tolerate.")
    if always_r5 and level != "C5":
        notes.append(f"Warning: {_listing(always_r5)} {'is' if len(always_r5) == 1 else 'are'} R5 whatever the "
                     f"price history says (leveraged, inverse or crypto), above your risk profile {level}.")
    if notes:
        warnings.extend(notes)
        return SuitabilityCheck(level, risk, "warn", " ".join(notes))
    if risk is None:
        return SuitabilityCheck(level, None, "unknown", "The portfolio's risk could not be measured, so it could not "
                                                        "be checked against your risk profile.")
    return SuitabilityCheck(level, risk, "ok", f"This portfolio's measured risk ({risk}) is within your risk profile "
                                               f"{level} (suited to {_allowed(level)}).")


def _sources(values: Sequence[HoldingValue], histories: Sequence[History]) -> tuple[SourceMark, ...]:
    """One mark per (source, kind of data, stale), with the oldest as-of time in the group."""
    oldest: dict[tuple[str, Literal["quotes", "history"], bool], datetime] = {}
    items: list[tuple[str, Literal["quotes", "history"], bool, datetime]] = [
        (v.source, "quotes", v.stale, v.as_of) for v in values if v.source and v.as_of]
    items += [(h.source, "history", h.stale, h.as_of) for h in histories]
    for source, data, stale, as_of in items:
        key = (source, data, stale)
        oldest[key] = min(oldest.get(key, as_of), as_of)
    prices_first = sorted(oldest.items(), key=lambda item: (item[0][1] != "quotes", item[0][0], item[0][2]))
    return tuple(SourceMark(source, data, when.astimezone(UTC), stale) for (source, data, stale), when in prices_first)
