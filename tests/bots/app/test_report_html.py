"""`roundtable report --html FILE` rendered by headless Chromium, as a manager's browser shows it: the page is
self-contained, its charts are drawn (the screenshot has their colours, not a blank page), and the rendered DOM
carries the week's numbers. An empty window gives a "no activity" page. Skipped, saying why, without Chromium
(.ci/run installs Debian's chromium package)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from advisor.mood.model import SentimentModel
from advisor.report.html import ACCENT, DOWN
from bots.app.cli import app
from knowledge.retrieval import Retriever
from tests.bots.app.reportchat import GROUP, ZONE, open_week, play_week

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get "
                                "install chromium); the report page cannot be rendered")
WEEK = ("--since", "2026-11-16", "--until", "2026-11-22")
runner = CliRunner()


def chromium(page: Path, profile: Path, *args: str) -> str:
    """Run headless Chromium on a local file with no network and a throwaway profile; its stdout."""
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9",
                           "--window-size=1200,2600", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def write_page(tmp_path: Path, *args: str) -> Path:
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", GROUP, *args, "--html", str(page)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Report page written to {page}" in result.stderr.replace("\n", "")
    return page


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def share_of(pixels: object, colour: str) -> float:
    import numpy as np

    image = np.asarray(pixels)[..., :3]
    return float(np.all(np.abs(image - np.array(rgb(colour))) < 0.02, axis=-1).mean())


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


@pytest.fixture
def week(home: Path, notes_retriever: Callable[[str], Retriever], model: SentimentModel) -> None:
    assert runner.invoke(app, ["brief", "set", GROUP, "--tz", ZONE]).exit_code == 0
    play_week(open_week(notes_retriever, model))


@pytest.mark.usefixtures("week")
def test_the_page_is_self_contained_and_chromium_draws_its_charts_and_numbers(tmp_path: Path) -> None:
    page = write_page(tmp_path, *WEEK)
    source = page.read_text(encoding="utf-8")
    # Nothing to fetch: no scripts, stylesheets, images or fonts from elsewhere (the SVG namespaces are names).
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)|src=", source)  # url(#id): in-page
    assert not re.search(r"(?:href|src)=\"(?:https?:)?//", source)
    ids = re.findall(r'\bid="([^"]+)"', source)
    assert len(ids) == len(set(ids)) > 4  # four inline SVGs, and no element id shared between them

    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    for chart in ("intent", "category", "mood", "hours"):
        assert re.search(rf'<figure class="svg-chart" id="chart-{chart}"><svg', dom), chart
    assert dom.count("<svg") == 4
    cards = dict(re.findall(r'<div class="card" id="card-([\w-]+)"><b>([^<]+)</b>', dom))
    assert cards == {"questions": "3", "refused": "1", "flagged-messages": "1", "messages": "15",
                     "mood-index": cards["mood-index"], "briefings-sent": "2"}
    assert re.fullmatch(r"[+-]\d+", cards["mood-index"])
    for name, n in (("personal_advice", 1), ("promissory", 1), ("09:00", 8), ("21:00", 7), ("sent", 2)):
        assert f'<td>{name}</td><td class="n">{n}</td>' in dom, name
    assert f"hour ({ZONE})" in dom  # the hours chart's axis says which zone, as text inside the SVG

    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    pixels = imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1000
    assert share_of(pixels, "#ffffff") < 0.97  # not a blank page
    assert share_of(pixels, ACCENT) > 0.001 and share_of(pixels, DOWN) > 0.0005  # intent/hour bars, flagged bars


@pytest.mark.usefixtures("week")
def test_an_empty_window_renders_a_no_activity_page(tmp_path: Path) -> None:
    page = write_page(tmp_path, "--since", "2026-12-01", "--until", "2026-12-07")
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert 'id="no-activity"' in dom and "No activity" in dom and "<svg" not in dom
    assert "telegram:-1001234567890" in dom
