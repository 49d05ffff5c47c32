"""Moderation benchmark: spam and pump detection on the shared dev sets, and pipeline throughput.

    python benchmarks/moderation.py [--misses]

Splits: every dev file is split by the first byte of the SHA-256 of each message's text: even -> "tune" (the
lexicons and thresholds were written looking at this part only), odd -> "report" (never looked at while tuning).
Both are printed; the targets are judged on "report". ``--misses`` lists the tuning part's misses and false
alarms (never the reporting part's).

Spam (tg_spam_dev.jsonl): each message is a post from its own member in one chat, a minute apart; a spam
message is caught when the verdict is not "ok"; a ham message flagged with any verdict is a false positive.
Investor chatter (sentiment/stocktwits_dev.jsonl's report half, held out; its tune half and
twitter_financial_news_train.jsonl are training data of the spam model): the share of lines given category
"spam"; none of them is spam.
Pumps (pump_dump_dev.jsonl): each channel is replayed as one chat in date order (all its messages, as a chat
would see them; the channel is the posting account); announcement/countdown/coin_release should carry category
"pump", unrelated ones should not. Throughput: Moderator.check over both files, one thread, best of five (the
target's figure), and over 6,000 lines of investor chatter (for comparison: an ordinary day in a group).
Finally the sentiment benchmark (benchmarks/sentiment.py) runs too, when it is there.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from common import read_jsonl, shared_data

from advisor.moderation import Moderator, Post

PUMP_LABELS = {"announcement", "countdown", "coin_release"}
START = datetime(2024, 1, 1, tzinfo=UTC)


def split_of(text: str) -> str:
    return "tune" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def spam(show_misses: bool) -> bool:
    rows = read_jsonl(shared_data("moderation", "tg_spam_dev.jsonl"))
    moderator = Moderator()
    passed = True
    results = []
    for i, row in enumerate(rows):
        decision = moderator.check(Post(str(i), "spam-dev", f"member{i}", row["text"], START + timedelta(minutes=i)))
        results.append((split_of(row["text"]), row["label"], decision))
    print("Spam (tg_spam_dev.jsonl): recall >= 0.90 with ham false-positive rate <= 2%")
    for part in ("tune", "report"):
        mine = [(label, d) for p, label, d in results if p == part]
        spam_ = [d for label, d in mine if label == "spam"]
        ham = [d for label, d in mine if label == "ham"]
        recall = sum(d.verdict != "ok" for d in spam_) / len(spam_)
        fpr = sum(d.verdict != "ok" for d in ham) / len(ham)
        ok = recall >= 0.90 and fpr <= 0.02
        if part == "report":
            passed = ok
        print(f"  {part:6} spam {len(spam_):3}  recall {recall:.3f}   ham {len(ham):3}  false positives {fpr:.3f}"
              f"   {verdict(ok)}{'' if part == 'report' else ' (tuning split)'}")
    if show_misses:
        for (part, label, d), row in zip(results, rows, strict=True):
            if part == "tune" and (label == "spam") == (d.verdict == "ok"):
                print(f"    tune {label} -> {d.verdict} {list(d.reasons)[:2]}: {row['text'][:110]!r}")
    return passed


def flagged_spam_share(rows: list[dict]) -> float:
    """The share of lines given category "spam", each line from its own member in one chat, a minute apart."""
    moderator = Moderator()
    flagged = sum("spam" in moderator.check(Post(str(i), "chatter", f"member{i}", row["text"],
                                                 START + timedelta(minutes=i))).categories
                  for i, row in enumerate(rows))
    return flagged / len(rows)


def chatter() -> bool:
    """Investor chatter is not spam. StockTwits' report half (odd first byte, as for tg-spam) was never used for
    training or for any choice (held out); its tune half and Twitter Financial News train lines are in the spam
    model's training data (scripts/train_spam.py), so their shares are not a test."""
    posts = read_jsonl(shared_data("sentiment", "stocktwits_dev.jsonl"))
    held_out = flagged_spam_share([row for row in posts if split_of(row["text"]) == "report"])
    trained = flagged_spam_share([row for row in posts if split_of(row["text"]) == "tune"])
    news = flagged_spam_share(read_jsonl(shared_data("sentiment", "twitter_financial_news_train.jsonl")))
    ok = held_out <= 0.01
    print("Investor chatter flagged spam: <= 1% on held-out lines")
    print(f"  investor chatter flagged spam (StockTwits report half, held out)   {held_out:.4f}   {verdict(ok)}")
    print(f"  training data: StockTwits tune half {trained:.4f}, Twitter Financial News train {news:.4f}")
    return ok


