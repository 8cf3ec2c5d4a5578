"""``zopa report``: the use case's typed result and the one-file HTML it renders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from zopa import load_scenario
from zopa.app.report import report
from zopa.cli.app import app
from zopa.results.report import ReportResult
from zopa.web.report import render_report

GAZA = Path(__file__).resolve().parent.parent / "examples" / "gaza-2024-03.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def result() -> ReportResult:
    return report(load_scenario(GAZA), branches=["us_vetoes_2728"], samples=40, seed=3,
                  drivers_samples=2, file=str(GAZA))


def test_the_report_gathers_every_analysis(result: ReportResult) -> None:
    assert [f.model for f in result.forecasts] == ["compromise", "median", "nash"]
    assert all(f.uncertain is not None and f.uncertain.draws == 40 for f in result.forecasts)
    assert result.zone.uncertain is not None
    assert result.compare is not None and result.compare.branches == ["history",
                                                                      "us_vetoes_2728"]
    assert [v.draft for v in result.votes] == ["draft_s_2024_239", "draft_res_2728"]
    assert result.drivers is not None and result.drivers.output == "gap"
    assert len(result.sources) == 40 and len(result.events) == 11
    data = json.loads(json.dumps(result.to_json()))
    assert data["format"] == "zopa.report/1"
    jsonschema.validate(data, ReportResult.json_schema())


def test_the_html_is_self_contained(result: ReportResult) -> None:
    html = render_report(result)
    assert "Gaza truce and hostage talks" in html and "us_vetoes_2728" in html
    # No file is loaded from anywhere: no src= or stylesheet link (sources are plain links).
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=", html)
    assert "<link" not in html
    assert html.count("</script>") == 4  # plotly, charts, the data, the drawing script
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert data is not None and json.loads(data.group(1))["format"] == "zopa.report/1"


def test_zopa_report_writes_one_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = runner.invoke(app, ["report", str(GAZA), "-n", "20", "--drivers", "0",
                               "--branch", "hamas_accepts_bridging", "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert out.stat().st_size > 4_000_000  # plotly.js is inlined
    assert "hamas_accepts_bridging" in out.read_text()
    assert f"wrote {out}" in done.stderr


def test_zopa_report_refuses_pdf_and_bad_input(tmp_path: Path) -> None:
    done = runner.invoke(app, ["report", str(GAZA), "--format", "pdf", "-o",
                               str(tmp_path / "r.pdf")])
    assert done.exit_code == 2 and "only html" in done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: {title: x}\n")
    done = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 2 and re.match(r".*bad\.yaml:1: ", done.stderr)
    assert not (tmp_path / "r.html").exists()
