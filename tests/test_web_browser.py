"""The web app in a real browser: Playwright driving the system's chromium (docs/web.md).

Skipped, with a message saying why, where no ``chromium`` is on PATH (``make dev`` installs it
when run as root). Screenshots of every page go to ``tests/screenshots/`` (git-ignored); with
``ZOPA_README_SCREENSHOTS=1`` the two in ``docs/img/`` are made again.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
GAZA = "gaza-2024-03.yaml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="browser tests skipped: no `chromium` on PATH (install it with `apt-get install -y "
           "chromium`; `make dev` does so when run as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from zopa.web.server import create_app

    folder = tmp_path_factory.mktemp("served")
    shutil.copy(ROOT / "examples" / GAZA, folder / GAZA)
    shutil.copytree(ROOT / "examples" / "records", folder / "records")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(folder), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield found
        found.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  accept_downloads=True)
    found = context.new_page()
    errors: list[str] = []
    found.on("pageerror", lambda e: errors.append(str(e)))
    yield found
    context.close()
    assert not errors, f"script errors in the page: {errors}"


def shot(page: Any, name: str, readme: str | None = None) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if readme and os.environ.get("ZOPA_README_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "img" / readme))


def svg_marks(page: Any, selector: str) -> int:
    """Drawn marks (paths, points) in the plotly SVGs under ``selector``."""
    count: int = page.evaluate(
        "(s) => Array.from(document.querySelectorAll(s + ' svg.main-svg'))"
        ".reduce((n, svg) => n + svg.querySelectorAll('path.point, path.js-line, path.bars, "
        "g.point path, rect, path.js-fill').length, 0)", selector)
    return count


def test_library_lists_the_example(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("#library").get_by_text("Gaza truce and hostage talks").count() == 1
    shot(page, "library")


def test_scenario_view_draws_every_chart(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/scenario/{GAZA}")
    page.wait_for_selector("#events svg.main-svg")
    assert page.locator("#issues .js-plotly-plot").count() == 7  # one chart an issue
    for part in ("#issues", "#relations", "#power", "#events"):
        assert svg_marks(page, part) > 0, part
    assert page.locator("#issues").get_by_text("no ZOPA").count() >= 4
    shot(page, "scenario", readme="scenario-view.png")


def test_a_salience_slider_changes_the_forecast(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/run/{GAZA}")
    slider = page.locator('input[data-key="salience:hamas:ceasefire_days"]')

    def move(value: float) -> str:
        before = page.locator("#whatif-result").get_attribute("data-forecast")
        slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                        value)
        page.wait_for_function(
            "(b) => document.querySelector('#whatif-result').getAttribute('data-forecast') !== b",
            arg=before)
        found: str = page.locator("#whatif-result").get_attribute("data-forecast")
        return found

    high, low = move(0.9), move(0.05)
    assert high != low
    page.wait_for_selector("#whatif-result svg.main-svg")
    shot(page, "whatif")


def test_a_yaml_error_is_shown_at_its_line(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/edit/{GAZA}")
    page.wait_for_function("document.querySelector('#status').textContent === 'valid'")
    text = page.locator("#text")
    original = text.input_value()
    lines = original.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "salience: 0.3")
    lines[at] = lines[at].replace("0.3", "1.7")
    # Typing 1,900 lines key by key is slow; set the text and send the event typing sends.
    text.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                  "\n".join(lines))
    page.wait_for_function("document.querySelector('#problems').textContent.length > 0")
    problems = page.locator("#problems").text_content()
    assert f"{GAZA}:{at + 1}: positions.israel.ceasefire_days.salience" in problems
    assert f"● {at + 1}" in page.locator("#gutter").text_content()
    shot(page, "editor-error")


def test_a_monte_carlo_run_shows_its_progress(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/run/{GAZA}")
    page.evaluate("""() => { window.seen = []; new MutationObserver(() => window.seen.push(
        document.querySelector('#progress-text').textContent)).observe(
        document.querySelector('#progress-text'), {childList: true, characterData: true,
        subtree: true}); }""")
    page.select_option("#kind", "timeline")
    page.fill("#samples", "2000")
    page.click("#run")
    page.wait_for_selector("#result svg.main-svg", timeout=60_000)
    seen = page.evaluate("window.seen")
    assert any(s.startswith(("queued", "running", "done")) for s in seen), seen
    assert page.locator("#progress").is_hidden()
    assert svg_marks(page, "#result") > 0
    shot(page, "montecarlo", readme="run-page.png")


def test_two_branches_compared(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/run/{GAZA}")
    page.select_option("#kind", "compare")
    page.select_option("#branches", ["history", "us_vetoes_2728"])
    page.click("#run")
    page.wait_for_selector("#result svg.main-svg")
    legend = page.locator("#result .legend").text_content()
    assert "history: gap" in legend and "us_vetoes_2728: gap" in legend
    shot(page, "compare")


def test_the_report_downloads_and_renders_with_the_network_blocked(
        page: Any, browser: Any, base_url: str) -> None:
    page.goto(f"{base_url}/run/{GAZA}")
    page.fill("#samples", "30")
    page.fill("#drivers", "0")
    with page.expect_download(timeout=60_000) as info:
        page.click("#report-link")
    SHOTS.mkdir(exist_ok=True)
    saved = SHOTS / "report.html"
    info.value.save_as(str(saved))
    offline = browser.new_context(offline=True)
    tried: list[str] = []

    def block(route: Any) -> None:
        if not route.request.url.startswith("file:"):
            tried.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    report = offline.new_page()
    offline.route("**/*", block)
    errors: list[str] = []
    report.on("pageerror", lambda e: errors.append(str(e)))
    report.goto(saved.as_uri())
    report.wait_for_selector("#drivers, #compare svg.main-svg")
    assert svg_marks(report, "#pzopa") > 0 and svg_marks(report, "#compare") > 0
    assert report.locator("svg.main-svg").count() > 20
    assert not tried and not errors
    report.screenshot(path=str(SHOTS / "report.png"), full_page=False)
    offline.close()