def pumps(show_misses: bool) -> bool:
    rows = read_jsonl(shared_data("moderation", "pump_dump_dev.jsonl"))
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["channel"], rows[i]["date"] or "", i))
    moderator = Moderator()
    flagged: dict[int, bool] = {}
    for i in order:
        row = rows[i]
        at = datetime.fromisoformat(row["date"]) if row["date"] else START
        decision = moderator.check(Post(str(i), row["channel"], row["channel"], row["text"], at))
        flagged[i] = "pump" in decision.categories
    print("Pumps (pump_dump_dev.jsonl): announcement/countdown/coin_release recall >= 0.85; unrelated flagged "
          "pump <= 10%")
    passed = True
    for part in ("tune", "report"):
        mine = [i for i in range(len(rows)) if split_of(rows[i]["text"]) == part]
        positives = [i for i in mine if rows[i]["label"] in PUMP_LABELS]
        unrelated = [i for i in mine if rows[i]["label"] == "unrelated"]
        recall = sum(flagged[i] for i in positives) / len(positives)
        false_rate = sum(flagged[i] for i in unrelated) / len(unrelated)
        ok = recall >= 0.85 and false_rate <= 0.10
        if part == "report":
            passed = ok
        per_label = ", ".join(
            f"{label} {sum(flagged[i] for i in mine if rows[i]['label'] == label)}/"
            f"{sum(rows[i]['label'] == label for i in mine)}"
            for label in ("announcement", "countdown", "coin_release", "results", "delay"))
        print(f"  {part:6} recall {recall:.3f} ({len(positives)})   unrelated flagged {false_rate:.3f} "
              f"({len(unrelated)})   {verdict(ok)}{'' if part == 'report' else ' (tuning split)'}")
        print(f"         flagged per label: {per_label}")
    if show_misses:
        for i in range(len(rows)):
            row = rows[i]
            if split_of(row["text"]) == "tune" and row["label"] in PUMP_LABELS | {"unrelated"} and \
                    flagged[i] != (row["label"] in PUMP_LABELS):
                print(f"    tune {row['label']} flagged={flagged[i]}: {row['text'][:110]!r}")
    return passed


def as_posts(texts: list[str]) -> list[Post]:
    """Texts as a stream of group posts: 40 chats, 997 members, a second apart."""
    return [Post(str(i), f"chat{i % 40}", f"member{i % 997}", text, START + timedelta(seconds=i))
            for i, text in enumerate(texts)]


def posts() -> list[Post]:
    """The hard stream the target is judged on: every spam, ham and pump-channel line of the two dev files."""
    texts = [r["text"] for r in read_jsonl(shared_data("moderation", "tg_spam_dev.jsonl"))]
    texts += [r["text"] for r in read_jsonl(shared_data("moderation", "pump_dump_dev.jsonl"))]
    return as_posts(texts)


def chatter_posts() -> list[Post]:
    """An investors' group on an ordinary day: 3,000 StockTwits posts and 3,000 news headlines."""
    texts = [r["text"] for r in read_jsonl(shared_data("sentiment", "stocktwits_dev.jsonl"))][:3000]
    texts += [r["text"] for r in read_jsonl(shared_data("sentiment", "twitter_financial_news_train.jsonl"))][:3000]
    return as_posts(texts)


def rate(batch: list[Post]) -> tuple[float, float]:
    """Best of five (messages/s of CPU time, messages/s of wall-clock time), a fresh Moderator each run."""
    best = best_cpu = 0.0
    for _ in range(5):
        moderator = Moderator()
        began, began_cpu = time.perf_counter(), time.process_time()
        for post in batch:
            moderator.check(post)
        best = max(best, len(batch) / (time.perf_counter() - began))
        best_cpu = max(best_cpu, len(batch) / max(time.process_time() - began_cpu, 1e-9))
    return best_cpu, best


def throughput() -> bool:
    batch = posts()
    best_cpu, best = rate(batch)
    # CPU time is what one core spends; wall time also carries whatever else the machine is running.
    ok = best_cpu >= 3000
    print(f"Throughput: {best_cpu:,.0f} messages/s of CPU time ({best:,.0f}/s wall clock) over {len(batch)} "
          f"spam, ham and pump-channel messages, one thread (target >= 3,000)   {verdict(ok)}")
    chatter_cpu, chatter_wall = rate(chatter_posts())
    print(f"  investor chatter (StockTwits and news lines, 6,000): {chatter_cpu:,.0f} messages/s of CPU time "
          f"({chatter_wall:,.0f}/s wall clock)")
    return ok


def sentiment() -> None:
    try:
        import sentiment as sentiment_benchmark  # type: ignore[import-not-found]  # benchmarks/sentiment.py
    except ImportError:
        print("Sentiment: benchmarks/sentiment.py is not there yet; skipped")
        return
    sentiment_benchmark.main()


def main(argv: Iterable[str] = ()) -> int:
    show = "--misses" in argv
    results = [spam(show), chatter(), pumps(show), throughput()]
    sentiment()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
