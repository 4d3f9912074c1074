/**
 * The HTML report's inline style sheet. No fonts, images or anything else fetched: the report
 * must work offline from `file://` under a CSP of `default-src 'none'`.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --bad: #b42318; --ok: #067647; --muted: #5d6b82; --line: #d9dee7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; background: #f6f7f9; }
main { max-width: 1280px; margin: 0 auto; padding: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
#verdict { font-size: 22px; font-weight: 650; margin: 12px 0; padding: 14px 18px; border-radius: 8px; background: #fff; border-left: 6px solid var(--muted); }
#verdict.fail { border-color: var(--bad); color: var(--bad); }
#verdict.pass { border-color: var(--ok); color: var(--ok); }
.counts { display: flex; flex-wrap: wrap; gap: 12px; margin: 0; padding: 0; list-style: none; }
.counts li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.counts b { display: block; font-size: 20px; }
.counts .bad b { color: var(--bad); }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef1f5; position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: " ▲"; }
th[aria-sort=descending]::after { content: " ▼"; }
td.nowrap { white-space: nowrap; }
td.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
tr.violation td { background: #fef3f2; }
.tag { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 4px; font-size: 12px; background: #eef1f5; color: var(--muted); }
.tag.bad { background: #fee4e2; color: var(--bad); }
.tag.ok { background: #dcfae6; color: var(--ok); }
.controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.controls input { flex: 1 1 320px; padding: 6px 8px; font: inherit; }
.controls select { padding: 6px 8px; font: inherit; max-width: 360px; }
.status { color: var(--muted); margin: 6px 0; }
button.more { margin: 8px 0; padding: 6px 14px; font: inherit; cursor: pointer; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
`;

/**
 * The HTML report's inline script: reads the embedded JSON and builds every element with
 * `textContent`, never `innerHTML`, so a checkpoint named `<img src=x onerror=…>` stays text.
 * Tables render lazily (the first rows, then "Show more"), and the filter and sort work on the
 * data arrays, so 100,000 permissions stay responsive.
 */
