"""Market data: quotes, daily history, FX and symbol lookup behind one small Protocol (``MarketData``).

Providers: ``yahoo`` (yfinance), ``csv`` (a folder of ``SYMBOL.csv`` files) and ``offline`` (the bundled sample,
a csv folder). ``MarketDataCache`` wraps any of them with a database cache. Every number carries its as-of time,
source, currency and a stale flag; missing data is absent, never zero.
"""
