"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against
`laborlens serve` started as a user would, over the full built database.

Screenshots of every view go to ``test-output/screenshots`` (or ``$LABORLENS_SCREENSHOTS``;
``docs/screenshots`` is refreshed that way).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LABORLENS_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


NBSP = "\u00a0"  # between a number and its "%": the two never part at a line break


def _pct(x: float, d: int = 1) -> str:
    """A share as the dashboard writes it (fmt.pct in app.js): 36.2 %, with a no-break space."""
    return f"{100 * x:.{d}f}{NBSP}%"


def _nb(text: str) -> str:
    """The library's sentence as the dashboard shows it: "-13 %" with a no-break space."""
    return re.sub(r"(\d) %", rf"\1{NBSP}%", text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_full, tmp_path_factory):
    """`laborlens serve` in its own process over the built database; yields its base URL."""
    settings, _ = built_full
    port = _free_port()
    env = {
        **os.environ,
        "LABORLENS_MODELS": str(settings.models_dir),
        "LABORLENS_CACHE": str(settings.cache_dir),
        "LABORLENS_OFFLINE": "1",
    }
    port_arg = ("--port", str(port))
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "laborlens", "serve", "--db", str(settings.db_path), *port_arg],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            pytest.fail(f"laborlens serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"laborlens serve did not answer in 180 s:\n{log.read_text()}")
        time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian chromium (`make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    where = Path(os.environ.get("LABORLENS_SCREENSHOTS") or REPO / "test-output" / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


WIDTHS = (375, 1280)  # a phone and a laptop


def _open_page(browser, server, viewport: dict):
    """A fresh page that records console errors and every request that leaves the server;
    yields it and fails on anything recorded."""
    context = browser.new_context(viewport=viewport)
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on(
        "console",
        lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    pg.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((server, "data:"))
            else pg.problems.append(f"request outside the server: {r.url}")
        ),
    )
    pg.base = server
    yield pg
    problems = list(pg.problems)
    context.close()
    assert not problems, problems


@pytest.fixture
def page(browser, server):
    yield from _open_page(browser, server, VIEWPORT)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized_page(request, browser, server):
    """The same at a phone's and at a laptop's width."""
    yield from _open_page(browser, server, {"width": request.param, "height": 900})


@pytest.fixture(scope="module")
def db(built_full):
    settings, _ = built_full
    con = duckdb.connect(str(settings.db_path), read_only=True)
    yield con
    con.close()


def _pick_suggestion(page, box: str, text: str, expected: str) -> None:
    """Type into a search box and choose ``expected`` with the keyboard only."""
    page.fill(box, text)
    option = page.locator(f"{box}-list li[role=option]", has_text=expected).first
    option.wait_for()
    options = page.locator(f"{box}-list li[role=option]")
    index = next(i for i in range(options.count()) if expected in options.nth(i).inner_text())
    for _ in range(index + 1):
        page.keyboard.press("ArrowDown")
    assert page.get_attribute(box, "aria-activedescendant") == f"{box[1:]}-opt-{index}"
    page.keyboard.press("Enter")


def test_overview_shows_the_stored_headline_with_intervals(page, db, shots):
    from laborlens.impact.store import stored_groups, stored_headline

    head = stored_headline(db, "human")["all_workers"]
    majors = stored_groups(db, "human", "major_group")
    page.goto(f"{page.base}/#/overview")
    cards = page.locator("#headline .card")
    cards.first.wait_for()
    ten, half = cards.nth(0).inner_text(), cards.nth(1).inner_text()
    for text, stat in ((ten, head["share_ge_0.1"]), (half, head["share_ge_0.5"])):
        assert _pct(stat["point"]) in text
        assert f"{_pct(stat['lower'])} – {_pct(stat['upper'])}" in text
    page.locator("#majors-chart .main-svg").first.wait_for()
    page.locator("#wage-chart .main-svg").first.wait_for()
    scored = [g for g in majors if g["share_ge_0.5"]["point"] is not None]
    assert page.locator("table tbody tr").count() == len(scored)
    page.screenshot(path=shots / "overview.png", full_page=True)
    page.select_option("#overview-source", "gpt4")
    page.wait_for_url("**/#/overview/gpt4")
    gpt4 = stored_headline(db, "gpt4")["all_workers"]["share_ge_0.5"]["point"]
    page.locator("#headline .card", has_text=_pct(gpt4)).wait_for()


def test_geography_lists_every_state(page, db, shots):
    from laborlens.impact.store import stored_groups

    states = [a for a in stored_groups(db, "human", "state") if a["share_ge_0.5"]["point"]]
    top = max(states, key=lambda a: a["share_ge_0.5"]["point"])
    page.goto(f"{page.base}/#/geography")
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(states)
    assert rows.first.locator("td").first.inner_text() == top["group_label"]
    page.locator("#geo-chart .main-svg").first.wait_for()
    page.screenshot(path=shots / "geography.png", full_page=True)
    page.select_option("#geo-level", "metro")
    page.wait_for_url("**/#/geography/human:metro")
    page.locator("table caption", has_text="areas").wait_for()
    assert rows.count() > 300


def test_search_open_occupation_and_load_its_tasks(page, db):
    code = "29-1141.00"
    tasks = db.execute(
        "SELECT t.task, e.human_exposure FROM onet_tasks t LEFT JOIN exposure_labels e "
        "USING (onet_soc_code, task_id) WHERE t.onet_soc_code = ?",
        [code],
    ).fetchall()
    page.goto(f"{page.base}/#/occupations")
    _pick_suggestion(page, "#occ-search", "registered nur", "Registered Nurses")
    page.wait_for_url(f"**/#/occupation/{code}")
    page.locator("h1", has_text="Registered Nurses").wait_for()
    assert page.locator("#tasks table").count() == 0  # tasks load on demand
    page.click("#show-tasks")
    rows = page.locator("#tasks tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(tasks)
    human = dict(tasks)
    first = rows.first.locator("td")
    assert human[first.nth(0).inner_text()] == first.nth(2).inner_text()
    page.locator("#occ-geo tbody tr").first.wait_for()


def test_search_suggests_alternate_titles_and_similar_titles(page, shots):
    page.goto(f"{page.base}/#/occupations")
    page.fill("#occ-search", "forklift")
    page.locator(
        "#occ-search-list li", has_text="Industrial Truck and Tractor Operators"
    ).wait_for()
    assert "also called" in page.inner_text("#occ-search-list")
    page.fill("#occ-search", "acountant")  # a typo: only the title coder finds it
    page.locator("#occ-search-list li", has_text="Accountants and Auditors").wait_for()
    assert "similar title" in page.inner_text("#occ-search-list")
    page.screenshot(path=shots / "search.png")


def test_rate_my_job(page, shots):
    page.goto(f"{page.base}/#/rate")
    page.fill("#rate-title", "RN - ICU night shift")
    page.fill(
        "#rate-text",
        "Responsibilities\n"
        "- Assess patients' health and develop individualized nursing care plans.\n"
        "- Administer medications and monitor patients' vital signs.\n"
        "- Document care in the electronic health record.\n"
        "- Educate patients and families about treatment and recovery.",
    )
    page.click("#rate-go")
    page.locator("#rate-out h2", has_text="Your tasks").wait_for(timeout=60_000)
    first = page.locator("#rate-out table").first.locator("tbody tr").first
    assert first.locator("td").nth(1).inner_text().startswith("29-1141")
    statements = page.locator("#rate-out table").nth(1).locator("tbody tr")
    assert statements.count() == 4
    labels = {statements.nth(i).locator(".badge").inner_text() for i in range(4)}
    assert labels <= {"E0", "E1", "E2"}
    page.screenshot(path=shots / "rate-my-job.png", full_page=True)


def test_careers_query(page, built_full, shots):
    from laborlens.careers.recommend import recommend_careers

    settings, _ = built_full
    expected = recommend_careers("53-7051.00", top=10, settings=settings)
    page.goto(f"{page.base}/#/careers")
    _pick_suggestion(page, "#careers-search", "forklift", "Industrial Truck and Tractor Operators")
    rows = page.locator("#careers-out tbody tr")
    rows.first.wait_for()
    assert rows.count() == 10
    shown = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(10)]
    assert shown == [i["title"] for i in expected.items]
    page.select_option("#careers-objective", "safer")
    page.wait_for_function(
        "first => document.querySelector('#careers-out tbody tr td:nth-child(2)')"
        "?.innerText !== first",
        arg=shown[0],
    )
    page.screenshot(path=shots / "careers.png", full_page=True)


def test_measures_view(page, db, shots):
    n = db.execute("SELECT count(*) FROM measure_coverage").fetchone()[0]
    page.goto(f"{page.base}/#/measures")
    page.locator("#corr-chart .main-svg").first.wait_for()
    assert page.locator("table tbody tr").count() == n
    page.screenshot(path=shots / "measures.png", full_page=True)


def test_every_control_has_a_label_and_the_page_works_by_keyboard(page):
    page.goto(f"{page.base}/#/rate")
    page.locator("#rate-title").wait_for()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
             .filter(el => !el.closest('[hidden]'))
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
             .map(el => el.id || el.outerHTML)"""
    )
    assert unlabelled == []
    first = page.evaluate(
        "document.querySelector('a[href], button, input, select, textarea').className"
    )
    assert first == "skip"  # the first stop of the tab order skips the navigation
    page.focus("a.skip")
    assert page.locator("a.skip").bounding_box()["x"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'main'")
    assert page.url.endswith("#/rate")
    for view in ("occupations", "careers", "measures", "emerging"):
        page.focus(f'nav a[data-view="{view}"]')
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/#/{view}")
        page.locator(f'nav a[data-view="{view}"][aria-current="page"]').wait_for()


# -- the occupation summary and "New work", at a phone's and a laptop's width -------------------
GREEK = re.compile("[αβγΔ]")


def _points(x: float) -> str:
    """A change in a share as the dashboard writes it: +6 points, −10 points."""
    v = 100 * x
    n = f"{abs(v):.0f}"
    return f"{'+' if v >= 0 else '−'}{n} {'point' if n == '1' else 'points'}"


def _check_layout_and_words(page) -> None:
    """What every view must hold at any width: no sideways page scroll (a wide table scrolls in
    its own box), every control labelled, codes never broken, words instead of α/β/γ outside
    the technical details, and the caveat that exposure is not job loss."""
    width = page.evaluate("innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    outside = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
             .filter(e => e instanceof HTMLElement && !e.closest('.table-wrap, .table-scroll'))
             .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
             .map(e => e.tagName + (e.id ? '#' + e.id : ''))"""
    )
    assert outside == [], outside
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
             .filter(el => !el.closest('[hidden]'))
             .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
             .map(el => el.id || el.outerHTML)"""
    )
    assert unlabelled == []
    broken = page.evaluate(
        "() => [...document.querySelectorAll('main .code')].filter(e => "
        "getComputedStyle(e).whiteSpace !== 'nowrap' || e.getClientRects().length > 1)"
        ".map(e => e.textContent)"
    )
    assert broken == []
    # a percentage never parts from its "%": a no-break space between them, and the number
    # and the "%" laid out in the same line box (at 375 px "36 %" used to wrap before the "%")
    parted = page.evaluate(
        r"""() => {
          const out = [];
          const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            if (n.parentElement.closest('svg')) continue;  // Plotly's labels do not wrap
            for (const m of n.data.matchAll(/\d(\s*)%/g)) {
              const around = n.data.slice(Math.max(0, m.index - 12), m.index + m[0].length);
              if (m[1] !== '' && m[1] !== '\u00a0') { out.push(`space: ${around}`); continue; }
              const box = (i) => {
                const r = document.createRange();
                r.setStart(n, i);
                r.setEnd(n, i + 1);
                return r.getBoundingClientRect();
              };
              const a = box(m.index), b = box(m.index + m[0].length - 1);
              if (a.height && b.height && Math.abs(a.top - b.top) > a.height / 2)
                out.push(`wrapped: ${around}`);
            }
          }
          return out;
        }"""
    )
    assert parted == [], parted
    # closed <details> hold the technical detail: their content is not in innerText
    words = page.locator("main").inner_text()
    assert not GREEK.search(words), GREEK.search(words)
    notes = page.locator("main .caveat, main .summary").all_inner_texts()
    assert any("not job loss" in text for text in notes), notes


def _shot(page, shots: Path, name: str) -> None:
    """The first screen of the view (small PNGs): name.png at 1,280 px, name-375.png at 375."""
    width = page.evaluate("innerWidth")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / (f"{name}.png" if width >= 1000 else f"{name}-{width}.png"))


def test_occupation_page_is_the_one_page_summary(sized_page, db, shots):
    from laborlens.occupations.summary import occupation_summary

    page = sized_page
    code = "41-2011.00"  # Cashiers: every source rated it, OEWS panel, career moves
    s = occupation_summary(db, code)
    page.goto(f"{page.base}/#/occupation/{code}")
    box = page.locator("#occ-summary")
    box.wait_for()
    assert page.locator("h1").inner_text() == s["title"]
    shares = page.locator("#occ-shares").inner_text()
    for e in s["exposure"]:
        assert f"{_pct(e['beta'], 0)} by" in shares
    assert s["agreement"]["verdict"][1:] in page.locator("#occ-agreement").inner_text()
    assert s["caveat"] in box.inner_text()
    ranked = [m for m in s["public_measures"] if m["percentile"] is not None]
    page.locator("#occ-measures-chart .main-svg").first.wait_for()
    assert page.locator("#occ-measures-chart .bars .point").count() == len(ranked) > 1
    for key, where in (("tasks_most_exposed", "#tasks-most"), ("tasks_least_exposed", "#tasks-least")):
        items = page.locator(f"{where} li")
        assert items.count() == len(s[key]) > 0
        for i, t in enumerate(s[key]):
            assert items.nth(i).inner_text().split(maxsplit=2)[2] == t["task"]
            assert items.nth(i).inner_text().startswith(_pct(t["score"], 0))
    trends = s["trends"]
    assert trends["available"], trends
    assert _nb(trends["summary"][1:]) in page.locator("#occ-trends").inner_text()
    page.locator("#occ-trend-chart .main-svg").first.wait_for()
    moves = page.locator("table", has=page.locator("caption", has_text="similar skills"))
    rows = moves.locator("tbody tr")
    assert rows.count() == len(s["career_moves"])
    for i, m in enumerate(s["career_moves"]):
        cells = rows.nth(i).locator("td")
        assert cells.nth(0).inner_text() == m["title"]
        assert cells.nth(2).inner_text() == _points(m["beta_change"])
    # the technical detail is one click away
    detail = page.locator("#occ-technical")
    assert not detail.locator("table").first.is_visible()
    page.click("#occ-technical > summary")
    assert "share of tasks directly exposed" in detail.locator("table").first.inner_text()
    assert detail.locator("table").nth(1).locator("tbody tr").count() == len(s["public_measures"])
    page.click("#occ-technical > summary")
    _check_layout_and_words(page)
    _shot(page, shots, "occupation")


def test_new_work_view_and_one_occupations_changes(sized_page, db, shots):
    from laborlens.emerging.query import overview, revision_pairs, task_rows
    from laborlens.jsonutil import clean_json

    page = sized_page
    o = clean_json(overview(db))  # as the API sends it: NaN is null
    m = o["summary"]["20.1->29.3"]
    page.goto(f"{page.base}/#/emerging")
    page.locator("#nw-summary").wait_for()
    page.locator('nav a[data-view="emerging"][aria-current="page"]').wait_for()
    head = page.locator("#nw-headline").inner_text()
    assert f"rated {_pct(m['beta_new'], 0)} exposed" in head
    assert f"replaced {_pct(m['beta_removed'], 0)}" in head
    assert f"new work is {_points(m['delta_beta'])}" in head
    lo, hi = _points(m["delta_ci_low"]).rsplit(" ", 1)[0], _points(m["delta_ci_high"])
    assert f"95{NBSP}% interval {lo} to {hi}" in head
    if m["delta_ci_low"] <= 0 <= m["delta_ci_high"]:
        assert "the data cannot tell" in head
    summary = page.locator("#nw-summary").inner_text()
    for words in ("What the interval means", "rolling schedule", "may be an old one reworded",
                  "Exposure is not job loss"):
        assert words in summary
    ids = m["counts_by_task_id"]
    assert f"added {ids['new']:,} task statements, dropped {ids['removed']:,}" in summary
    groups = [
        g for g in o["groups"]
        if g["comparison"] == "20.1->29.3" and g["group"] != "all" and g["delta_beta"] is not None
    ]
    by_group = page.locator("table", has=page.locator("caption", has_text="Employment-weighted"))
    assert by_group.locator("tbody tr").count() == len(groups)
    page.locator("#nw-groups-chart .main-svg").first.wait_for()
    changed = page.locator("table", has=page.locator("caption", has_text="largest share of tasks"))
    rows = changed.locator("tbody tr")
    assert rows.count() == len(o["changed_most"])
    assert [rows.nth(i).locator("td a").inner_text() for i in range(3)] == [
        r["title"] for r in o["changed_most"][:3]
    ]
    em = o["summary"]["29.3 emerging"]
    assert f"O*NET lists {em['statements']} emerging tasks" in page.locator("#nw-emerging").inner_text()
    assert page.locator("caption", has_text=f"of {o['new_occupations_total']}").count() == 1
    if o["postings_ai_share"]:
        page.locator("#nw-postings-chart .main-svg").first.wait_for()
    _check_layout_and_words(page)
    _shot(page, shots, "new-work")
    # drill down into the occupation whose tasks changed most
    top = o["changed_most"][0]
    rows.first.locator("td a").click()
    page.wait_for_url(f"**/#/emerging/{top['onet_soc_code']}")
    part = page.locator("#nw-201")
    part.wait_for()
    tasks = task_rows(db, "20.1", "29.3", code=top["onet_soc_code"])
    pairs = revision_pairs(db, "20.1", "29.3", code=top["onet_soc_code"])
    reworded = pairs[pairs["kind"] != "new_id_same_text"]
    for head, n in (
        ("New tasks", (tasks["status"] == "new").sum()),
        ("Removed tasks", (tasks["status"] == "removed").sum()),
        ("Reworded tasks", len(reworded)),
    ):
        heading = part.locator("h3", has_text=head)
        if n == 0:
            assert heading.count() == 0
            continue
        table = heading.locator("xpath=following-sibling::div[1]//table")
        assert table.locator("tbody tr").count() == n, head
    if len(reworded):
        first = part.locator("h3", has_text="Reworded tasks").locator(
            "xpath=following-sibling::div[1]//tbody/tr[1]/td"
        )
        assert first.nth(0).inner_text() == reworded.iloc[0]["old_task"]
        assert first.nth(1).inner_text() == reworded.iloc[0]["new_task"]
    assert "rolling schedule" in page.locator("main .caveat").inner_text()
    page.locator("#nw-293").wait_for()
    _check_layout_and_words(page)
    if page.evaluate("innerWidth") >= 1000:
        page.screenshot(path=shots / "new-work-occupation.png")
