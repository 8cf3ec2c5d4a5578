// The pages' behaviour: calls to the JSON API (every write carries the CSRF header), the
// editor's live validation, long runs as polled jobs, what-if sliders.
"use strict";
var zopa = (function () {
  function csrf() { return document.querySelector('meta[name="zopa-csrf"]').content; }
  function data() { return JSON.parse(document.getElementById("data").textContent); }
  function $(id) { return document.getElementById(id); }

  // A call to the API: resolves with the JSON, or rejects with the lines to show (located
  // problems as the command line prints them, or the error).
  function api(method, url, body, raw) {
    var headers = {"X-Zopa-CSRF": csrf()};
    if (!raw) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {method: method, headers: headers, credentials: "same-origin",
                       body: body === undefined ? undefined : (raw ? body : JSON.stringify(body))})
      .then(function (r) {
        return r.json().then(function (j) {
          if (r.ok) { return j; }
          var lines = j.problems ? j.problems.map(function (p) { return p.text; })
            : j.error ? [j.error]
            : j.detail ? j.detail.map(function (d) { return d.loc.join(".") + ": " + d.msg; })
            : ["error " + r.status];
          throw lines;
        });
      });
  }
  function showError(el, lines) { el.textContent = [].concat(lines).join("\n"); }

  function library() {
    $("upload").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = $("upload-file").files[0];
      if (!file) { return; }
      file.arrayBuffer().then(function (buf) {
        return api("POST", "/api/upload?name=" + encodeURIComponent(file.name), buf, true);
      }).then(function () { location.reload(); },
              function (lines) { showError($("upload-problems"), lines); });
    });
  }

  function scenarioView() {
    var d = data();
    ZopaCharts.issues($("issues"), d.scenario, d.zone);
    ZopaCharts.relations($("relations"), d.scenario);
    ZopaCharts.power($("power"), d.powers);
    ZopaCharts.events($("events"), d.scenario.events || []);
  }

  // The editor: validation 400 ms after the last key; each problem's line marked in the gutter.
  function editor(name) {
    var text = $("text"), gutter = $("gutter"), timer = null, bad = {};
    function drawGutter() {
      var n = text.value.split("\n").length, out = [];
      for (var i = 1; i <= n; i++) { out.push((bad[i] ? "● " : "  ") + i); }
      gutter.textContent = out.join("\n");
      gutter.scrollTop = text.scrollTop;
    }
    function check() {
      api("POST", "/api/validate?name=" + encodeURIComponent(name), {text: text.value})
        .then(function (r) {
          bad = {};
          r.problems.forEach(function (p) { if (p.line) { bad[p.line] = true; } });
          $("problems").textContent = r.problems.map(function (p) { return p.text; }).join("\n");
          $("status").textContent = r.ok ? "valid" : r.problems.length + " problem(s)";
          drawGutter();
        }, function (lines) { showError($("problems"), lines); });
    }
    text.addEventListener("input", function () {
      drawGutter(); clearTimeout(timer); timer = setTimeout(check, 400);
    });
    text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
    $("save").addEventListener("click", function () {
      api("PUT", "/api/scenarios/" + name, {text: text.value}).then(function () {
        $("status").textContent = "saved (the previous version is kept as " + name + ".prev)";
      }, function (lines) { showError($("problems"), lines); $("status").textContent = "not saved"; });
    });
    drawGutter(); check();
  }

  function draw(kind, result, el) {
    el.innerHTML = "";
    function part(cls) { var d = document.createElement("div"); d.className = cls; el.appendChild(d); return d; }
    if (kind === "forecast" || kind === "whatif") {
      var verdict = part("verdict");
      verdict.textContent = result.evaluation ? Object.keys(result.evaluation).map(function (p) {
        return p + ": " + (result.evaluation[p].acceptable ? "accepts" : "rejects") +
          " (utility " + (result.evaluation[p].utility === null ? "-" : result.evaluation[p].utility.toFixed(3)) + ")";
      }).join("; ") : (result.reason || "");
      ZopaCharts.distribution(part("grid"), result);
      if (kind === "forecast" && result.rounds.length > 1) { ZopaCharts.positions(part("grid"), result); }
    } else if (kind === "zone") {
      part("verdict").textContent = result.feasible ? "a ZOPA exists (margin " + result.margin + ")"
        : "no ZOPA" + (result.uncertain ? "; P(ZOPA) " + result.uncertain.p_zopa.p.toFixed(3) : "");
      ZopaCharts.issues(part("grid"), data().scenario, result);
    } else if (kind === "timeline") {
      ZopaCharts.pzopa(part("chart"), result);
    } else if (kind === "compare") {
      ZopaCharts.compare(part("chart"), result);
    } else if (kind === "sensitivity") {
      ZopaCharts.tornado(part("chart"), result);
    } else if (kind === "vote") {
      ZopaCharts.vote(part("chart"), result);
    } else if (kind === "negotiate") {
      ZopaCharts.negotiation(part("chart"), result);
    }
  }

  // A long run: a job polled every 300 ms, its progress shown, then its result drawn.
  function job(kind, options) {
    $("progress").hidden = false; $("progress-text").textContent = "starting";
    $("progress-bar").removeAttribute("value");
    return api("POST", "/api/jobs", {kind: kind, options: options}).then(function (j) {
      return new Promise(function (resolve, reject) {
        (function poll() {
          fetch("/api/jobs/" + j.id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
            .then(function (s) {
              if (s.total) { $("progress-bar").max = s.total; $("progress-bar").value = s.done; }
              $("progress-text").textContent = s.state + (s.label ? ": " + s.label : "") +
                (s.total ? " (" + s.done + " of " + s.total + " " + s.unit + ")" : "") +
                ", " + s.seconds.toFixed(1) + " s";
              if (s.state === "done") { resolve(s.result); }
              else if (s.state === "failed") { reject(s.error.problems || [s.error.error]); }
              else { setTimeout(poll, 300); }
            }, reject);
        })();
      });
    });
  }

  function runPage(name) {
    var d = data();
    function options(kind) {
      var o = {file: name}, samples = +$("samples").value, seed = +$("seed").value;
      var model = $("model").value;
      var branches = Array.prototype.map.call($("branches").selectedOptions, function (x) { return x.value; });
      if (kind === "forecast") { Object.assign(o, {model: model, samples: samples, seed: seed}); }
      if (kind === "zone") { Object.assign(o, {samples: samples, seed: seed}); }
      if (kind === "timeline") { Object.assign(o, {model: model, samples: samples, seed: seed,
        branch: branches.filter(function (b) { return b !== "history"; })[0] || null}); }
      if (kind === "compare") { Object.assign(o, {model: model, samples: samples, seed: seed, branches: branches}); }
      if (kind === "sensitivity") { Object.assign(o, {output: $("output").value, seed: seed, model: model,
        samples: samples || null}); }
      if (kind === "negotiate") { Object.assign(o, {runs: +$("runs").value, seed: seed}); }
      if (kind === "vote") { o.draft = $("draft").value; }
      return o;
    }
    $("run-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var kind = $("kind").value, o = options(kind);
      $("run-error").textContent = ""; $("result").innerHTML = "";
      var long = (o.samples || 0) > 0 || kind === "sensitivity" || kind === "negotiate";
      var done = long ? job(kind, o) : api("POST", "/api/" + kind, o);
      done.then(function (r) {
        $("progress").hidden = true; draw(kind, r, $("result"));
      }, function (lines) { $("progress").hidden = true; showError($("run-error"), lines); });
    });
    $("report-link").addEventListener("click", function () {
      var branches = Array.prototype.map.call($("branches").selectedOptions, function (x) { return x.value; })
        .filter(function (b) { return b !== "history"; });
      this.href = "/api/report.html?file=" + encodeURIComponent(name) + "&samples=" +
        (+$("samples").value || 200) + "&drivers=" + (+$("drivers").value) + branches.map(function (b) { return "&branch=" + encodeURIComponent(b); }).join("");
    });
    sliders(name, d.scenario);
  }

  // One slider per salience, BATNA and red line; moving one re-runs the chosen fast model.
  function sliders(name, s) {
    var box = $("sliders"), changes = {}, timer = null;
    function add(key, label, min, max, step, val, change) {
      var row = document.createElement("label"); row.className = "slider";
      var input = document.createElement("input");
      input.type = "range"; input.min = min; input.max = max; input.step = step; input.value = val;
      input.setAttribute("data-key", key);
      var shown = document.createElement("span"); shown.textContent = val;
      input.addEventListener("input", function () {
        shown.textContent = input.value; change.value = +input.value; changes[key] = change;
        clearTimeout(timer); timer = setTimeout(rerun, 150);
      });
      row.appendChild(document.createTextNode(label + " "));
      row.appendChild(input); row.appendChild(shown); box.appendChild(row);
    }
    function rerun() {
      var model = $("model").value;
      if (["compromise", "median", "nash"].indexOf(model) < 0) { model = "compromise"; }
      api("POST", "/api/whatif", {file: name, model: model,
                                  changes: Object.keys(changes).map(function (k) { return changes[k]; })})
        .then(function (r) { $("whatif-result").setAttribute("data-forecast", JSON.stringify(r.outcome));
                             draw("whatif", r, $("whatif-result")); },
              function (lines) { showError($("whatif-result"), lines); });
    }
    var issues = {};
    s.issues.forEach(function (i) { issues[i.id] = i; });
    s.actors.forEach(function (a) {
      add("batna:" + a.id, a.name + ": BATNA", 0, 1, 0.01, a.batna.value,
          {target: "batna", actor: a.id});
      Object.keys(s.positions[a.id] || {}).forEach(function (i) {
        var p = s.positions[a.id][i];
        add("salience:" + a.id + ":" + i, a.name + ": salience of " + issues[i].name, 0, 1, 0.01,
            p.salience, {target: "salience", actor: a.id, issue: i});
        if (p.red_line === undefined) { return; }
        var options = issues[i].options, r = options ? [0, options.length - 1] : issues[i].range;
        if (!r) { return; }
        // On an issue of named options the slider moves over the options' indices.
        var at = options && typeof p.red_line === "string" ? options.indexOf(p.red_line) : p.red_line;
        add("red_line:" + a.id + ":" + i, a.name + ": red line on " + issues[i].name, r[0], r[1],
            options ? 1 : (r[1] - r[0]) / 100, at, {target: "red_line", actor: a.id, issue: i});
      });
    });
  }

  return {api: api, library: library, scenarioView: scenarioView, editor: editor, runPage: runPage};
})();
