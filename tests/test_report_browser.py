"""The HTML report in a real browser (Debian's Chromium driven by Playwright) at a phone's and a
laptop's width: the plain-language summary, the glossary, the caveat that exposure is not job
loss, labels in words, and a layout that never scrolls the page sideways.

Screenshots go to ``test-output/screenshots`` (or ``$LABORLENS_SCREENSHOTS``; ``docs/screenshots``
is refreshed that way): ``report-375.png`` and ``report-1280.png``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LABORLENS_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTHS = (375, 1280)
# identifiers of the code that must never reach a reader as a label
RAW_IDS = re.compile(
    r"\b(automation_(human|gpt4|model)|exposure_(human|gpt4|model)|share_ge_0\.\d|"
    r"mean_exposure|human_beta|gpt4_beta)\b"
)


@pytest.fixture(scope="module")
def report_html(built_full, tmp_path_factory) -> Path:
    from laborlens.report import make_report

    settings, _ = built_full
    return make_report(settings, tmp_path_factory.mktemp("report") / "out").html


@pytest.fixture(scope="module")
def shots() -> Path:
    where = Path(os.environ.get("LABORLENS_SCREENSHOTS") or REPO / "test-output" / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


def check_report_page(html: Path, shots: Path, width: int) -> dict:
    """Open the report at ``width`` px and assert what a reader must see; returns measurements."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian chromium (`make test` does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "request",
            lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
        )
        page.goto(html.as_uri())
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        summary = page.locator("#summary").inner_text()
        assert "What this says" in summary
        assert "What this does not say" in summary
        assert "Exposure is not job loss" in summary
        assert re.search(r"About \d+\.\d % of US workers", summary)
        glossary = page.locator("dl.glossary").inner_text()
        for term in ("Exposure", "Share of tasks exposed (β)", "Coverage", "Job zone", "OEWS"):
            assert term in glossary
        # a caveat stands beside every figure that could be read as jobs lost
        assert page.locator(".caveat").count() >= 3
        assert "not jobs that will disappear" in page.locator("#headline ~ .caveat").first.inner_text()
        # technical detail is one click away, not gone
        assert page.locator("details > summary", has_text="Technical detail").count() >= 2
        # labels in words: no code identifiers in the visible text or in the charts' labels
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        visible = page.locator("body").inner_text()
        svg_text = page.evaluate(
            "() => [...document.querySelectorAll('.main-svg text')].map(t => t.textContent)"
            ".join(' ')"
        )
        assert not RAW_IDS.search(visible), RAW_IDS.search(visible)
        assert not RAW_IDS.search(svg_text), RAW_IDS.search(svg_text)
        assert "Human raters" in svg_text
        # the sensitivity chart keeps α, β and γ apart
        assert all(s in svg_text for s in ("α share", "β share", "γ share"))
        # layout: nothing scrolls the page sideways; tables scroll inside their own box
        scroll = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        assert scroll <= inner, f"page is {scroll} px wide in a {inner} px window"
        wide = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => "
            "t.getBoundingClientRect().right > innerWidth + 1).length"
        )
        assert wide == 0
        # codes never break across lines
        broken = page.evaluate(
            "() => [...document.querySelectorAll('td.code, code')].filter(e => "
            "getComputedStyle(e).whiteSpace !== 'nowrap' || e.getClientRects().length > 1)"
            ".map(e => e.textContent)"
        )
        assert broken == []
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        page.screenshot(path=shots / f"report-{width}.png", full_page=False)
        browser.close()
    assert not problems, problems
    return {"scroll_width": scroll, "inner_width": inner}


@pytest.mark.parametrize("width", WIDTHS)
def test_report_reads_in_plain_words_and_fits_the_screen(report_html, shots, width):
    got = check_report_page(report_html, shots, width)
    assert got["scroll_width"] <= width
