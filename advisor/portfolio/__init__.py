"""Private portfolios: holdings (validated, merged, stored encrypted per member), CSV import/export, snapshots
(values, P&L, concentration, risk and suitability from one batched history request) and a PNG chart.

Symbols arrive already normalised (the caller runs ``advisor.market.symbols.normalise_symbol`` at the edge).
"""

from __future__ import annotations

from advisor.portfolio.csvio import CsvImport, CsvImportError, export_csv, import_csv
from advisor.portfolio.holdings import (
    Holding,
    HoldingError,
    HoldingsBusyError,
    HoldingsStore,
    HoldingsUnreadableError,
    MemoryHoldingsStore,
    SqlHoldingsStore,
    merge,
)
from advisor.portfolio.snapshot import HoldingValue, Snapshot, take_snapshot

__all__ = [
    "CsvImport",
    "CsvImportError",
    "Holding",
    "HoldingError",
    "HoldingValue",
    "HoldingsBusyError",
    "HoldingsStore",
    "HoldingsUnreadableError",
    "MemoryHoldingsStore",
    "Snapshot",
    "SqlHoldingsStore",
    "export_csv",
    "import_csv",
    "merge",
    "take_snapshot",
]
