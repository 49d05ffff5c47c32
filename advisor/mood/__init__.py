"""Mood: a sentiment label and fear flag per group message, and a rolling mood per chat.

The API (platform-free; nothing here touches the network or a database):

- ``Sentiment(label, score, fear)`` and ``Mood`` (``advisor.mood.types``): the values everybody shares.
- ``SentimentModel.load() -> SentimentModel``: the shipped weights (``advisor/mood/sentiment.npz``), loaded once
  and cached. ``model.classify(text: str) -> Sentiment``; ``model.classify_many(texts: Iterable[str]) ->
  list[Sentiment]`` (same order). A linear model over hashed word and character n-grams, trained by
  ``scripts/train_sentiment.py``; the fear flag is a lexicon (English and Chinese, ``advisor.mood.fear``).
  ``SentimentModel.load(accurate=True)``: the same features plus the bundled MiniLM sentence embedding
  (``advisor/mood/sentiment_minilm.npz``); better on the held-out news split but ~200x slower, so for batch
  work (``classify_many``), not per live chat message. ``benchmarks/sentiment.py`` prints both.
- ``MoodTracker(window=timedelta(hours=6), ..., model=None)``: per chat, in memory, bounded, thread-safe.
  ``observe(chat: str, text: str, at: datetime, sentiment: Sentiment | None = None) -> None`` (classifies when
  no sentiment is given); ``mood(chat: str, now: datetime) -> Mood``; ``panic(chat: str, now: datetime) -> bool``
  (True at most once per ``nudge_cooldown`` per chat: the caller posts its reminder when it gets True).
  Nothing is persisted: a restart starts every chat's mood afresh.
- ``mentioned_symbols(text: str) -> tuple[str, ...]`` (``advisor.mood.symbols``): the Yahoo-spelled symbols a
  message mentions ($AAPL, TSLA, 0700.HK, 茅台 -> 600519.SS), for the top-symbols count.
"""
