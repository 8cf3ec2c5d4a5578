"""The web app's JSON API: every endpoint, and its guard (served folder, token, CSRF, sizes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from zopa.web.folder import MAX_UPLOAD
from zopa.web.server import create_app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GAZA = "gaza-2024-03.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    shutil.copy(EXAMPLES / GAZA, root / GAZA)
    shutil.copytree(EXAMPLES / "records", root / "records")
    (root.parent / "secret.yaml").write_text("meta: {title: secret}\n")
    return root


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[TestClient]:
    with TestClient(create_app(folder, csrf="test-csrf")) as c:
        c.headers["X-Zopa-CSRF"] = "test-csrf"
        yield c


def post(client: TestClient, path: str, **body: Any) -> Any:
    r = client.post(f"/api/{path}", json={"file": GAZA, **body})
    assert r.status_code == 200, r.text
    return r.json()


USE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("forecast", {"model": "median"}, "zopa.forecast/1"),
    ("forecast", {"model": "compromise", "samples": 50, "seed": 1}, "zopa.forecast/1"),
    ("zone", {"samples": 50, "seed": 1}, "zopa.zone/1"),
    ("timeline", {"samples": 20, "seed": 1}, "zopa.timeline/1"),
    ("compare", {"branches": ["history", "us_vetoes_2728"]}, "zopa.compare/1"),
    ("sensitivity", {"output": "forecast:ceasefire_days", "samples": 2}, "zopa.sensitivity/1"),
    ("negotiate", {"runs": 5, "rounds": 20}, "zopa.negotiation/1"),
    ("analyze", {}, "zopa.outcomes/1"),
    ("vote", {"draft": "draft_res_2728"}, "zopa.vote/1"),
    ("vote", {"event": "unsc_res_2728"}, "zopa.vote-outcome/1"),
    ("power", {}, "zopa.power/1"),
    ("compare-decision", {"event": "unsc_res_2728"}, "zopa.decision-comparison/1"),
    ("score", {"samples": 50}, "zopa.score/1"),
    ("whatif", {"changes": [{"target": "batna", "actor": "hamas", "value": 0.1}]},
     "zopa.forecast/1"),
]


@pytest.mark.parametrize(("path", "options", "fmt"), USE_CASES,
                         ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(USE_CASES)])
def test_every_use_case_answers_with_its_json_format(client: TestClient, path: str,
                                                     options: dict[str, Any], fmt: str) -> None:
    assert post(client, path, **options)["format"] == fmt


def test_the_api_gives_what_the_application_layer_gives(client: TestClient, folder: Path) -> None:
    from zopa import app, load_scenario

    direct = app.forecast(load_scenario(folder / GAZA), model="median", file=GAZA).to_json()
    assert post(client, "forecast", model="median") == direct


def test_record_use_cases(client: TestClient) -> None:
    for path in ("vote-fit", "backtest"):
        r = client.post(f"/api/{path}", json={"file": "records/unsc-gaza-2023-2024.yaml"})
        assert r.status_code == 200, r.text
        assert r.json()["format"].startswith("zopa.")


def test_what_if_moves_the_forecast_and_refuses_bad_values(client: TestClient) -> None:
    base = post(client, "forecast", model="compromise")["outcome"]["ceasefire_days"]["value"]
    change = {"target": "salience", "actor": "hamas", "issue": "ceasefire_days", "value": 0.05}
    moved = post(client, "whatif", changes=[change])["outcome"]["ceasefire_days"]["value"]
    assert moved != base
    bad = client.post("/api/whatif", json={"file": GAZA, "changes": [{**change, "value": 3}]})
    assert bad.status_code == 400 and "salience of hamas on ceasefire_days" in bad.json()["error"]


def test_models_session_scenarios_and_openapi(client: TestClient) -> None:
    assert client.get("/api/models").json()["format"] == "zopa.plugins/1"
    assert client.get("/api/session").json() == {"csrf": "test-csrf"}
    names = [e["name"] for e in client.get("/api/scenarios").json()]
    assert GAZA in names and "records/unsc-gaza-2023-2024.yaml" in names
    assert client.get(f"/api/scenarios/{GAZA}").json()["text"].startswith("# The Israel")
    paths = client.get("/openapi.json").json()["paths"]
    for path, _, _ in USE_CASES:
        assert f"/api/{path}" in paths
    for path in ("/api/jobs", "/api/upload", "/api/validate", "/api/report", "/api/report.html"):
        assert path in paths


def test_pages_render(client: TestClient) -> None:
    assert GAZA in client.get("/").text
    for page in ("scenario", "edit", "run"):
        r = client.get(f"/{page}/{GAZA}")
        assert r.status_code == 200 and 'name="zopa-csrf" content="test-csrf"' in r.text
    assert client.get("/static/plotly.min.js").content.startswith(b"/**")
    assert client.get("/static/charts.js").status_code == 200
    assert client.get("/static/..%2Fserver.py").status_code == 404


def test_a_scenario_that_does_not_load_shows_the_cli_lines(client: TestClient,
                                                           folder: Path) -> None:
    (folder / "broken.yaml").write_text(BROKEN)
    try:
        for page in ("scenario", "run"):
            r = client.get(f"/{page}/broken.yaml")
            assert r.status_code == 422
            assert "broken.yaml:12: actors.0.batna: must lie in [0, 1]" in r.text
            assert str(folder) not in r.text  # the server's own path is not shown
        r = client.post("/api/zone", json={"file": "broken.yaml"})
        assert r.json()["problems"][0]["text"].startswith("broken.yaml:12: actors.0.batna")
        listed = {e["name"]: e for e in client.get("/api/scenarios").json()}
        assert listed["broken.yaml"]["error"].startswith("broken.yaml:12:")
    finally:
        (folder / "broken.yaml").unlink()


def _finished_job(client: TestClient, kind: str, options: dict[str, Any]) -> dict[str, Any]:
    started = client.post("/api/jobs", json={"kind": kind, "options": {"file": GAZA, **options}})
    assert started.status_code == 202, started.text
    for _ in range(600):
        status: dict[str, Any] = client.get(f"/api/jobs/{started.json()['id']}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job still running: {status}")


def test_a_job_reports_its_state_and_result(client: TestClient) -> None:
    status = _finished_job(client, "timeline", {"samples": 50, "seed": 1})
    assert status["state"] == "done", status
    assert status["result"]["format"] == "zopa.timeline/1"
    runs = _finished_job(client, "negotiate", {"runs": 300, "rounds": 20})
    assert runs["state"] == "done", runs
    assert (runs["done"], runs["total"], runs["unit"]) == (300, 300, "runs")
    failed = _finished_job(client, "forecast", {"model": "bdm", "rounds": 10,
                                                "params": {"nope": "1"}})
    assert failed["state"] == "failed" and "nope" in failed["error"]["error"]
    assert client.get("/api/jobs/999").status_code == 404
    bad = client.post("/api/jobs", json={"kind": "nope", "options": {}})
    assert bad.status_code == 400


def test_bad_options_are_refused_with_the_cli_messages(client: TestClient) -> None:
    r = client.post("/api/forecast", json={"file": GAZA, "model": "no-such-model"})
    assert r.status_code == 400 and "no-such-model" in r.json()["error"]
    r = client.post("/api/forecast", json={"file": GAZA, "samples": -1})
    assert r.status_code == 422
    r = client.post("/api/timeline", json={"file": GAZA, "branch": "nope"})
    assert r.status_code == 400 and "nope" in r.json()["error"]


BROKEN = """\
meta:
  title: x
  as_of: 2024-01-01
