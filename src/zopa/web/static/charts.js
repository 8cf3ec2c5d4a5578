// zopa's charts: each function draws one result's JSON (docs/json.md) with plotly.js.
// Shared by the web pages and the self-contained report; they draw, they compute nothing
// beyond picking fields out of the results.
"use strict";
var ZopaCharts = (function () {
  var CONFIG = {displaylogo: false, responsive: true};
  var BASE = {margin: {l: 60, r: 20, t: 36, b: 40}, height: 260, font: {size: 12}};

  function layout(extra) { return Object.assign({}, BASE, extra); }
  function issueName(info, id) {
    var found = (info || []).filter(function (i) { return i.id === id; })[0];
    return found ? found.name + (found.unit ? " (" + found.unit + ")" : "") : id;
  }
  function cell(el, title) {
    var div = document.createElement("div");
    div.className = "chart";
    div.setAttribute("data-title", title);
    el.appendChild(div);
    return div;
  }
  function plot(div, traces, extra) { return Plotly.newPlot(div, traces, layout(extra), CONFIG); }
  // An issue's scale: its range, or its options' indices.
  function scale(issue) {
    if (issue.options) { return [0, issue.options.length - 1]; }
    return issue.range || [0, 1];
  }
  function axis(issue) {
    var a = {range: [scale(issue)[0], scale(issue)[1]], zeroline: false};
    if (issue.options) {
      a.tickvals = issue.options.map(function (_, i) { return i; });
      a.ticktext = issue.options;
    }
    return a;
  }
  function value(issue, v) {
    return (issue.options && typeof v === "string") ? issue.options.indexOf(v) : v;
  }

  // Per issue: every actor's ideal point, its red line, and the zone shaded.
  function issues(el, scenario, zone) {
    el.innerHTML = "";
    scenario.issues.forEach(function (issue) {
      var names = [], ideal = [], red = [], redNames = [];
      scenario.actors.forEach(function (a) {
        var p = (scenario.positions[a.id] || {})[issue.id];
        if (!p) { return; }
        names.push(a.name); ideal.push(value(issue, p.ideal));
        if (p.red_line !== undefined) { red.push(value(issue, p.red_line)); redNames.push(a.name); }
      });
      var shapes = [], z = zone && zone.issues ? zone.issues[issue.id] : null;
      if (z && !z.empty && z.low !== null) {
        shapes.push({type: "rect", xref: "x", yref: "paper", x0: z.low, x1: z.high, y0: 0, y1: 1,
                     fillcolor: "rgba(46,160,67,0.25)", line: {width: 0}});
      }
      var title = issue.name + (z ? (z.empty ? " — no ZOPA" : " — ZOPA shaded") : "");
      plot(cell(el, issue.id), [
        {x: ideal, y: names, mode: "markers", type: "scatter", name: "ideal point",
         marker: {size: 11, color: "#1f77b4"}},
        {x: red, y: redNames, mode: "markers", type: "scatter", name: "red line",
         marker: {size: 13, symbol: "line-ns-open", color: "#d62728", line: {width: 3}}}
      ], {title: {text: title}, xaxis: axis(issue), shapes: shapes, showlegend: false,
          height: 60 + 22 * names.length, margin: {l: 230, r: 30, t: 36, b: 30}});
    });
  }

  // Relations as a graph: actors on a circle, one line a relation, coloured by kind.
  function relations(el, scenario) {
    var n = scenario.actors.length, at = {};
    scenario.actors.forEach(function (a, i) {
      at[a.id] = [Math.cos(2 * Math.PI * i / n), Math.sin(2 * Math.PI * i / n)];
    });
    var kinds = {}, traces = [];
    (scenario.relations || []).forEach(function (r) {
      var k = kinds[r.kind] || (kinds[r.kind] = {x: [], y: [], text: []});
      var a = at[r.from], b = at[r.to];
      if (!a || !b) { return; }
      k.x.push(a[0], b[0], null); k.y.push(a[1], b[1], null);
    });
    Object.keys(kinds).forEach(function (k) {
      traces.push({x: kinds[k].x, y: kinds[k].y, mode: "lines", name: k, type: "scatter",
                   hoverinfo: "name", line: {width: 2}});
    });
    traces.push({x: scenario.actors.map(function (a) { return at[a.id][0]; }),
                 y: scenario.actors.map(function (a) { return at[a.id][1]; }),
                 text: scenario.actors.map(function (a) { return a.name; }), type: "scatter",
                 mode: "markers+text", textposition: "top center", name: "actors",
                 marker: {size: 16, color: "#444"}});
    plot(el, traces, {title: {text: "Relations"}, height: 420,
                      xaxis: {visible: false, range: [-1.5, 1.5]},
                      yaxis: {visible: false, range: [-1.3, 1.3], scaleanchor: "x"}});
  }

  // Each body's members with their Shapley-Shubik and Banzhaf power.
  function power(el, powers) {
    el.innerHTML = "";
    powers.forEach(function (p) {
      var ids = Object.keys(p.members);
      plot(cell(el, p.body), [
        {x: ids, y: ids.map(function (m) { return p.members[m].shapley_shubik; }), type: "bar",
         name: "Shapley-Shubik"},
        {x: ids, y: ids.map(function (m) { return p.members[m].banzhaf; }), type: "bar",
         name: "Banzhaf"}
      ], {title: {text: p.name + ": voting power"}, barmode: "group"});
    });
  }

  // The scenario's events on a time axis, one row per kind of event.
  function events(el, list) {
    plot(el, [{x: list.map(function (e) { return e.date; }),
               y: list.map(function (e) { return e.type; }),
               text: list.map(function (e) { return e.title + (e.result ? " (" + e.result + ")" : ""); }),
               mode: "markers", type: "scatter", hoverinfo: "x+text",
               marker: {size: 12, color: "#9467bd"}}],
         {title: {text: "Events"}, height: 240, margin: {l: 110, r: 20, t: 36, b: 40}});
  }

  // A dynamic model's positions over rounds: per issue, each actor's line and the outcome.
  function positions(el, forecast) {
    el.innerHTML = "";
    var rounds = forecast.rounds || [];
    if (!rounds.length) { el.textContent = forecast.reason || "no forecast"; return; }
    var x = rounds.map(function (r) { return r.round; });
    Object.keys(rounds[0].outcome).forEach(function (issue) {
      var traces = Object.keys(rounds[0].positions).map(function (a) {
        return {x: x, y: rounds.map(function (r) { return r.positions[a][issue]; }), name: a,
                mode: "lines+markers", type: "scatter", line: {width: 1}};
      });
      traces.push({x: x, y: rounds.map(function (r) { return r.outcome[issue]; }),
                   name: "forecast", mode: "lines+markers", type: "scatter",
                   line: {width: 4, color: "black"}});
      plot(cell(el, issue), traces, {title: {text: issueName(forecast.issue_info, issue)},
                                     xaxis: {title: {text: "round"}}, showlegend: false});
    });
  }

  // The forecast per issue with its 5-50-95 % interval over the declared uncertainty.
  function distribution(el, forecast) {
    el.innerHTML = "";
    var info = forecast.issue_info || [], u = forecast.uncertain;
    Object.keys(forecast.outcome || {}).forEach(function (i) {
      var traces = [{x: [forecast.outcome[i].value], y: ["stated"], type: "scatter",
                     mode: "markers", name: "at the stated values",
                     marker: {symbol: "diamond", size: 12}}];
      if (u && u.forecast[i] && u.forecast[i].median !== null) {
        var f = u.forecast[i];
        traces.push({x: [f.median], y: ["draws"], type: "scatter", mode: "markers",
                     name: "median, 5-95 %", error_x: {type: "data", symmetric: false,
                     array: [f.high - f.median], arrayminus: [f.median - f.low]}});
      }
      plot(cell(el, i), traces, {title: {text: issueName(info, i) + ": " +
                                         (forecast.outcome[i].label || "-")},
                                 height: 150, showlegend: false,
                                 margin: {l: 60, r: 20, t: 36, b: 30}});
    });
  }

  function rowLabel(r) { return r.date + " " + (r.event || "base"); }

  // P(ZOPA) after each event (with its standard error) and the gap at the stated values.
  function pzopa(el, timeline) {
    var rows = timeline.rows, x = rows.map(rowLabel), traces = [
      {x: x, y: rows.map(function (r) { return r.point.gap; }), name: "gap at the stated values",
       type: "scatter", mode: "lines+markers", yaxis: "y2"}];
    if (rows[0].uncertain) {
      traces.push({x: x, y: rows.map(function (r) { return r.uncertain.p_zopa.p; }),
                   error_y: {type: "data", array: rows.map(function (r) { return r.uncertain.p_zopa.se; })},
                   name: "P(ZOPA)", type: "bar"});
    }
    plot(el, traces, {title: {text: "P(ZOPA) and the gap over the timeline (" + timeline.branch + ")"},
                      yaxis: {title: {text: "P(ZOPA)"}, range: [0, 1]},
                      yaxis2: {title: {text: "gap"}, overlaying: "y", side: "right"},
                      legend: {orientation: "h", y: 1.12}, height: 380,
                      margin: {l: 60, r: 60, t: 60, b: 140}});
  }

  // Branches side by side: the gap (and P(ZOPA) with draws) on every date.
  function compare(el, result) {
    var traces = [];
    result.branches.forEach(function (b) {
      traces.push({x: result.dates.map(function (d) { return d.date; }),
                   y: result.dates.map(function (d) { return d.states[b].gap; }),
                   name: b + ": gap", type: "scatter", mode: "lines+markers"});
      if (result.dates[0].uncertain) {
        traces.push({x: result.dates.map(function (d) { return d.date; }),
                     y: result.dates.map(function (d) { return d.uncertain[b].p_zopa.p; }),
                     name: b + ": P(ZOPA)", type: "scatter", mode: "lines", yaxis: "y2",
                     line: {dash: "dot"}});
      }
    });
    plot(el, traces, {title: {text: "Branches compared"}, yaxis: {title: {text: "gap"}},
                      yaxis2: {title: {text: "P(ZOPA)"}, overlaying: "y", side: "right", range: [0, 1]},
                      height: 340});
  }

  // A predicted vote: each member's probabilities, and the result's.
  function vote(el, result) {
    if (!result.members) {  // a recorded vote's outcome
      el.textContent = result.tally + ": " + result.result; return;
    }
    var ids = Object.keys(result.members), traces = ["yes", "no", "abstain", "absent"].map(function (k) {
      return {x: ids, y: ids.map(function (m) { return result.members[m][k]; }), name: k, type: "bar"};
    });
    var r = result.result;
    plot(el, traces, {barmode: "stack", height: 320, yaxis: {range: [0, 1]},
                      title: {text: (result.draft || "") + ": adopted " + r.adopted.toFixed(2) +
                              ", vetoed " + r.vetoed.toFixed(2) + ", failed " + r.failed.toFixed(2)}});
  }

  // The drivers of an output, largest first (Morris mu* or Sobol total index).
  function tornado(el, result) {
    var d = result.drivers.slice(0, 15).reverse();
    var key = result.method === "sobol" ? "total" : "mu_star";
    plot(el, [{y: d.map(function (x) { return x.label.length > 70 ? x.label.slice(0, 70) + "…" : x.label; }),
               x: d.map(function (x) { return x[key]; }), type: "bar", orientation: "h",
               error_x: {type: "data", array: d.map(function (x) { return x[key + "_conf"] || 0; })}}],
         {title: {text: "Drivers of " + result.output + " (" + result.method + ")"},
          height: 120 + 26 * d.length, margin: {l: 420, r: 20, t: 36, b: 40}});
  }

  // Agreement rate and utilities of agent-based negotiations.
  function negotiation(el, result) {
    var s = result.summary || {}, keys = Object.keys(s).filter(function (k) { return typeof s[k] === "number"; });
    plot(el, [{x: keys, y: keys.map(function (k) { return s[k]; }), type: "bar"}],
         {title: {text: "Negotiations: summary"}});
  }

  return {issues: issues, relations: relations, power: power, events: events,
          positions: positions, distribution: distribution, pzopa: pzopa, compare: compare,
          vote: vote, tornado: tornado, negotiation: negotiation};
})();
