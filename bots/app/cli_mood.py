"""`roundtable mood FILE`: the sentiment of each message in a chat log, and the log's overall mood.

For managers trying things out away from the live chat. With ``--json``: one ``{"id", "label", "score", "fear"}``
line per message in input order, then ``{"summary": {"mood_index", "top_symbols"}}``. Without: a short readable
summary. Lines that cannot be read are reported on stderr with their line numbers, and the run goes on.
The summary covers the whole file, not a rolling window: ``mood_index`` is 100 x the mean score (-100..100).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, out


@guarded
def mood(
    file: Annotated[Path, typer.Argument(help="JSONL ({\"id\",\"text\",...} a line) or a Telegram export "
                                              "(result.json).")],
    as_json: JsonOpt = False,
    top: Annotated[int, typer.Option(min=1, max=50, help="How many of the most-mentioned symbols.")] = 5,
    accurate: Annotated[bool, typer.Option("--accurate", help="The slower model with sentence embeddings (about "
                                           "50 messages/s; better on news-like text), instead of the fast one the "
                                           "chat uses.")] = False,
) -> None:
    """The mood of a chat log: a sentiment label, score and fear flag per message, then the overall mood."""
    from advisor.mood.model import SentimentModel
    from advisor.mood.symbols import mentioned_symbols
    from advisor.mood.types import SymbolCount
    from bots.app.chatlog import BadLine, read_chat_log

    model = SentimentModel.load(accurate=accurate)
    scores: list[float] = []
    labels: Counter[str] = Counter()
    fear = bad = 0
    mentions: Counter[str] = Counter()
    for line in read_chat_log(file):
        if isinstance(line, BadLine):
            bad += 1
            err.print(f"{escape(str(file))}:{line.number}: skipped: {escape(line.reason)}")
            continue
        sentiment = model.classify(line.text)
        scores.append(sentiment.score)
        labels[sentiment.label] += 1
        fear += sentiment.fear
        mentions.update(mentioned_symbols(line.text))
        if as_json:
            sys.stdout.write(json.dumps({"id": line.id, **sentiment.to_json()}, ensure_ascii=False) + "\n")
    index = 100.0 * sum(scores) / len(scores) if scores else 0.0
    ranked = [SymbolCount(s, n) for s, n in sorted(mentions.items(), key=lambda i: (-i[1], i[0]))[:top]]
    if as_json:
        summary = {"mood_index": round(index, 1), "top_symbols": [s.to_json() for s in ranked]}
        sys.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        out.print(f"[bold]{len(scores)} messages[/bold]: mood index {index:+.0f} (-100 all bearish … +100 all "
                  f"bullish); {labels['bullish']} bullish, {labels['bearish']} bearish, {labels['neutral']} neutral; "
                  f"{fear} with fear or panic language.")
        if ranked:
            out.print("Most mentioned: " + ", ".join(f"{s.symbol} ({s.mentions})" for s in ranked))
    if bad:
        err.print(f"{bad} line{'s' if bad != 1 else ''} could not be read (see above).")
