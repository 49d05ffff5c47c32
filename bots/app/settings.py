"""Settings from the environment (prefix ``ROUNDTABLE_``) and an optional ``.env`` file.

Every field here is documented in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """A per-user data directory: $XDG_DATA_HOME/roundtable or ~/.local/share/roundtable."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "roundtable"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROUNDTABLE_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=default_home,
                       description="Data directory: embedded Chroma store, BM25 index, SQLite database.")
    chroma_url: str | None = Field(None, description="Chroma server URL (e.g. http://127.0.0.1:8000); "
                                   "unset = embedded store under HOME.")
    collection: str = Field("research", description="Default corpus collection.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; unset = SQLite under HOME.")
    max_file_mb: float = Field(20.0, gt=0, description="Largest file ingest will read.")
    telegram_token: SecretStr | None = Field(None, description="Telegram bot token (used by `run`).")
    telegram_api_url: str | None = Field(None, description="Bot API server base URL (self-hosted or a test "
                                         "fake), e.g. http://127.0.0.1:8081; unset = Telegram's.")
    telegram_webhook_url: str | None = Field(None, description="Public HTTPS URL for webhook mode; unset = long "
                                             "polling.")
    telegram_webhook_port: int = Field(8443, description="Local port the webhook server listens on.")
    telegram_webhook_secret: SecretStr | None = Field(None, description="Secret Telegram sends with each webhook "
                                                      "delivery; unset = a random one per start.")
    discord_token: SecretStr | None = Field(None, description="Discord bot token (used by `run`).")
    discord_guild_id: int | None = Field(None, description="Sync slash commands to this one server (instant, for "
                                         "development); unset = globally.")
    discord_api_url: str = Field("https://discord.com/api/v10", description="Discord REST base URL: a shared "
                                 "rate-limit proxy, or a local fake in tests.")
    discord_shards: int | None = Field(None, ge=1, description="Shard count; set = AutoShardedBot with that many "
                                       "shards.")
    llm: str | None = Field(None, description="Optional chat model for rephrasing, e.g. openai:gpt-4o-mini.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds to wait for the chat model before falling back.")
    secret_key: SecretStr | None = Field(None, description="Fernet key(s) for personal data at rest, comma-"
                                         "separated (the first encrypts, all decrypt); unset = HOME/secret.key, "
                                         "generated once.")
    log_level: str = Field("WARNING", description="Logging level for the CLI.")
    market_data: str = Field("yahoo", description="Market data source: yahoo (live, via yfinance), offline (the "
                             "bundled sample, real prices to 2018-04-11) or csv:DIR (one SYMBOL.csv per symbol).")
    market_timeout: float = Field(20.0, gt=0, description="Overall deadline in seconds for one market-data request.")
    base_currency: str = Field("USD", pattern=r"^[A-Za-z]{3}$", description="Currency portfolio snapshots are "
                               "shown in, unless a member or --base asks for another.")
    benchmark: str = Field("SPY", description="Symbol portfolio beta is measured against.")
    pseudonym_key: SecretStr | None = Field(None, description="Key of the HMAC that pseudonymises member ids "
                                            "(url-safe base64, 32+ bytes); unset = derived from the last key in "
                                            "ROUNDTABLE_SECRET_KEY. Never change it: `keys rotate` prints it.")
    follow_threshold: float = Field(10.0, ge=1, le=50, description="Percentage points a shared portfolio's weight "
                                    "must change by before followers are told (a follower may ask for their own: "
                                    "/follow @member 5).")

    @field_validator("market_data", mode="after")
    @classmethod
    def _market_source(cls, value: str) -> str:
        value = value.strip()
        if value in {"yahoo", "offline"} or (value.startswith("csv:") and len(value) > 4):
            return value
        raise ValueError("must be yahoo, offline or csv:DIR")

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chroma_url", "database_url", "llm", "telegram_api_url", "telegram_webhook_url",
                     "discord_guild_id", "discord_shards", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def bm25_dir(self) -> Path:
        return self.home / "bm25"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'roundtable.db'}"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