issues:
  - id: a
    name: A
    range: [0, 1]
actors:
  - id: p
    name: P
    capability: {value: 1, estimate: true}
    batna: {value: 2, estimate: true}
"""


def test_validation_gives_located_problems_like_the_cli(client: TestClient, folder: Path,
                                                        tmp_path: Path) -> None:
    r = client.post("/api/validate?name=x.yaml", json={"text": BROKEN})
    problems = r.json()["problems"]
    assert r.json()["ok"] is False and problems[0]["line"] == 12
    path = tmp_path / "x.yaml"
    path.write_text(BROKEN)
    cli = subprocess.run([sys.executable, "-m", "zopa.cli.app", "validate", str(path)],
                         capture_output=True, text=True)
    if cli.returncode != 2:  # the package may not run as a module: use the console script
        cli = subprocess.run([str(Path(sys.executable).parent / "zopa"), "validate", str(path)],
                             capture_output=True, text=True)
    cli_line = cli.stderr.strip().splitlines()[0]
    assert cli_line.split(":", 1)[1] == problems[0]["text"].split(":", 1)[1]
    good = client.post("/api/validate", json={"text": (folder / GAZA).read_text()})
    assert good.json() == {"ok": True, "problems": []}


def test_save_validates_writes_atomically_and_keeps_the_previous_version(
        client: TestClient, folder: Path) -> None:
    text = (folder / GAZA).read_text()
    changed = text.replace("title: Gaza truce and hostage talks", "title: Edited talks", 1)
    assert client.put(f"/api/scenarios/{GAZA}", json={"text": changed}).status_code == 200
    assert (folder / GAZA).read_text() == changed
    assert (folder / f"{GAZA}.prev").read_text() == text
    refused = client.put(f"/api/scenarios/{GAZA}", json={"text": BROKEN})
    assert refused.status_code == 422 and (folder / GAZA).read_text() == changed
    assert client.put(f"/api/scenarios/{GAZA}", json={"text": text}).status_code == 200


def test_upload_is_parsed_by_the_safe_reader_and_size_limited(client: TestClient,
                                                              folder: Path) -> None:
    raw = (folder / GAZA).read_bytes()
    r = client.post("/api/upload?name=copy.yaml", content=raw)
    assert r.status_code == 201 and (folder / "copy.yaml").read_bytes() == raw
    assert client.post("/api/upload?name=copy.yaml", content=raw).status_code == 400
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n" \
           b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    r = client.post("/api/upload?name=bomb.yaml", content=bomb)
    assert r.status_code == 422 and not (folder / "bomb.yaml").exists()
    r = client.post("/api/upload?name=binary.yaml", content=b"\x00\x01\x02" * 10)
    assert r.status_code == 422 and not (folder / "binary.yaml").exists()
    big = b"#" * (MAX_UPLOAD + 1)
    assert client.post("/api/upload?name=big.yaml", content=big).status_code == 413
    huge = b"#" * (MAX_UPLOAD + 200_000)
    assert client.post("/api/upload?name=huge.yaml", content=huge).status_code == 413
    assert not (folder / "big.yaml").exists() and not (folder / "huge.yaml").exists()
    (folder / "copy.yaml").unlink()


TRAVERSALS = ["../secret.yaml", "records/../../secret.yaml", "/etc/passwd", "..%2Fsecret.yaml",
              ".hidden.yaml", "README.md", "records\\..\\..\\secret.yaml", "a%00.yaml"]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_no_path_outside_the_served_folder_is_read_or_written(client: TestClient, folder: Path,
                                                              name: str) -> None:
    assert client.post("/api/forecast", json={"file": name}).status_code == 404
    assert client.get(f"/api/scenarios/{name}").status_code in (404, 405)
    r = client.put(f"/api/scenarios/{name}", json={"text": "x: 1"})
    assert r.status_code in (404, 405, 422)
    assert (folder.parent / "secret.yaml").read_text() == "meta: {title: secret}\n"


def test_a_symbolic_link_out_of_the_folder_is_refused(client: TestClient, folder: Path) -> None:
    link = folder / "link.yaml"
    link.symlink_to(folder.parent / "secret.yaml")
    try:
        assert client.post("/api/forecast", json={"file": "link.yaml"}).status_code == 404
        assert client.get("/api/scenarios/link.yaml").status_code == 404
    finally:
        link.unlink()


def test_a_record_file_outside_the_folder_is_refused(client: TestClient, folder: Path) -> None:
    text = (folder / GAZA).read_text().replace("file: records/unsc-gaza-2023-2024.yaml",
                                               "file: ../secret.yaml")
    r = client.post("/api/upload?name=outside.yaml", content=text.encode())
    assert r.status_code == 404 and "outside the served folder" in r.json()["error"]


def test_writes_need_the_csrf_header(folder: Path) -> None:
    with TestClient(create_app(folder, csrf="right")) as c:
        body = {"file": GAZA}
        assert c.post("/api/zone", json=body).status_code == 403
        assert c.post("/api/zone", json=body, headers={"X-Zopa-CSRF": "wrong"}).status_code == 403
        assert c.put(f"/api/scenarios/{GAZA}", json={"text": "x"}).status_code == 403
        cross = {"X-Zopa-CSRF": "right", "Origin": "http://evil.example"}
        assert c.post("/api/zone", json=body, headers=cross).status_code == 403
        assert c.post("/api/zone", json=body, headers={"X-Zopa-CSRF": "right"}).status_code == 200
        assert c.get("/").status_code == 200  # reads need no header


def test_a_token_is_needed_on_every_request_when_set(folder: Path) -> None:
    with TestClient(create_app(folder, token="tok", csrf="c")) as c:
        assert c.get("/").status_code == 401
        assert c.get("/api/scenarios").status_code == 401
        assert c.get("/static/plotly.min.js").status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/api/scenarios", headers={"Authorization": "Bearer tok"}).status_code == 200
        first = c.get("/run/x.yaml?token=tok&a=1", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/run/x.yaml?a=1"
        assert "zopa_token=tok" in first.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the cookie now carries it
        c.cookies.clear()
        body = {"file": GAZA}
        assert c.post("/api/zone", json=body, headers={"X-Zopa-CSRF": "c"}).status_code == 401


def test_a_local_server_answers_only_requests_to_local_names(folder: Path) -> None:
    from zopa.web.server import LOCAL_HOSTS

    with TestClient(create_app(folder, hosts=LOCAL_HOSTS), base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/scenarios").status_code == 200
        assert c.get("/", headers={"Host": "localhost:8000"}).status_code == 200
        assert c.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
        rebound = c.get("/api/session", headers={"Host": "evil.example:8000"})
        assert rebound.status_code == 403 and "csrf" not in rebound.text


def test_serve_needs_a_token_only_beyond_this_machine(folder: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from zopa.web import server

    seen: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(app))
    lines: list[str] = []
    server.serve(folder, host="127.0.0.1", announce=lines.append)
    server.serve(folder, host="0.0.0.0", announce=lines.append)
    assert seen[0].token is None and seen[1].token is not None
    assert seen[0].hosts == {"127.0.0.1", "localhost", "::1"} and seen[1].hosts is None
    assert f"?token={seen[1].token}" in lines[1]


def test_the_html_report_download(client: TestClient) -> None:
    r = client.get(f"/api/report.html?file={GAZA}&samples=20&drivers=0&branch=us_vetoes_2728")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    assert "Plotly" in r.text and "us_vetoes_2728" in r.text
    assert "<script src=" not in r.text and "cdn" not in r.text.lower().split("<main>")[1]


def test_starting_the_cli_loads_no_web_stack() -> None:
    code = ("import json, sys\nimport zopa.cli.app\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    import json

    loaded = {m.split(".")[0] for m in json.loads(done.stdout)}
    assert not loaded & {"fastapi", "starlette", "uvicorn", "jinja2", "plotly", "httpx"}


def test_the_runs_pages_and_api_read_the_run_store(folder: Path, tmp_path: Path) -> None:
    """Two forecasts stored by the command line, then listed, shown and compared by the app."""
    from typer.testing import CliRunner

    from zopa.cli.app import app as cli

    store = tmp_path / "runs.duckdb"
    for model in ("compromise", "median"):
        done = CliRunner().invoke(cli, ["forecast", str(folder / GAZA), "--model", model,
                                        "--json", "--store", str(store)])
        assert done.exit_code == 0, done.output
    with TestClient(create_app(folder, csrf="test-csrf", store=store)) as c:
        listed = c.get("/api/runs").json()
        assert listed["format"] == "zopa.runs/1" and listed["total"] == 2
        first, second = sorted(r["id"] for r in listed["runs"])
        shown = c.get(f"/api/runs/{first}").json()
        assert shown["run"]["model"] == "compromise"
        assert shown["result"]["format"] == "zopa.forecast/1"
        compared = c.get(f"/api/runs/compare?a={first}&b={second}").json()
        assert compared["inputs"]["same_scenario"] is True
        assert compared["outputs"], "the two models' forecasts differ"
        page = c.get("/runs")
        assert page.status_code == 200 and f'href="/runs/{first}"' in page.text
        assert "median" in page.text
        page = c.get(f"/runs/compare?a={first}&b={second}")
        assert page.status_code == 200 and 'id="runs-outputs"' in page.text
        assert c.get(f"/runs/{second}").status_code == 200
        missing = c.get("/api/runs/999")
        assert missing.status_code == 400 and "no run 999" in missing.json()["error"]
        assert c.get("/runs/999").status_code == 422  # the page says so, as the CLI would
