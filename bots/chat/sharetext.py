"""The words of portfolio sharing: what the group sees, what a follower is told. Weights and symbols only,
never quantities or money; every figure with its as-of time and source; following is never advice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from advisor.community.sharing import Change, riskier
from advisor.market.pricerisk import override_for
from advisor.portfolio.render import moment
from advisor.suitability import max_risk
from advisor.types import InvestorLevel, RiskLevel

DISCLAIMER = ("Not investment advice. Past performance does not guarantee future results. You may lose money, "
              "including your principal. I'm an automated assistant, not a licensed adviser.")
NOT_ADVICE = ("Following is not advice: nobody checked these weights against your situation, and copying them "
              "would be your own decision. Your own risk profile still applies.")
MAX_LINES = 15  # weights listed; the rest are summed up in one line


def weights_lines(weights: Mapping[str, float]) -> list[str]:
    ordered = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{symbol} {weight:.1%}" for symbol, weight in ordered[:MAX_LINES]]
    if len(ordered) > MAX_LINES:
        rest = sum(weight for _, weight in ordered[MAX_LINES:])
        lines.append(f"{len(ordered) - MAX_LINES} more: {rest:.1%} together")
    return lines


def always_r5(symbols: Iterable[str]) -> list[str]:
    """Holdings that are R5 whatever their price history says (crypto, leveraged or inverse funds, options,
    futures): a portfolio holding one is R5 too, since copying it means buying an R5 product."""
    return sorted(symbol for symbol in symbols if override_for(symbol) is not None)


def risk_line(risk: RiskLevel | None, symbols: Iterable[str] = ()) -> str:
    r5 = always_r5(symbols)
    if r5:
        listed = ", ".join(r5[:5]) + (f" and {len(r5) - 5} more" if len(r5) > 5 else "")
        return (f"Risk class: R5: it holds {listed}, R5 whatever the price history says (crypto, leveraged or "
                "inverse funds, options, futures).")
    if risk is None:
        return "Risk class: not measured (too little price history)."
    return f"Risk class: {risk} (from the portfolio's daily price moves over up to a year)."


def sourced(as_of: datetime | None, source: str) -> str:
    when = moment(as_of) if as_of is not None else "unknown time"
    return f"Prices as of {when} · source: {source or 'unknown'}"


def shared_text(handle: str, weights: Mapping[str, float], risk: RiskLevel | None, as_of: datetime | None,
                source: str, left_out: int) -> str:
    lines = [f"**{handle} shared their portfolio** (weights only, never amounts)", *weights_lines(weights),
             risk_line(risk, weights)]
    if left_out:
        lines.append(f"{left_out} holding(s) without a current price are left out of the weights.")
    lines += [sourced(as_of, source), f"Members may /follow {handle} to be told privately when these weights "
              "change a lot. " + NOT_ADVICE, DISCLAIMER]
    return "\n".join(lines)


def view_text(handle: str, shared_at: datetime, published_at: datetime, weights: Mapping[str, float],
              risk: RiskLevel | None, since_shared: float | None, as_of: datetime | None, source: str) -> str:
    lines = [f"**{handle}'s shared portfolio** (weights only, never amounts)"]
    lines += [f"Weights now (as published {published_at:%Y-%m-%d}, moved with prices since):", *weights_lines(weights)]
    lines.append(risk_line(risk, weights))
    performance = "not available (a price is missing)" if since_shared is None else f"{since_shared:+.1%}"
    lines.append(f"Return since shared ({shared_at:%Y-%m-%d}): {performance}, as if every published change had "
                 "been copied, before costs.")
    lines += [sourced(as_of, source), NOT_ADVICE, DISCLAIMER]
    return "\n".join(lines)


def suitability_line(risk: RiskLevel | None, level: InvestorLevel | None) -> str:
    """The follower's own check; sent only to them (a profile is never shown to the group)."""
    if level is None:
        return ("You have no risk profile yet, so I cannot check this portfolio against it: /profile takes the "
                "questionnaire privately.")
    allowed = max_risk(level)
    suited = "R1" if allowed == "R1" else f"R1-{allowed}"
    if risk is None:
        return f"This portfolio's risk could not be measured, so I cannot check it against your profile {level}."
    if riskier(risk, allowed):
        return (f"**Warning:** this portfolio's risk class {risk} is above your risk profile {level} (suited to "
                f"{suited}). It could fall further than you said you can tolerate.")
    return f"This portfolio's risk class {risk} is within your risk profile {level} (suited to {suited})."


def followed_text(handle: str, threshold: float, again: bool, risk: RiskLevel | None,
                  level: InvestorLevel | None) -> str:
    start = "You still follow" if again else "You now follow"
    first = (f"{start} **{handle}**'s shared portfolio. I'll tell you here when a weight changes by more than "
             f"{threshold * 100:g} percentage points. /unfollow {handle} stops it.")
    return "\n".join([first, suitability_line(risk, level), NOT_ADVICE, DISCLAIMER])


def move_line(symbol: str, before: float, after: float) -> str:
    if before == 0:
        return f"{symbol}: new, {after:.1%}"
    if after == 0:
        return f"{symbol}: {before:.1%} → 0% (left the portfolio)"
    return f"{symbol}: {before:.1%} → {after:.1%}"


def change_note(handle: str, change: Change, risk: RiskLevel | None, level: InvestorLevel | None,
                as_of: datetime | None, source: str) -> str:
    moves = change.moves()
    lines = [f"**{handle} changed the shared portfolio you follow** (weights only; before = the weights you were "
             "last told, moved with prices since)"]
    lines += [move_line(*row) for row in moves[:MAX_LINES]]
    if len(moves) > MAX_LINES:
        lines.append(f"... and {len(moves) - MAX_LINES} smaller changes (/portfolio view {handle} in the group).")
    lines += [risk_line(risk, change.after), suitability_line(risk, level), NOT_ADVICE, sourced(as_of, source),
              DISCLAIMER]
    return "\n".join(lines)


def gone_note(handle: str, empty: bool) -> str:
    why = "their portfolio is empty now, so it is no longer shared" if empty else "they stopped sharing it"
    return f"You no longer follow **{handle}**'s portfolio: {why}."