export const REPORT_JS = `
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 200;
  var cps = data.checkpoints, projects = data.projects;
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function $(id) { return document.getElementById(id); }
  function n(x) { return Number(x).toLocaleString("en-US"); }
  function date(s) { var d = new Date(s * 1000); return isNaN(d.getTime()) ? String(s) : d.toISOString().replace(".000Z", "Z"); }
  function projectLabel(p) { return p[1] ? p[1] + " (" + p[0] + ")" : p[0]; }
  function verdictCell(v) {
    return v === 0 ? el("span", { "class": "tag bad" }, "violation") : v === 1 ? el("span", { "class": "tag ok" }, "allowed") : el("span", { "class": "tag" }, "not judged");
  }

  var grants = data.grants;
  var violations = grants.filter(function (g) { return g[4] === 0; });
  var judged = grants.some(function (g) { return g[4] !== -1; });
  var s = data.meta.summary;
  var okCheckpoints = s ? s.checkpoints.ok : cps.length - data.failed.length;

  var verdict = $("verdict");
  if (violations.length > 0 || data.failed.length > 0) {
    verdict.className = "fail";
    var said = [];
    if (violations.length > 0) said.push(n(violations.length) + (violations.length === 1 ? " violation" : " violations"));
    if (data.failed.length > 0) said.push(n(data.failed.length) + (data.failed.length === 1 ? " checkpoint failed" : " checkpoints failed"));
    verdict.textContent = "✗ " + said.join(" · ");
  } else if (judged || data.meta.allowListDigest) {
    verdict.className = "pass";
    verdict.textContent = "✓ No violations: every permission is on the allow-list";
  } else {
    verdict.textContent = "No allow-list: " + n(grants.length) + " permissions listed, none judged";
  }
  var counts = $("counts");
  [["Violations", violations.length, violations.length > 0], ["Failed checkpoints", data.failed.length, data.failed.length > 0],
   ["Checkpoints audited", okCheckpoints + data.failed.length, false], ["Permissions", grants.length, false],
   ["Projects", projects.length, false], ["Revoked", s ? s.revoked : data.revocations.length, false]].forEach(function (c) {
    var li = el("li", c[2] ? { "class": "bad" } : null);
    li.appendChild(el("b", null, n(c[1])));
    li.appendChild(document.createTextNode(c[0]));
    counts.appendChild(li);
  });

  /** A table over an array of rows, rendered PAGE rows at a time, sortable by its columns. */
  function lazyTable(root, columns, rows, rowClass) {
    var table = el("table"), thead = el("thead"), head = el("tr"), tbody = el("tbody");
    var more = el("button", { "class": "more", type: "button" }, "Show more");
    var status = el("p", { "class": "status" });
    var shown = 0, view = rows, total = rows.length, sortBy = -1, dir = 1;
    columns.forEach(function (c, i) {
      var th = el("th", { scope: "col" }, c.title);
      th.addEventListener("click", function () {
        dir = sortBy === i ? -dir : 1;
        sortBy = i;
        head.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var key = c.key;
        view = view.slice().sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -dir : x > y ? dir : 0; });
        reset();
      });
      head.appendChild(th);
    });
    thead.appendChild(head);
    table.appendChild(thead);
    table.appendChild(tbody);
    root.appendChild(status);
    root.appendChild(table);
    root.appendChild(more);
    function page() {
      var end = Math.min(view.length, shown + PAGE);
      var fragment = document.createDocumentFragment();
      for (; shown < end; shown++) {
        var row = view[shown], tr = el("tr", rowClass ? { "class": rowClass(row) } : null);
        columns.forEach(function (c) {
          var td = el("td", c.mono || c.nowrap ? { "class": c.mono ? "mono" : "nowrap" } : null), value = c.cell(row);
          if (value instanceof Node) td.appendChild(value); else td.textContent = value === null || value === undefined ? "" : String(value);
          tr.appendChild(td);
        });
        fragment.appendChild(tr);
      }
      tbody.appendChild(fragment);
      more.hidden = shown >= view.length;
      status.textContent = "Showing " + n(shown) + " of " + n(view.length) + (view.length !== total ? " matching (of " + n(total) + ")" : "");
    }
    function reset() { tbody.textContent = ""; shown = 0; page(); }
    more.addEventListener("click", page);
    reset();
    return { show: function (rows) { view = rows; if (sortBy >= 0) { sortBy = -1; head.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); }); } reset(); } };
  }

  var grantColumns = [
    { title: "Checkpoint", cell: function (g) { return cps[g[0]]; }, key: function (g) { return cps[g[0]]; }, mono: true },
    { title: "Project", cell: function (g) { return projectLabel(projects[g[1]]); }, key: function (g) { return projectLabel(projects[g[1]]); }, mono: true },
    { title: "Project status", cell: function (g) { return projects[g[1]][2]; }, key: function (g) { return projects[g[1]][2] || ""; } },
    { title: "Permission", cell: function (g) { return g[2]; }, key: function (g) { return g[2]; }, mono: true },
    { title: "Created", cell: function (g) { return date(g[3]); }, key: function (g) { return g[3]; }, nowrap: true },
    { title: "Verdict", cell: function (g) { return verdictCell(g[4]); }, key: function (g) { return g[4]; } },
    { title: "Finding", cell: function (g) { return g[5]; }, key: function (g) { return g[5] || ""; }, mono: true }
  ].filter(function (c) { return c.title !== "Project status" || projects.some(function (p) { return p[2]; }); });
  if (violations.length > 0) lazyTable($("violations"), grantColumns, violations);
  else $("violations").appendChild(el("p", { "class": "empty" }, judged ? "None." : "Not judged: the audit had no allow-list."));

  var failedColumns = [
    { title: "Checkpoint", cell: function (f) { return cps[f[0]]; }, key: function (f) { return cps[f[0]]; }, mono: true },
    { title: "Status", cell: function (f) { return f[2]; }, key: function (f) { return f[2] || 0; } },
    { title: "Error", cell: function (f) { return f[1]; }, key: function (f) { return f[1]; } },
    { title: "Request", cell: function (f) { return f[3]; }, key: function (f) { return f[3] || ""; }, mono: true }
  ];
  if (data.failed.length > 0) lazyTable($("failed"), failedColumns, data.failed);
  else $("failed").appendChild(el("p", { "class": "empty" }, "None."));

  if (data.revocations.length > 0) {
    $("revocations-section").hidden = false;
    lazyTable($("revocations"), [
      { title: "Checkpoint", cell: function (r) { return cps[r[0]]; }, key: function (r) { return cps[r[0]]; }, mono: true },
      { title: "Project", cell: function (r) { return r[2]; }, key: function (r) { return r[2]; }, mono: true },
      { title: "Permission", cell: function (r) { return r[1]; }, key: function (r) { return r[1]; }, mono: true },
      { title: "Outcome", cell: function (r) { return r[3]; }, key: function (r) { return r[3]; } }
    ], data.revocations);
  }

  var select = $("project");
  var order = projects.map(function (_, i) { return i; }).sort(function (a, b) { var x = projectLabel(projects[a]), y = projectLabel(projects[b]); return x < y ? -1 : x > y ? 1 : 0; });
  order.forEach(function (i) {
    var p = projects[i];
    select.appendChild(el("option", { value: String(i) }, projectLabel(p) + (p[2] ? " · " + p[2] : "")));
  });
  var haystack = null;
  var grantTable = lazyTable($("grants"), grantColumns, grants, function (g) { return g[4] === 0 ? "violation" : ""; });
  function applyFilter() {
    var text = $("filter").value.trim().toLowerCase();
    var project = select.value === "" ? -1 : Number(select.value);
    if (text && !haystack) haystack = grants.map(function (g) {
      var p = projects[g[1]];
      return (cps[g[0]] + "\\n" + p[0] + "\\n" + (p[1] || "") + "\\n" + (p[2] || "") + "\\n" + g[2] + "\\n" + (g[5] || "")).toLowerCase();
    });
    var rows = [];
    for (var i = 0; i < grants.length; i++) {
      if (project !== -1 && grants[i][1] !== project) continue;
      if (text && haystack[i].indexOf(text) === -1) continue;
      rows.push(grants[i]);
    }
    grantTable.show(rows);
  }
  $("filter").addEventListener("input", applyFilter);
  select.addEventListener("change", applyFilter);

  var meta = $("meta");
  function fact(name, value) { if (value === undefined || value === null || value === "") return; meta.appendChild(el("dt", null, name)); meta.appendChild(el("dd", null, value)); }
  fact("Generated", data.meta.generatedAt);
  fact("Organization", data.meta.organization);
  fact("Allow-list digest", data.meta.allowListDigest || "no allow-list");
  if (data.meta.coverage) Object.keys(data.meta.coverage).forEach(function (k) {
    var v = data.meta.coverage[k];
    fact("Coverage: " + k, typeof v === "object" ? JSON.stringify(v) : v);
  });
  if (s) fact("Requests", n(s.requests) + " (" + n(s.retries) + " retries, " + n(s.rateLimited) + " × 429) in " + (s.elapsedMs / 1000).toFixed(1) + " s");
  fact("Tool", "checkpoint-permissions " + data.meta.version);
  document.documentElement.setAttribute("data-ready", "true");
})();
`;
