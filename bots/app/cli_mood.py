"""`roundtable mood FILE`: the sentiment of each message in a chat log, and the log's overall mood.

For managers trying things out away from the live chat. With ``--json``: one ``{"id", "label", "score", "fear"}``
line per message in input order, then ``{"summary": {"mood_index", "top_symbols"}}``. Without: a short readable
summary. Lines that cannot be read are reported on stderr with their line numbers, and the run goes on.
The summary covers the whole file, not a rolling window: ``mood_index`` is 100 x the mean score (-100..100).

A file is read with the accurate model by default (n-grams plus the bundled MiniLM sentence embedding: about 100
messages/s here, macro-F1 0.770 on held-out news headlines against the fast model's 0.764, cross-validated 0.768
against 0.751). A manager tuning a policy wants the better labels and can wait seconds; ``--fast`` gives the
model the live chat uses on every message (thousands a second), for very large exports or to see exactly what
the chat's /mood would have counted. Messages are scored in batches, with a progress line on a terminal.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from bots.app.cli_common import JsonOpt, err, guarded, out
from knowledge.errors import UserError

if TYPE_CHECKING:
    from advisor.mood.types import Sentiment
    from bots.app.chatlog import ChatLine


BATCH = 64  # messages scored together: the sentence embedding runs a batch at a time


@dataclass
class Tally:
    """What the summary needs, added up as messages are scored."""

    scores: list[float] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)
    mentions: Counter[str] = field(default_factory=Counter)
    fear: int = 0

    def add(self, sentiment: Sentiment, symbols: Iterable[str]) -> None:
        self.scores.append(sentiment.score)
        self.labels[sentiment.label] += 1
        self.fear += sentiment.fear
        self.mentions.update(symbols)


@guarded
def mood(
    file: Annotated[Path, typer.Argument(help="JSONL ({\"id\",\"text\",...} a line) or a Telegram export "
                                              "(result.json).")],
    as_json: JsonOpt = False,
    top: Annotated[int, typer.Option(min=1, max=50, help="How many of the most-mentioned symbols.")] = 5,
    fast: Annotated[bool, typer.Option("--fast", help="The fast model the live chat uses on every message "
                                       "(thousands a second, slightly less accurate) instead of the accurate one "
                                       "(about 100 messages/s).")] = False,
    accurate: Annotated[bool, typer.Option("--accurate", help="The accurate model (n-grams and a sentence "
                                           "embedding): the default, kept for scripts that ask for it.")] = False,
) -> None:
    """The mood of a chat log: a sentiment label, score and fear flag per message, then the overall mood."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from advisor.mood.model import SentimentModel
    from advisor.mood.symbols import mentioned_symbols
    from advisor.mood.types import SymbolCount
    from bots.app.chatlog import BadLine, read_chat_log

    if fast and accurate:
        raise UserError("Choose one model: --fast, or --accurate (the default).")
    model = SentimentModel.load(accurate=not fast)
    tally = Tally()
    bad = 0
    batch: list[ChatLine] = []

    def score(progress: Progress) -> None:
        for line, sentiment in zip(batch, model.classify_many(line.text for line in batch), strict=True):
            tally.add(sentiment, mentioned_symbols(line.text))
            if as_json:
                sys.stdout.write(json.dumps({"id": line.id, **sentiment.to_json()}, ensure_ascii=False) + "\n")
        progress.advance(task, len(batch))
        batch.clear()

    # "scoring messages … N" on stderr while the file is read, on a terminal only (never in a pipe).
    with Progress(SpinnerColumn(), TextColumn("scoring messages … {task.completed:,}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("score", total=None)
        for line in read_chat_log(file):
            if isinstance(line, BadLine):
                bad += 1
                err.print(f"{escape(str(file))}:{line.number}: skipped: {escape(line.reason)}")
                continue
            batch.append(line)
            if len(batch) == BATCH:
                score(progress)
        if batch:
            score(progress)
    scores, labels = tally.scores, tally.labels
    index = 100.0 * sum(scores) / len(scores) if scores else 0.0
    ranked = [SymbolCount(s, n) for s, n in sorted(tally.mentions.items(), key=lambda i: (-i[1], i[0]))[:top]]
    if as_json:
        summary = {"mood_index": round(index, 1), "top_symbols": [s.to_json() for s in ranked]}
        sys.stdout.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        out.print(f"[bold]{len(scores)} messages[/bold]: mood index {index:+.0f} (-100 all bearish … +100 all "
                  f"bullish); {labels['bullish']} bullish, {labels['bearish']} bearish, {labels['neutral']} neutral; "
                  f"{tally.fear} with fear or panic language.")
        if ranked:
            out.print("Most mentioned: " + ", ".join(f"{s.symbol} ({s.mentions})" for s in ranked))
    if bad:
        err.print(f"{bad} line{'s' if bad != 1 else ''} could not be read (see above).")
