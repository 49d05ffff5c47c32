"""`roundtable doctor`: check the installation and configuration, and say what is wrong in plain words."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bots.app.settings import Settings

Status = Literal["ok", "warn", "fail"]
TELEGRAM_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
MARK = {"ok": "[green]ok[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str


def _safe(name: str, probe: Callable[[], Check]) -> Check:
    try:
        return probe()
    except Exception as exc:  # a doctor reports; it does not crash
        return Check(name, "fail", f"{type(exc).__name__}: {exc}")


def check_settings() -> tuple[Check, Settings | None]:
    try:
        settings = Settings()
    except Exception as exc:
        return Check("settings", "fail", f"invalid settings: {exc}"), None
    mode = f"Chroma server {settings.chroma_url}" if settings.chroma_url else "embedded Chroma"
    return Check("settings", "ok", f"home {settings.home}; {mode}; collection {settings.collection!r}"), settings


def check_home(settings: Settings) -> Check:
    settings.home.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.home):
        pass
    return Check("data directory", "ok", f"{settings.home} is writable")


def check_model() -> Check:
    from knowledge.embeddings import TOKENIZER_PATH, MiniLMEmbeddings, model_path

    if not TOKENIZER_PATH.is_file():
        return Check("embedding model", "fail", f"tokenizer missing at {TOKENIZER_PATH}; reinstall Roundtable")
    path = model_path()
    vector = MiniLMEmbeddings().embed(["doctor check"])[0]
    norm = float((vector**2).sum() ** 0.5)
    if vector.shape != (384,) or abs(norm - 1) > 1e-3:
        return Check("embedding model", "fail", f"model at {path} gave a bad vector (shape {vector.shape})")
    return Check("embedding model", "ok", f"all-MiniLM-L6-v2 int8 at {path}")


def check_store(settings: Settings) -> Check:
    from knowledge.research import Research

    research = Research.open(settings.home, settings.chroma_url)
    names = research.collection_names()
    if settings.collection not in names:
        return Check("research store", "warn", f"no collection {settings.collection!r} yet; `roundtable run` or "
                     "`roundtable chat` loads the bundled notes into it")
    info = research.describe(settings.collection)
    if not info.chunks:
        return Check("research store", "warn", f"collection {settings.collection!r} is empty; run `roundtable ingest`")
    retriever = research.retriever(settings.collection)
    index = retriever.lexical_index()
    if len(index) != info.chunks:
        return Check("research store", "fail", f"BM25 index has {len(index)} chunks but the collection has "
                     f"{info.chunks}; delete {settings.home / 'bm25'} and retry")
    return Check("research store", "ok", f"{len(names)} collection(s); {settings.collection!r} has "
                 f"{info.documents} documents, {info.chunks} chunks; BM25 index in step")


def check_database(settings: Settings) -> Check:
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    return Check("database", "ok", shown)


def check_profiles(settings: Settings) -> Check:
    from bots.app.stores import open_profiles

    store = open_profiles(settings)
    return Check("profiles", "ok", f"{store.count()} investor profile(s), encrypted at rest")


def check_keys(settings: Settings) -> Check:
    """The keys read the database (else the start-up error, naming what is at stake), and the key file is 0600."""
    from advisor.keys import loose_permissions
    from bots.app.stores import key_file, key_ring

    ring = key_ring(settings)
    path = key_file(settings)
    warning = None if settings.secret_key or not path.exists() else loose_permissions(path)
    if warning:
        return Check("keys", "warn", warning)
    return Check("keys", "ok", f"{len(ring.keys)} key(s) from {ring.source} read this database")


def check_market_data(settings: Settings) -> Check:
    """The configured source answers a quote for SPY (Yahoo is asked once, under the usual deadline)."""
    from advisor.market.data import MarketDataError
    from bots.app.stores import open_market_data, open_profiles

    market = open_market_data(settings, open_profiles(settings))
    try:
        quotes = market.quotes([settings.benchmark])
    except MarketDataError as exc:
        return Check("market data", "warn", f"{settings.market_data}: {exc}")
    quote = quotes.get(settings.benchmark)
    if quote is None:
        return Check("market data", "warn", f"{settings.market_data} has no price for the benchmark "
                     f"{settings.benchmark}; portfolio beta will be missing (set ROUNDTABLE_BENCHMARK)")
    stale = ", stale" if quote.stale else ""
    return Check("market data", "ok", f"{settings.market_data}: {quote.symbol} {quote.price:,.2f} {quote.currency} "
                 f"as of {quote.as_of:%Y-%m-%d %H:%M %Z}{stale}")


def check_model_setting(settings: Settings) -> Check:
    if not settings.llm:
        return Check("language model", "ok", "none: answers quote the research directly (grounded composer)")
    from advisor.model import load_chat_model

    load_chat_model(settings.llm)
    return Check("language model", "ok", f"{settings.llm} (rephrasing only; verified in code; "
                 f"falls back after {settings.llm_timeout:.0f} s)")


def check_tokens(settings: Settings) -> list[Check]:
    checks = []
    for name, secret, pattern in (("Telegram token", settings.telegram_token, TELEGRAM_TOKEN),
                                  ("Discord token", settings.discord_token, DISCORD_TOKEN)):
        if secret is None:
            checks.append(Check(name, "warn", "not set; that front-end will not start"))
        elif not pattern.match(secret.get_secret_value().strip()):
            checks.append(Check(name, "fail", "set, but it does not look like a token; copy it again from the "
                                "platform's developer page"))
        else:
            checks.append(Check(name, "ok", "set and well-formed (validity is checked at start-up)"))
    return checks


def check_discord_access(settings: Settings) -> Check | None:
    """Intents, and per server the permissions the bot lacks (read over REST; no gateway connection)."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not DISCORD_TOKEN.match(token):
        return None  # not set or malformed: check_tokens already says so
    import asyncio

    from bots.discord.access import guild_access, intents_text

    guilds = asyncio.run(asyncio.wait_for(guild_access(token, settings.discord_api_url), 15))
    lacking = [f"{g.name or g.guild_id}: no {', '.join(g.missing)}" for g in guilds if g.missing]
    detail = f"intents {intents_text()}; in {len(guilds)} server(s)"
    if lacking:
        return Check("Discord access", "warn", f"{detail}; plain text instead of embeds or files in "
                     + "; ".join(lacking))
    return Check("Discord access", "ok", f"{detail}, each with the permissions it needs")


def run_checks(console: Console) -> bool:
    settings_check, settings = check_settings()
    checks = [settings_check]
    if settings is not None:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        checks += [_safe("data directory", lambda: check_home(settings)),
                   _safe("embedding model", check_model),
                   _safe("research store", lambda: check_store(settings)),
                   _safe("database", lambda: check_database(settings)),
                   _safe("keys", lambda: check_keys(settings)),
                   _safe("profiles", lambda: check_profiles(settings)),
                   _safe("market data", lambda: check_market_data(settings)),
                   _safe("language model", lambda: check_model_setting(settings)),
                   *check_tokens(settings)]
        discord = _safe("Discord access", lambda: check_discord_access(settings) or Check("", "ok", ""))
        if discord.name:
            checks.append(discord)
    table = Table("check", "status", "detail", show_lines=False)
    for check in checks:
        table.add_row(check.name, MARK[check.status], escape(check.detail))
    console.print(table)
    failed = [c for c in checks if c.status == "fail"]
    console.print("[green]All essential checks passed.[/green]" if not failed
                  else f"[red]{len(failed)} check(s) failed.[/red]")
    return not failed
