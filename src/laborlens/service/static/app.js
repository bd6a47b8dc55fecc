/* laborlens dashboard: a hash-routed page over the JSON API. No framework, no CDN. */
"use strict";

const main = document.getElementById("main");
const KEY = "laborlens-api-key";

// ---------------------------------------------------------------------------------------
// helpers

/** A number and its "%" never part at a line break: "36 %" -> "36\u00a0%" (the server's
 * sentences, e.g. an occupation's trend summary, come with ordinary spaces). */
function keepPct(text) {
  return text.replace(/(\d) %/g, "$1\u00a0%");
}

/** Element builder: h("a", {href: "#"}, "text", child...). Text is never parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(keepPct(String(c))));
  }
  return el;
}

class ApiError extends Error {
  constructor(status, body) {
    super(describe(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function describe(body) {
  if (!body) return "";
  if (typeof body.detail === "string") return body.detail;
  if (Array.isArray(body.detail)) {
    return body.detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return JSON.stringify(body);
}

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const key = localStorage.getItem(KEY);
  if (key) headers["X-API-Key"] = key;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options = { ...options, method: options.method || "POST", body: JSON.stringify(options.json) };
  }
  const resp = await fetch(path, { ...options, headers });
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (resp.status === 401) document.getElementById("keybar").hidden = false;
  if (!resp.ok) throw new ApiError(resp.status, body);
  return body;
}

const fmt = {
  pct: (x, d = 1) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(d)}\u00a0%`),
  num: (x, d = 2) => (x === null || x === undefined ? "–" : Number(x).toFixed(d)),
  int: (x) => (x === null || x === undefined ? "–" : Math.round(x).toLocaleString("en-US")),
  usd: (x) => (x === null || x === undefined ? "–" : `$${Math.round(x).toLocaleString("en-US")}`),
};

function badge(label) {
  return h("span", { class: `badge ${label || "none"}` }, label || "–");
}

function table(columns, rows, { caption, wrap = false, stack = false } = {}) {
  const t = h(
    "table",
    { class: stack ? "stack" : null },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h("tr", {}, columns.map((c) => h("td", { class: c.num ? "num" : null, "data-label": c.label }, c.render ? c.render(r) : r[c.key] ?? "–"))),
      ),
    ),
  );
  // a table never widens the page: it scrolls inside its own box
  return wrap
    ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "table" }, t)
    : h("div", { class: "table-scroll" }, t);
}

function errorBox(err) {
  return h("p", { class: "error", role: "alert" }, err.message || String(err));
}

function loading(text = "Loading…") {
  return h("p", { class: "muted", role: "status" }, text);
}

function chart(id, traces, layout) {
  const el = h("div", { id, class: "chart", role: "img", "aria-label": String(layout.title?.text || layout.title || "chart").replace(/<br>/g, " ") });
  queueMicrotask(() => {
    if (!window.Plotly) { el.append("Charts need /static/vendor/plotly.min.js."); return; }
    const base = {
      margin: { l: 60, r: 20, t: 50, b: 60 },
      font: { family: "system-ui, sans-serif", size: 13, color: "#1a1a1a" },
      paper_bgcolor: "#fff",
      plot_bgcolor: "#fff",
    };
    window.Plotly.newPlot(el, traces, { ...base, ...layout }, { responsive: true, displaylogo: false });
  });
  return el;
}

function view(...nodes) {
  main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
  main.focus({ preventScroll: true });
}

/** A search box with suggestions (ARIA combobox): arrows move, Enter opens, Escape closes. */
function occupationCombo({ id, label, onPick, placeholder = "e.g. registered nurse, 15-1252" }) {
  const input = h("input", {
    id, type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-controls": `${id}-list`, autocomplete: "off", placeholder,
  });
  const list = h("ul", { id: `${id}-list`, role: "listbox", "aria-label": `${label} suggestions`, hidden: true });
  let items = [];
  let active = -1;
  let timer = null;
  let seq = 0;
  const close = () => {
    list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1;
    input.removeAttribute("aria-activedescendant");
  };
  const mark = () => {
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", list.children[active].id);
      list.children[active].scrollIntoView({ block: "nearest" });
    }
  };
  const pick = (item) => { close(); input.value = item.title; onPick(item); };
  const show = (hits) => {
    items = hits; active = -1;
    list.replaceChildren(...hits.map((hit, i) => h("li", {
      id: `${id}-opt-${i}`, role: "option", "aria-selected": "false",
      onmousedown: (e) => { e.preventDefault(); pick(hit); },
    }, hit.title, h("span", { class: "code" }, hit.onet_soc_code),
    hit.match === "title" || hit.match === "code" ? null
      : h("span", { class: "why" }, hit.match === "similar" ? "similar title" : `also called “${hit.matched}”`))));
    if (!hits.length) list.append(h("li", { role: "option", "aria-disabled": "true" }, "No occupation matches"));
    list.hidden = false; input.setAttribute("aria-expanded", "true");
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(async () => {
      const mine = ++seq;
      try {
        const hits = await api(`/api/occupations?q=${encodeURIComponent(q)}&limit=8`);
        if (mine === seq) show(hits);
      } catch (err) { if (mine === seq) { list.replaceChildren(h("li", { role: "option" }, err.message)); list.hidden = false; } }
    }, 120);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && items.length) { e.preventDefault(); active = (active + 1) % items.length; mark(); }
    else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); active = (active - 1 + items.length) % items.length; mark(); }
    else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0) pick(items[active]);
      else if (items.length) pick(items[0]);
    } else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return h("div", { class: "field" }, h("label", { for: id }, label), h("div", { class: "combo" }, input, list));
}

// ---------------------------------------------------------------------------------------
// views

const views = {};

views.occupations = async () => {
  view(
    h("h1", {}, "Occupation explorer"),
    h("p", {}, "Search the 1,016 O*NET-SOC 2019 occupations by title, one of O*NET's 57,000 alternate and reported titles, or code."),
    occupationCombo({ id: "occ-search", label: "Occupation", onPick: (hit) => { location.hash = `#/occupation/${hit.onet_soc_code}`; } }),
  );
  document.getElementById("occ-search").focus();
};

/** +12 points / −3 points: a change in a share, in percentage points */
function points(x, d = 0) {
  if (x === null || x === undefined) return "–";
  const v = 100 * x;
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(d)} ${Math.abs(v).toFixed(d) === "1" ? "point" : "points"}`;
}

function signedUsd(x) {
  return x === null || x === undefined ? "–" : `${x >= 0 ? "+" : "−"}${fmt.usd(Math.abs(x))}`;
}

/** "21 % to 39 %" for a list of shares */
function listing(parts) {
  return parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

function codeSpan(code) {
  return h("span", { class: "code" }, code);
}

/** One task's exposure in words (the E0/E1/E2 rubric is in the glossary). */
const EXPOSURE_WORDS = { E0: "not exposed", E1: "exposed", E2: "exposed with software" };

function exposureTag(label) {
  return h("span", { class: `badge ${label || "none"}`, title: label || "" }, EXPOSURE_WORDS[label] || "not rated");
}

function taskList(id, tasks, who) {
  if (!tasks.length) return h("p", { class: "muted" }, "No rated tasks.");
  return h("ol", { id, class: "tasklist" }, tasks.map((t) => h("li", {},
    h("span", { class: "score", title: `exposure score from ${who}` }, fmt.pct(t.score, 0)), " ", t.task)));
}

/** A series as an index: its first value = 100 (null where a value is missing). */
function index(values) {
  const base = values.find((v) => v !== null && v !== undefined);
  return values.map((v) => (v === null || v === undefined || !base ? null : (100 * v) / base));
}

/** A measure's label in words: "β, human labels" → "Tasks exposed, human". */
function plainMeasure(label) {
  return label.replace(/^β, (.*?)( labels)?$/, "Tasks exposed, $1");
}

views.occupation = async (code) => {
  view(loading());
  let s;
  try { s = await api(`/api/occupations/${encodeURIComponent(code)}/summary`); } catch (err) { view(h("h1", {}, "Occupation"), errorBox(err)); return; }
  const occ = s.onet_soc_code;
  const emp = s.employment;
  const who = { model: "the laborlens model", human: "the human raters" }[s.tasks_scored_by] || "the ratings";
  const tasksBox = h("div", { id: "tasks" });
  const geoBox = h("div", { id: "occ-geo" });
  const showTasks = h("button", {
    id: "show-tasks", type: "button", "aria-controls": "tasks",
    onclick: async () => {
      showTasks.disabled = true;
      tasksBox.replaceChildren(loading("Loading tasks…"));
      try {
        const t = await api(`/api/occupations/${encodeURIComponent(occ)}/tasks`);
        tasksBox.replaceChildren(table([
          { label: "Task", key: "task" },
          { label: "Type", key: "task_type" },
          { label: "Human", render: (r) => badge(r.human_exposure) },
          { label: "GPT-4", render: (r) => badge(r.gpt4_exposure) },
          { label: "Model", render: (r) => badge(r.model_exposure) },
          { label: "Model score", num: true, render: (r) => fmt.pct(r.model_beta, 0) },
          { label: "Automation", render: (r) => r.model_automation || "–" },
        ], t.tasks, { caption: `${t.n_tasks} O*NET tasks, with the human and GPT-4 labels of Eloundou et al. (E0 not exposed, E1 exposed, E2 exposed with software) and the laborlens model's rating`, wrap: true }));
        showTasks.hidden = true;
      } catch (err) { tasksBox.replaceChildren(errorBox(err)); showTasks.disabled = false; }
    },
  }, "Show every task and its ratings");
  const shares = s.exposure.filter((e) => e.beta !== null && e.beta !== undefined);
  const tr = s.trends;
  const growth = emp.growth_percent_2024_34;
  const wage = emp.median_wage === null || emp.median_wage === undefined ? "–" : `${fmt.usd(emp.median_wage)}${emp.median_wage_topcoded ? " or more" : ""}`;
  const techRows = s.exposure.map((e) => ({ ...e }));
  const ranked = s.public_measures.filter((m) => m.percentile !== null && m.percentile !== undefined).reverse();
  // OEWS publishes SOC occupations: an O*NET code below one (15-1299.08) or one OEWS pools
  // with others shares its employment figure
  const oewsCode = emp.oews_soc_code || s.soc_2018_code;
  const broader = !occ.endsWith(".00") || (emp.oews_soc_code && emp.oews_soc_code !== s.soc_2018_code) ? `SOC ${oewsCode}` : null;
  view(
    h("p", {}, h("a", { href: "#/occupations" }, "← Search")),
    h("h1", {}, s.title),
    h("p", { class: "muted" }, codeSpan(occ), ` · SOC 2018 `, s.soc_2018_code ? codeSpan(s.soc_2018_code) : "–", ` · ${s.soc_major_title || "no SOC group"} · job zone ${s.job_zone ?? "–"}`),
    h("p", {}, s.description),
    h("section", { class: "summary", id: "occ-summary", "aria-label": "Summary" },
      h("h2", {}, "In short"),
      h("p", { id: "occ-shares" }, shares.length
        ? `Share of this occupation's tasks that a large language model, or software built on one, could do in half the time or less: ${listing(shares.map((e) => `${fmt.pct(e.beta, 0)} by ${e.source_name === "laborlens model" ? "the laborlens model" : e.source_name.replace(/^Human raters$/, "the human raters").replace(/^GPT-4 ratings$/, "GPT-4's ratings")}`))}.`
        : "No source has rated this occupation's tasks."),
      h("p", { id: "occ-agreement" }, `Do the public AI measures agree? ${s.agreement.verdict.charAt(0).toUpperCase()}${s.agreement.verdict.slice(1)}.`),
      h("p", { id: "occ-jobs" }, `${fmt.int(emp.employment)} people worked ${broader ? `in ${broader}, the broader occupation that includes this one,` : "in this occupation"} in May 2025, at a median annual wage of ${wage}${growth === null || growth === undefined ? "" : `; BLS projects ${growth >= 0 ? "growth" : "a decline"} of ${fmt.num(Math.abs(growth), 1)}\u00a0% from 2024 to 2034`}.`),
      h("p", { class: "caveat" }, s.caveat),
    ),
    h("div", { class: "cards compact" },
      shares.map((e) => card(`Share of tasks exposed, ${e.source_name}`, fmt.pct(e.beta, 0), `${plural(e.n_tasks, "task", "tasks")} rated`)),
      card("Employment (OEWS May 2025)", fmt.int(emp.employment), emp.oews_soc_code && emp.oews_soc_code !== s.soc_2018_code ? `published for ${emp.oews_soc_code}` : ""),
      card("Median annual wage", wage, emp.median_wage_topcoded ? "top-coded by BLS" : ""),
      card("Projected change 2024–34", growth === null || growth === undefined ? "–" : `${growth >= 0 ? "+" : "−"}${fmt.num(Math.abs(growth), 1)}\u00a0%`, emp.openings_per_year ? `${fmt.int(emp.openings_per_year)} openings a year` : ""),
    ),
    ranked.length ? [
      h("h2", {}, "How it ranks on every measure"),
      h("p", {}, `Each public measure of AI exposure ranks this occupation among all occupations it covers (100 = the most exposed). ${s.agreement.measures_agree === false ? "They disagree: the measures ask different questions (which tasks a language model could speed up, which abilities AI applications touch, what people use AI for), so read any single figure with care." : s.agreement.measures_agree ? "They broadly agree." : ""}`),
      chart("occ-measures-chart", [{
        type: "bar", orientation: "h", y: ranked.map((m) => fit(plainMeasure(m.label), 26)), x: ranked.map((m) => m.percentile),
        customdata: ranked.map((m) => plainMeasure(m.label)), marker: { color: "#0b5cad" },
        hovertemplate: "%{customdata}: percentile %{x:.0f}<extra></extra>",
      }], { title: { text: "Percentile among occupations" }, height: 28 * ranked.length + 110, margin: { l: 10, r: 20, t: 50, b: 40 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { range: [0, 100], dtick: 25 } }),
    ] : null,
    h("div", { class: "grid2" },
      h("div", {}, h("h2", {}, "Tasks most exposed"), taskList("tasks-most", s.tasks_most_exposed, who)),
      h("div", {}, h("h2", {}, "Tasks least exposed"), taskList("tasks-least", s.tasks_least_exposed, who)),
    ),
    h("p", { class: "muted" }, `Each task's exposure score is ${who}'s estimate of how likely a language model could halve the time it takes (software-assisted counted half).`),
    h("h2", {}, "Employment and wages over time"),
    tr.available && tr.years
      ? [
        h("p", { id: "occ-trends" }, `${tr.summary.charAt(0).toUpperCase()}${tr.summary.slice(1)}`),
        chart("occ-trend-chart", [
          { type: "scatter", mode: "lines+markers", name: "Employment", x: tr.years, y: index(tr.employment), customdata: tr.employment, hovertemplate: "May %{x}: %{customdata:,.0f} workers<extra></extra>" },
          { type: "scatter", mode: "lines+markers", name: "Median wage", x: tr.years, y: index(tr.median_wage), customdata: tr.median_wage, line: { dash: "dot" }, hovertemplate: "May %{x}: median wage $%{customdata:,.0f}<extra></extra>" },
        ], { title: { text: `Employment and median wage<br>(May ${tr.years[0]} = 100)` }, height: 320, margin: { l: 50, r: 20, t: 70, b: 40 }, xaxis: { dtick: window.innerWidth < 600 ? 2 : 1 }, legend: { orientation: "h", y: -0.15 } }),
      ]
      : h("p", { id: "occ-trends", class: "muted" }, tr.note || "Employment and wage trends are not available."),
    h("h2", {}, "Best career moves"),
    s.career_moves.length ? table([
      { label: "Occupation", render: (m) => h("a", { href: `#/occupation/${m.onet_soc_code}` }, m.title) },
      { label: "How feasible", render: (m) => h("span", {}, m.feasibility, m.feasibility_reason ? h("span", { class: "muted" }, h("br"), m.feasibility_reason) : null) },
      { label: "Change in share of tasks exposed", num: true, render: (m) => points(m.beta_change) },
      { label: "Change in median wage", num: true, render: (m) => signedUsd(m.median_wage_change) },
      { label: "Technology to learn", render: (m) => m.technology_to_learn.join(", ") || "–" },
    ], s.career_moves, { caption: "Occupations that use similar skills, ranked by a balance of similarity, exposure, pay and growth", stack: true }) : h("p", { class: "muted" }, "No career moves found."),
    h("p", {}, h("a", { href: `#/careers/${encodeURIComponent(occ)}` }, "More career moves, with other objectives")),
    h("details", { class: "technical", id: "occ-technical" },
      h("summary", {}, "Technical detail: every measure and its exact values"),
      table([
        { label: "Source of task ratings", key: "source_name" },
        { label: `α (${s.measure_names.alpha})`, num: true, render: (e) => fmt.num(e.alpha, 3) },
        { label: `β (${s.measure_names.beta})`, num: true, render: (e) => fmt.num(e.beta, 3) },
        { label: `γ (${s.measure_names.gamma})`, num: true, render: (e) => fmt.num(e.gamma, 3) },
        { label: "Tasks", num: true, key: "n_tasks" },
      ], techRows, { caption: "Eloundou et al.'s measures (β = E1 + ½ E2), task weights as in the paper" }),
      s.public_measures.length ? table([
        { label: "Public measure", key: "label" },
        { label: "Value", num: true, render: (r) => fmt.num(r.value, 3) },
        { label: "Percentile among occupations", num: true, render: (r) => (r.percentile === null ? "–" : fmt.num(r.percentile, 0)) },
        { label: "Occupations covered", num: true, render: (r) => fmt.int(r.codes_covered) },
        { label: "Native key", key: "native_key" },
      ], s.public_measures, { caption: "Every public measure, side by side (measures agree when their percentiles lie within 25 points)" }) : h("p", { class: "muted" }, "No public measure covers this SOC code."),
    ),
    h("h2", {}, "Every task"),
    showTasks,
    tasksBox,
    h("h2", {}, "Where the jobs are"),
    geoBox,
    h("h2", {}, "How the tasks changed"),
    h("p", {}, h("a", { href: `#/emerging/${encodeURIComponent(occ)}` }, "Tasks O*NET added, removed and reworded for this occupation since 2015")),
    glossary(),
  );
  api(`/api/occupations/${encodeURIComponent(occ)}/geography?level=state`).then((g) => {
    geoBox.replaceChildren(g.areas.length ? table([
      { label: "State", key: "area_name" },
      { label: "Employment", num: true, render: (r) => fmt.int(r.employment) },
      { label: "Jobs per 1,000", num: true, render: (r) => fmt.num(r.jobs_per_1000, 1) },
      { label: "Median wage", num: true, render: (r) => fmt.usd(r.a_median) },
    ], g.areas, { caption: `OEWS May 2025, ${g.oews_soc_code}`, wrap: true }) : h("p", { class: "muted" }, "OEWS publishes no state estimates for this occupation."));
  }).catch((err) => geoBox.replaceChildren(errorBox(err)));
};

function card(label, value, note = "") {
  return h("div", { class: "card" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), note ? h("div", { class: "ci muted" }, note) : null);
}

views.rate = async () => {
  const title = h("input", { id: "rate-title", type: "text", placeholder: "e.g. Sr. Financial Analyst - FP&A", size: "40" });
  const text = h("textarea", { id: "rate-text", placeholder: "Paste the job description: one responsibility per line works best." });
  const out = h("div", { id: "rate-out", "aria-live": "polite" });
  const form = h("form", {
    onsubmit: async (e) => {
      e.preventDefault();
      if (!text.value.trim() && !title.value.trim()) { out.replaceChildren(h("p", { class: "error", role: "alert" }, "Give a job title or a description.")); return; }
      out.replaceChildren(loading("Rating your job…"));
      try {
        const body = text.value.trim() ? `${title.value}\n${text.value}` : title.value;
        const r = await api("/api/postings/analyze", { json: { text: body, title: title.value.trim() || null } });
        out.replaceChildren(...renderPosting(r));
      } catch (err) { out.replaceChildren(errorBox(err)); }
    },
  },
  h("div", { class: "field" }, h("label", { for: "rate-title" }, "Job title"), title),
  h("div", { class: "field" }, h("label", { for: "rate-text" }, "Job description"), text),
  h("p", {}, h("button", { type: "submit", id: "rate-go" }, "Rate my job")));
  view(h("h1", {}, "Rate my job"), h("p", {}, "Your title is coded to O*NET occupations; each task-like line of the description is rated for exposure to large language models (E0 none, E1 direct, E2 with extra software) and automation level. Nothing is stored."), form, out);
  title.focus();
}

function renderPosting(r) {
  const ci = r.beta === null ? "not available" : `${fmt.num(r.beta)} (95\u00a0% interval ${fmt.num(r.beta_ci[0])}–${fmt.num(r.beta_ci[1])})`;
  return [
    ...r.warnings.map((w) => h("p", { class: "warn" }, w)),
    h("div", { class: "cards" },
      card("Your job's β", r.beta === null ? "–" : fmt.num(r.beta), ci),
      card("Statements rated", String(r.statements.length), `confidence: ${r.confidence}`),
      card("Most likely occupation", r.occupations[0] ? r.occupations[0].occupation_title : "–", r.occupations[0] ? `p = ${fmt.num(r.occupations[0].probability)}` : ""),
    ),
    h("h2", {}, "Likely occupations"),
    table([
      { label: "Occupation", render: (o) => h("a", { href: `#/occupation/${o.onet_soc_code}` }, o.occupation_title) },
      { label: "O*NET-SOC", key: "onet_soc_code" },
      { label: "Probability", num: true, render: (o) => fmt.num(o.probability) },
    ], r.occupations),
    h("h2", {}, "Your tasks"),
    r.statements.length ? table([
      { label: "Statement", key: "statement" },
      { label: "Exposure", render: (s) => badge(s.exposure) },
      { label: "β", num: true, render: (s) => fmt.num(s.beta) },
      { label: "Automation", key: "automation" },
    ], r.statements, { caption: "Each statement rated by the laborlens models" }) : h("p", { class: "muted" }, "No task-like statement found."),
  ];
}

/** "1 activity" / "3 activities" */
function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function sharedWork(shared) {
  const n = shared?.count ?? 0;
  if (!n) return "no detailed work activity in common";
  const eg = (shared.top || []).slice(0, 2).map((t) => t.replace(/\.$/, "")).join("; ");
  return `${plural(n, "shared activity", "shared activities")}${eg ? `, e.g. ${eg}` : ""}`;
}

views.careers = async (code) => {
  const out = h("div", { id: "careers-out", "aria-live": "polite" });
  const objective = h("select", { id: "careers-objective" },
    [["balanced", "Balanced"], ["similarity", "Most similar work"], ["safer", "Less exposed to AI"], ["pay", "Better pay"], ["growth", "Growing fields"]]
      .map(([v, l]) => h("option", { value: v }, l)));
  let current = code ? decodeURIComponent(code) : null;
  const run = async () => {
    if (!current) return;
    out.replaceChildren(loading("Finding career moves…"));
    try {
      const r = await api(`/api/careers/recommend?occupation=${encodeURIComponent(current)}&objective=${objective.value}&top=10`);
      out.replaceChildren(
        h("h2", {}, `From ${r.origin.title}`),
        h("p", { class: "muted" }, `share of tasks exposed ${fmt.pct(r.origin.beta, 0)} · median wage ${fmt.usd(r.origin.median_wage)} · job zone ${r.origin.job_zone ?? "–"}`),
        table([
          { label: "#", key: "rank", num: true },
          { label: "Occupation", render: (i) => h("a", { href: `#/occupation/${i.onet_soc_code}` }, i.title) },
          { label: "Similarity", num: true, render: (i) => fmt.num(i.similarity) },
          { label: "Feasibility", render: (i) => h("span", { title: i.feasibility_reason || "" }, i.feasibility, i.feasibility_reason ? h("span", { class: "muted" }, h("br"), i.feasibility_reason) : null) },
          { label: "Change in share of tasks exposed (β)", num: true, render: (i) => signed(i.deltas.beta) },
          { label: "Wage change", num: true, render: (i) => (i.deltas.median_wage === null || i.deltas.median_wage === undefined ? "–" : `${i.deltas.median_wage >= 0 ? "+" : "−"}${fmt.usd(Math.abs(i.deltas.median_wage))}`) },
          { label: "Shared work", render: (i) => sharedWork(i.shared_activities) },
          { label: "Skills to build", render: (i) => (i.level_gaps || []).slice(0, 3).map((g) => g.element).join(", ") || (i.ratings_compared ? "none above your level" : "not rated by O*NET") },
          { label: "Technology to learn", render: (i) => (i.technology_to_learn?.top || []).slice(0, 3).map((t) => t.name).join(", ") || "–" },
        ], r.recommendations, { caption: "Ranked career moves", stack: true }),
      );
    } catch (err) {
      const box = [errorBox(err)];
      if (err.body?.candidates) {
        box.push(h("p", {}, "Did you mean:"), h("ul", {}, err.body.candidates.slice(0, 10).map((c) => h("li", {}, h("a", { href: `#/careers/${c.onet_soc_code}` }, `${c.title} (${c.onet_soc_code})`)))));
      }
      out.replaceChildren(...box);
    }
  };
  objective.addEventListener("change", run);
  view(
    h("h1", {}, "Career moves"),
    h("p", {}, "Occupations that use similar skills, knowledge and activities, ranked by the objective you choose. Each move's feasibility follows the evidence shown beside it: close (same or lower job zone, no skill gap over 1 level point), stretch (at most one job zone up, gaps up to 2 points) or major retraining."),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
      occupationCombo({ id: "careers-search", label: "Current occupation", onPick: (hit) => { current = hit.onet_soc_code; history.replaceState(null, "", `#/careers/${hit.onet_soc_code}`); run(); } }),
      h("div", { class: "field" }, h("label", { for: "careers-objective" }, "Objective"), objective)),
    out,
  );
  if (current) run(); else document.getElementById("careers-search").focus();
};

function signed(x, d = 2) {
  if (x === null || x === undefined) return "–";
  return `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(d)}`;
}

views.measures = async () => {
  view(h("h1", {}, "Measures compared"), loading());
  try {
    const [m, corr] = await Promise.all([api("/api/measures"), api("/api/measures/correlation?method=pearson")]);
    const label = Object.fromEntries(m.measures.map((x) => [x.name, x.label]));
    const names = corr.measures.map((n) => label[n] || n);
    view(
      h("h1", {}, "Measures compared"),
      h("p", {}, "Every public measure of AI exposure, mapped to SOC 2018 occupations. Correlations use the occupations both measures cover."),
      chart("corr-chart", [{
        type: "heatmap", z: corr.matrix, x: names, y: names, zmin: -1, zmax: 1, colorscale: "RdBu", reversescale: true,
        text: corr.matrix.map((row) => row.map((v) => (v === null ? "" : v.toFixed(2)))), texttemplate: "%{text}",
        hovertemplate: "%{y} vs %{x}: r = %{z:.2f}<extra></extra>",
      }], { title: { text: "Pearson correlation between measures" }, height: 560, margin: { l: 200, r: 20, t: 50, b: 170 }, xaxis: { automargin: true, tickangle: -35 }, yaxis: { automargin: true, autorange: "reversed" } }),
      table([
        { label: "Measure", key: "label" },
        { label: "Source", key: "source" },
        { label: "Vintage", key: "vintage" },
        { label: "License", key: "license" },
        { label: "SOC codes", num: true, render: (r) => fmt.int(r.codes_covered) },
        { label: "Employment covered", num: true, render: (r) => fmt.pct(r.employment_share) },
      ], m.measures, { caption: "Coverage of each measure" }),
    );
  } catch (err) { view(h("h1", {}, "Measures compared"), errorBox(err)); }
};

const STAT_LABEL = {
  "share_ge_0.1": "Workers with ≥ 10\u00a0% of tasks exposed",
  "share_ge_0.5": "Workers with ≥ 50\u00a0% of tasks exposed",
  mean_exposure: "Average share of tasks exposed (β) per worker",
};
const SOURCE_LABEL = { human: "Human raters", gpt4: "GPT-4 ratings", model: "laborlens model" };

const GLOSSARY = [
  ["Exposure", "A task is exposed if a large language model, or software built on one, could cut the time it takes by half or more at the same quality. It is what the technology could do, not what employers will do: exposure is not job loss."],
  ["Share of tasks exposed (β)", "The share of an occupation's tasks that are exposed, counting tasks exposed only through additional software as half (β = E1 + ½ E2)."],
  ["E0, E1, E2", "The rating of one task: E0 not exposed; E1 directly exposed (a language model alone halves the time); E2 exposed through software built on a language model."],
  ["Human raters, GPT-4 ratings, laborlens model", "Three sources of task ratings: people and GPT-4 rating O*NET 27.2 tasks for Eloundou et al. (2024), and the laborlens model trained on the human ratings, applied to every O*NET 29.3 task."],
  ["Interval", "A 95\u00a0% range from re-drawing the tasks of each occupation 1,000 times (bootstrap): how much a figure depends on which tasks were rated."],
  ["Coverage", "The share of employment in occupations that have a score; the rest is reported, never silently dropped."],
  ["Job zone", "O*NET's five levels of preparation an occupation needs, from little or none (1) to a graduate degree (5)."],
  ["OEWS", "Occupational Employment and Wage Statistics, the BLS survey of employment and wages by occupation; each release pools three years of survey panels."],
];

function glossary() {
  return h("details", { class: "glossary", id: "glossary" },
    h("summary", {}, "Glossary: what the words mean"),
    h("dl", {}, GLOSSARY.map(([term, text]) => [h("dt", {}, term), h("dd", {}, text)])));
}

function interval(s, pct = true) {
  if (!s || s.point === null || s.point === undefined) return "–";
  const f = pct ? (x) => fmt.pct(x) : (x) => fmt.num(x, 3);
  return s.lower === null || s.lower === undefined ? f(s.point) : `95\u00a0% interval ${f(s.lower)} – ${f(s.upper)}`;
}

function sourcePicker(id, current, sources, onChange) {
  const sel = h("select", { id, onchange: () => onChange(sel.value) },
    sources.map((src) => h("option", { value: src, selected: src === current }, SOURCE_LABEL[src] || src)));
  return h("div", { class: "field" }, h("label", { for: id }, "Exposure labels"), sel);
}

function errorBars(stats) {
  return {
    type: "data", symmetric: false,
    array: stats.map((s) => (s.upper ?? s.point) - s.point),
    arrayminus: stats.map((s) => s.point - (s.lower ?? s.point)),
    color: "#444", thickness: 1.2, width: 3,
  };
}

views.overview = async (source = "human") => {
  view(h("h1", {}, "AI exposure of US jobs"), loading());
  let imp, units;
  try {
    [imp, units] = await Promise.all([
      api(`/api/impact?source=${encodeURIComponent(source)}`),
      api(`/api/impact/occupations?source=${encodeURIComponent(source)}`),
    ]);
  } catch (err) { view(h("h1", {}, "AI exposure of US jobs"), errorBox(err)); return; }
  const hl = imp.headline.all_workers;
  const majors = [...imp.major_groups].filter((g) => g["share_ge_0.5"]?.point !== null).sort((a, b) => a.mean_exposure.point - b.mean_exposure.point);
  const scored = units.units.filter((u) => u.score !== null && u.a_median !== null && u.employment);
  view(
    h("h1", {}, "AI exposure of US jobs"),
    h("section", { class: "summary", id: "summary", "aria-label": "Summary" },
      h("h2", {}, "What this says"),
      h("p", {}, `About ${fmt.pct(hl["share_ge_0.5"].point, 0)} of US workers are in occupations where at least half of the tasks could be done much faster with a large language model or software built on one (${SOURCE_LABEL[source] || source}); about ${fmt.pct(hl["share_ge_0.1"].point, 0)} have at least one task in ten exposed.`),
      h("h2", {}, "What this does not say"),
      h("p", {}, h("strong", {}, "Exposure is not job loss. "), "A task is exposed if a language model could halve the time it takes. That can mean the work is automated, changed, or left as it is if the tools are not adopted. None of these figures counts jobs lost, says when change would come, or what it does to wages."),
    ),
    h("p", {}, `Share of the ${fmt.int(hl.employment_total)} workers in OEWS May ${imp.headline.vintage} whose occupations have a given share of tasks exposed to large language models (share of tasks exposed, β = E1 + ½ E2, ${imp.headline.weighting} task weights). Intervals: ${imp.headline.n_draws} bootstrap draws of tasks within occupations (seed ${imp.headline.seed}).`),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
      sourcePicker("overview-source", source, imp.sources, (v) => { location.hash = `#/overview/${v}`; })),
    h("div", { class: "cards", id: "headline" },
      ["share_ge_0.1", "share_ge_0.5"].map((k) => card(STAT_LABEL[k], fmt.pct(hl[k].point), interval(hl[k]))),
      card(STAT_LABEL.mean_exposure, fmt.num(hl.mean_exposure.point, 3), interval(hl.mean_exposure, false)),
      card("Employment covered", fmt.pct(hl.employment_share_covered), `${fmt.int(hl.employment_covered)} of ${fmt.int(hl.employment_total)} workers have scored occupations`),
    ),
    h("p", { class: "caveat" }, "These are workers whose tasks a language model could speed up, not jobs that will disappear."),
    h("div", { class: "grid2" },
      chart("majors-chart", [{
        type: "bar", orientation: "h", y: majors.map((g) => g.group_label.replace(/ Occupations$/, "")),
        x: majors.map((g) => g.mean_exposure.point), error_x: errorBars(majors.map((g) => g.mean_exposure)),
        marker: { color: "#0b5cad" }, hovertemplate: "%{y}: %{x:.0%}<extra></extra>",
      }], { title: { text: "Share of tasks exposed, by major group" }, height: 640, margin: { l: 10, r: 20, t: 50, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { title: { text: "average per worker (β, 95\u00a0% interval)" }, rangemode: "tozero", tickformat: ".0%" } }),
      chart("wage-chart", [{
        type: "scatter", mode: "markers", x: scored.map((u) => u.a_median), y: scored.map((u) => u.score),
        text: scored.map((u) => u.title),
        marker: { size: scored.map((u) => Math.sqrt(u.employment)), sizemode: "area", sizeref: (2 * Math.sqrt(Math.max(...scored.map((u) => u.employment)))) / 40 ** 2, sizemin: 2, color: "rgba(11,92,173,.45)", line: { color: "#083f78", width: 0.5 } },
        hovertemplate: "%{text}<br>median wage $%{x:,.0f}<br>share of tasks exposed %{y:.0%}<extra></extra>",
      }], { title: { text: "Exposure against wage, sized by employment" }, height: 640, xaxis: { type: "log", title: { text: "Median annual wage (OEWS May 2025, log scale)" }, tickvals: [25e3, 50e3, 100e3, 200e3, 400e3], ticktext: ["$25k", "$50k", "$100k", "$200k", "$400k"] }, yaxis: { title: { text: "share of tasks exposed (β)" }, range: [-0.02, 1.02], tickformat: ".0%" } }),
    ),
    table([
      { label: "Major group", key: "group_label" },
      { label: "Employment", num: true, render: (g) => fmt.int(g.employment_total) },
      { label: "≥ 50\u00a0% exposed", num: true, render: (g) => fmt.pct(g["share_ge_0.5"].point) },
      { label: "95\u00a0% interval", num: true, render: (g) => `${fmt.pct(g["share_ge_0.5"].lower)} – ${fmt.pct(g["share_ge_0.5"].upper)}` },
      { label: "Average share of tasks exposed", num: true, render: (g) => fmt.pct(g.mean_exposure.point) },
    ], [...majors].reverse(), { caption: "By SOC major group", wrap: true }),
    glossary(),
  );
};

views.geography = async (arg) => {
  const [source = "human", level = "state"] = (arg ? decodeURIComponent(arg) : "").split(":").map((x) => x || undefined);
  view(h("h1", {}, "Geography"), loading());
  let geo;
  try { geo = await api(`/api/impact/geography?source=${encodeURIComponent(source)}&level=${level}`); } catch (err) { view(h("h1", {}, "Geography"), errorBox(err)); return; }
  const areas = geo.areas.filter((a) => a["share_ge_0.5"]?.point !== null);
  const byShare = [...areas].sort((a, b) => b["share_ge_0.5"].point - a["share_ge_0.5"].point);
  const go = (src, lvl) => { location.hash = `#/geography/${src}:${lvl}`; };
  const levelSel = h("select", { id: "geo-level", onchange: () => go(source, levelSel.value) },
    [["state", "States"], ["metro", "Metro areas"]].map(([v, l]) => h("option", { value: v, selected: v === level }, l)));
  const top = level === "state" ? byShare : byShare.slice(0, 40);
  const shown = [...top].reverse();
  view(
    h("h1", {}, "Geography"),
    h("p", {}, `Share of each area's workers (OEWS May 2025 ${level === "state" ? "state" : "metropolitan area"} estimates) in occupations with at least half of their tasks exposed, with 95\u00a0% bootstrap intervals.`),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
      sourcePicker("geo-source", source, geo.sources, (v) => go(v, level)),
      h("div", { class: "field" }, h("label", { for: "geo-level" }, "Areas"), levelSel)),
    chart("geo-chart", [{
      type: "bar", orientation: "h", y: shown.map((a) => a.group_label), x: shown.map((a) => a["share_ge_0.5"].point),
      error_x: errorBars(shown.map((a) => a["share_ge_0.5"])), marker: { color: "#0b5cad" },
      hovertemplate: "%{y}: %{x:.1%}<extra></extra>",
    }], { title: { text: level === "state" ? "Workers with ≥ 50\u00a0% of tasks exposed, by state" : "The 40 metro areas with the highest share" }, height: Math.max(420, 18 * shown.length + 120), margin: { l: 10, r: 20, t: 50, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { tickformat: ".0%", rangemode: "tozero" } }),
    table([
      { label: level === "state" ? "State" : "Metro area", key: "group_label" },
      { label: "Employment", num: true, render: (a) => fmt.int(a.employment_total) },
      { label: "≥ 50\u00a0% exposed", num: true, render: (a) => fmt.pct(a["share_ge_0.5"].point) },
      { label: "95\u00a0% interval", num: true, render: (a) => `${fmt.pct(a["share_ge_0.5"].lower)} – ${fmt.pct(a["share_ge_0.5"].upper)}` },
      { label: "≥ 10\u00a0% exposed", num: true, render: (a) => fmt.pct(a["share_ge_0.1"].point) },
      { label: "Mean β", num: true, render: (a) => fmt.num(a.mean_exposure.point, 3) },
      { label: "Employment covered", num: true, render: (a) => fmt.pct(a.employment_share_covered) },
    ], byShare, { caption: `${byShare.length} areas, most exposed first`, wrap: true }),
  );
};

const MEASURE_LABEL = {
  beta_human: "β, human labels", beta_gpt4: "β, GPT-4 labels", beta_model: "β, laborlens model",
  aioe: "AIOE", lm_aioe: "Language-modelling AIOE", ms_ai_applicability: "Microsoft AI applicability",
  aei_task_usage: "Anthropic usage", ilo_2025: "ILO 2025", frey_osborne: "Frey & Osborne",
};

views.trends = async (arg) => {
  const measure = arg ? decodeURIComponent(arg) : "beta_human";
  view(h("h1", {}, "Trends"), loading());
  let t, p;
  try {
    [t, p] = await Promise.all([api(`/api/outcomes/trends?measure=${encodeURIComponent(measure)}`), api("/api/outcomes/postings")]);
  } catch (err) { view(h("h1", {}, "Trends"), errorBox(err)); return; }
  const groups = [...new Set(t.trends.map((r) => r.group))].sort((a, b) => a - b);
  const top = groups[groups.length - 1];
  const lines = groups.map((g) => {
    const rows = t.trends.filter((r) => r.group === g);
    return { type: "scatter", mode: "lines+markers", name: g === 1 ? "1 (least exposed)" : g === top ? `${g} (most exposed)` : String(g), x: rows.map((r) => r.year), y: rows.map((r) => r.employment_index) };
  });
  const sectors = p.sectors.filter((r) => r[measure] !== null && r.change_since_nov2022 !== null);
  const sel = h("select", { id: "trend-measure", onchange: () => { location.hash = `#/trends/${sel.value}`; } },
    Object.entries(MEASURE_LABEL).map(([v, l]) => h("option", { value: v, selected: v === measure }, l)));
  const stat = (k) => t.summary[k];
  const row = (label, k) => ({ label, ...stat(k) });
  view(
    h("h1", {}, "Trends"),
    h("p", {}, "OEWS employment (May 2017–2025, harmonized on SOC 2018) of each fifth of workers by exposure, May 2022 = 100: the last survey before ChatGPT. OEWS pools three years of survey panels, so changes show late and smoothed; 2020 is a pandemic year; exposure is not job loss."),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() }, h("div", { class: "field" }, h("label", { for: "trend-measure" }, "Measure"), sel)),
    chart("trend-chart", lines, {
      title: { text: `Employment index by exposure group (${MEASURE_LABEL[measure] || measure})` }, height: 440,
      xaxis: { title: { text: "OEWS May of year" }, dtick: 1 }, yaxis: { title: { text: "May 2022 = 100" } },
      shapes: [{ type: "line", x0: 2022, x1: 2022, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: "#777" } }],
      annotations: [{ x: 2022, yref: "paper", y: 1.02, text: "May 2022", showarrow: false }],
    }),
    table([
      { label: "Statistic", key: "label" },
      { label: "Estimate (pp a year)", num: true, render: (r) => signed(r.estimate) },
      { label: "95\u00a0% interval", num: true, render: (r) => `${signed(r.ci_low)} – ${signed(r.ci_high)}` },
      { label: "Occupations", num: true, render: (r) => fmt.int(r.n) },
    ], [
      row("Growth before (2017→2022), most exposed", "pre_growth_top"),
      row("Growth before, least exposed", "pre_growth_bottom"),
      row("Growth after (2022→2025), most exposed", "post_growth_top"),
      row("Growth after, least exposed", "post_growth_bottom"),
      row("Difference-in-trends", "diff_in_trends"),
      row("… with major-group fixed effects", "diff_in_trends_fe"),
      row("Placebo (fake break May 2019)", "placebo"),
    ], { caption: "Annual log growth (percent a year) and the change in the gap between the most and least exposed fifth" }),
    chart("postings-chart", [{
      type: "scatter", mode: "markers+text", x: sectors.map((r) => r[measure]), y: sectors.map((r) => r.change_since_nov2022),
      text: sectors.map((r) => r.sector), textposition: "top center", textfont: { size: 10 }, marker: { color: "#0b5cad" },
      hovertemplate: "%{text}: %{y:.1f} %<extra></extra>",
    }], { title: { text: "Indeed job postings by sector: change since Nov 2022 against exposure" }, height: 520, xaxis: { title: { text: "sector exposure (employment-weighted)" } }, yaxis: { title: { text: "postings change since Nov 2022, %" } } }),
  );
};

views.vulnerability = async (arg) => {
  const level = arg === "metro" ? "metro" : "state";
  view(h("h1", {}, "Who needs help"), loading());
  let map, geo;
  try {
    [map, geo] = await Promise.all([api("/api/vulnerability"), api(`/api/vulnerability/areas?level=${level}`)]);
  } catch (err) { view(h("h1", {}, "Who needs help"), errorBox(err)); return; }
  const n = map.national;
  const m = (x) => (x === null || x === undefined ? "–" : `${(x / 1e6).toFixed(1)} M`);
  const ci = (k) => `${m(n[k])} (95\u00a0% interval ${m(n[`${k}_lo`])} – ${m(n[`${k}_hi`])})`;
  const levelSel = h("select", { id: "vul-level", onchange: () => { location.hash = `#/vulnerability/${levelSel.value}`; } },
    [["state", "States"], ["metro", "Metro areas"]].map(([v, l]) => h("option", { value: v, selected: v === level }, l)));
  const areas = geo.areas.filter((a) => a.employment_covered > 0).sort((a, b) => b.helc_share_of_covered - a.helc_share_of_covered);
  const shown = (level === "state" ? areas : areas.slice(0, 40)).slice().reverse();
  const grid = [1, 2, 3, 4].map((c) => [1, 2, 3, 4].map((e) => (map.grid.find((g) => g.exposure_quartile === e && g.capacity_quartile === c) || {}).workers / 1e6));
  view(
    h("h1", {}, "Who needs help"),
    h("p", {}, `Exposure (${map.measure}) × adaptive capacity (earnings, age, transferability, local density of similar jobs, projected growth; public data, wages standing in for savings). ${ci("top_quartile_workers")} work in the top exposure quartile; ${ci("high_exposure_low_capacity_workers")} of them are below the median capacity. Exposure is not job loss.`),
    chart("vul-grid", [{ type: "heatmap", z: grid, x: ["exposure Q1", "Q2", "Q3", "Q4"], y: ["capacity Q1", "Q2", "Q3", "Q4"], colorscale: "Reds", hovertemplate: "%{y}, %{x}: %{z:.1f} M<extra></extra>" }],
      { title: { text: "Workers (millions) by exposure × capacity quartile" }, height: 360, yaxis: { automargin: true } }),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() }, h("div", { class: "field" }, h("label", { for: "vul-level" }, "Areas"), levelSel)),
    chart("vul-areas", [{
      type: "bar", orientation: "h", y: shown.map((a) => a.area_name), x: shown.map((a) => a.helc_share_of_covered),
      marker: { color: "#b03a2e" }, hovertemplate: "%{y}: %{x:.1%}<extra></extra>",
    }], { title: { text: "Share of covered workers with high exposure and low capacity (local wages and density)" }, height: Math.max(420, 18 * shown.length + 120), margin: { l: 10, r: 20, t: 50, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { tickformat: ".0%", rangemode: "tozero" } }),
    table([
      { label: level === "state" ? "State" : "Metro area", key: "area_name" },
      { label: "Covered workers", num: true, render: (a) => fmt.int(a.employment_covered) },
      { label: "High exposure, low capacity", num: true, render: (a) => fmt.int(a.high_exposure_low_capacity_workers) },
      { label: "95\u00a0% interval", num: true, render: (a) => `${fmt.int(a.high_exposure_low_capacity_workers_lo)} – ${fmt.int(a.high_exposure_low_capacity_workers_hi)}` },
      { label: "Share", num: true, render: (a) => fmt.pct(a.helc_share_of_covered) },
      { label: "Unpublished (OEWS)", num: true, render: (a) => fmt.int(a.employment_unpublished) },
    ], areas, { caption: `${areas.length} areas, largest share first`, wrap: true }),
  );
};

// ---------------------------------------------------------------------------------------
// New work (issue 15): how O*NET's task statements changed, and how exposed the new work is

const COMPARISON_WORDS = {
  "20.1->29.3": "O*NET 20.1 (October 2015) → 29.3 (May 2025)",
  "29.3->30.1": "O*NET 29.3 (May 2025) → 30.1",
};
const EXAMPLE_WORDS = {
  occupation_up: "Occupations whose new tasks are more exposed than the ones they lost",
  occupation_down: "Occupations whose new tasks are less exposed than the ones they lost",
  revision_up: "Reworded tasks that became more exposed",
  revision_down: "Reworded tasks that became less exposed",
};
const SOC_CHANGE_WORDS = { same: "unchanged", split_off: "split off", merged: "merged", renumbered: "renumbered", redefined: "redefined" };

/** "+6 points (95 % interval −10 to +26 points)" */
function pointsCI(x, lo, hi) {
  if (x === null || x === undefined) return "–";
  return `${points(x)} (95\u00a0% interval ${points(lo).replace(/ points?$/, "")} to ${points(hi)})`;
}

/** What an interval of a difference says, in words. */
function intervalVerdict(lo, hi, more = "more", less = "less") {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return "";
  if (lo > 0) return `The whole interval is above zero: by this measure the new work is ${more} exposed.`;
  if (hi < 0) return `The whole interval is below zero: by this measure the new work is ${less} exposed.`;
  return `The interval includes zero: the data cannot tell whether the new work is ${more} or ${less} exposed than the work it replaced.`;
}

/** A chart label short enough to leave room for the bars on a phone (the full one is in the hover). */
function fit(label, narrow = 24) {
  return window.innerWidth < 600 && label.length > narrow ? `${label.slice(0, narrow - 1).trimEnd()}…` : label;
}

function drill(code, title) {
  return h("a", { href: `#/emerging/${encodeURIComponent(code)}` }, title);
}

views.emerging = async (code) => {
  if (code) return emergingOccupation(decodeURIComponent(code));
  view(h("h1", {}, "New work"), loading());
  let o;
  try { o = await api("/api/emerging/overview"); } catch (err) { view(h("h1", {}, "New work"), errorBox(err)); return; }
  const sm = o.summary;
  const main10 = sm["20.1->29.3"];
  const ids = main10.counts_by_task_id;
  const em = sm["29.3 emerging"];
  const threshold = sm.all?.similar_threshold;
  const groups = o.groups.filter((g) => g.comparison === "20.1->29.3" && g.group !== "all" && g.delta_beta !== null);
  const byDelta = [...groups].sort((a, b) => a.delta_beta - b.delta_beta);
  const short = (t) => t.replace(/ Occupations$/, "");
  const examples = o.examples.filter((e) => e.comparison === "20.1->29.3");
  const exampleTables = Object.entries(EXAMPLE_WORDS).map(([kind, words]) => {
    const rows = examples.filter((e) => e.kind === kind).slice(0, 4);
    if (!rows.length) return null;
    const revision = kind.startsWith("revision");
    return table([
      { label: "Occupation", render: (e) => drill(e.onet_soc_code, e.title) },
      { label: revision ? "Old wording" : "A removed task", key: "old_task" },
      { label: revision ? "New wording" : "A new task", key: "new_task" },
      { label: revision ? "Exposure before" : "Removed tasks exposed", num: true, render: (e) => fmt.pct(e.beta_old, 0) },
      { label: revision ? "Exposure after" : "New tasks exposed", num: true, render: (e) => fmt.pct(e.beta_new, 0) },
      { label: "Difference", num: true, render: (e) => points(e.delta_beta) },
    ], rows, { caption: words, stack: true });
  });
  const occTable = (rows, caption) => table([
    { label: "Occupation", render: (r) => h("a", { href: `#/occupation/${r.onet_soc_code}` }, r.title) },
    { label: "SOC change since 2010", render: (r) => SOC_CHANGE_WORDS[r.soc_change] || r.soc_change || "–" },
    { label: "Employment of the SOC occupation (May 2025)", num: true, render: (r) => fmt.int(r.employment) },
    { label: "Projected change 2024–34", num: true, render: (r) => (r.projected_change_percent === null ? "–" : `${r.projected_change_percent >= 0 ? "+" : "−"}${fmt.num(Math.abs(r.projected_change_percent), 1)}\u00a0%`) },
    { label: "Share of tasks exposed", num: true, render: (r) => fmt.pct(r.beta, 0) },
    { label: "Technologies in demand", render: (r) => (r.top_technologies || "–").split("; ").slice(0, 4).join(", ") },
  ], rows, { caption, stack: true });
  const posts = o.postings_ai_share || [];
  const picker = occupationCombo({ id: "nw-search", label: "Occupation", onPick: (hit) => { location.hash = `#/emerging/${hit.onet_soc_code}`; } });
  const difference = main10.delta_beta;
  view(
    h("h1", {}, "New work"),
    h("section", { class: "summary", id: "nw-summary", "aria-label": "Summary" },
      h("h2", {}, "What this says"),
      h("p", {}, `Between O*NET 20.1 (October 2015) and 29.3 (May 2025), O*NET added ${fmt.int(ids.new)} task statements, dropped ${fmt.int(ids.removed)} and reworded ${fmt.int(ids.revised)} under the same number; ${fmt.int(ids.unchanged)} stayed as they were.`),
      h("p", { id: "nw-headline" }, `On average the new tasks are rated ${fmt.pct(main10.beta_new, 0)} exposed, the tasks they replaced ${fmt.pct(main10.beta_removed, 0)}: new work is ${points(difference)} ${difference >= 0 ? "more" : "less"} exposed (95\u00a0% interval ${points(main10.delta_ci_low).replace(/ points?$/, "")} to ${points(main10.delta_ci_high)}), weighting the ${main10.occupations_used} occupations that both gained and lost tasks by their employment. ${intervalVerdict(main10.delta_ci_low, main10.delta_ci_high)}`),
      h("p", {}, `What the interval means: the comparison was repeated 1,000 times on re-drawn samples of these occupations and of their new and removed tasks (a bootstrap); 95\u00a0% of the results fall in the interval. It shows how much the answer depends on which occupations O*NET happened to revise, and which tasks.`),
      h("h2", {}, "What this does not say"),
      h("p", {}, `O*NET revises occupations on a rolling schedule: an occupation with no new tasks may simply not have been revisited, and the occupations compared here hold only ${fmt.pct(main10.employment_used_share, 0)} of employment. A “new” task may be an old one reworded: wordings at least ${threshold === undefined ? "85\u00a0%" : fmt.pct(threshold, 0)} similar are counted as revisions, not as new work, but looser rewordings still count as new. `, h("strong", {}, "Exposure is not job loss: "), "it says a language model could speed a task up, not that the work or the jobs will go."),
    ),
    h("div", { class: "cards", id: "nw-cards" },
      card("Task statements added, 2015 → 2025", fmt.int(ids.new), "counted by task number"),
      card("Task statements dropped", fmt.int(ids.removed), `${fmt.int(ids.revised)} reworded under the same number`),
      card("New tasks minus the ones they replaced, share exposed", points(difference), `95\u00a0% interval ${points(main10.delta_ci_low).replace(/ points?$/, "")} to ${points(main10.delta_ci_high)}`),
      card("The same, each occupation counted equally", points(main10.delta_beta_equal), `95\u00a0% interval ${points(main10.delta_equal_ci_low).replace(/ points?$/, "")} to ${points(main10.delta_equal_ci_high)}`),
    ),
    h("p", { class: "caveat" }, "A more exposed new task means a language model could speed it up; it does not mean the task, or the job, will disappear."),
    h("h2", {}, "By major group"),
    chart("nw-groups-chart", [{
      type: "bar", orientation: "h", y: byDelta.map((g) => fit(short(g.group_title))), customdata: byDelta.map((g) => short(g.group_title)), x: byDelta.map((g) => 100 * g.delta_beta),
      error_x: { type: "data", symmetric: false, array: byDelta.map((g) => 100 * (g.delta_ci_high - g.delta_beta)), arrayminus: byDelta.map((g) => 100 * (g.delta_beta - g.delta_ci_low)), color: "#444", thickness: 1.2, width: 3 },
      marker: { color: byDelta.map((g) => (g.delta_beta >= 0 ? "#b2182b" : "#0b5cad")) }, hovertemplate: "%{customdata}: %{x:+.0f} points<extra></extra>",
    }], { title: { text: "New minus removed tasks:<br>share exposed, 2015 → 2025" }, height: Math.max(420, 22 * byDelta.length + 120), margin: { l: 10, r: 20, t: 70, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { title: { text: "points (95\u00a0% interval)" }, zeroline: true } }),
    table([
      { label: "Major group", key: "group_title" },
      { label: "Occupations compared", num: true, render: (g) => `${g.occupations_used} of ${g.occupations}` },
      { label: "New tasks", num: true, render: (g) => fmt.int(g.n_new) },
      { label: "Removed tasks", num: true, render: (g) => fmt.int(g.n_removed) },
      { label: "New tasks exposed", num: true, render: (g) => fmt.pct(g.beta_new, 0) },
      { label: "Removed tasks exposed", num: true, render: (g) => fmt.pct(g.beta_removed, 0) },
      { label: "Difference", num: true, render: (g) => points(g.delta_beta) },
      { label: "95\u00a0% interval", num: true, render: (g) => `${points(g.delta_ci_low).replace(/ points?$/, "")} to ${points(g.delta_ci_high)}` },
    h("p", { class: "muted" }, "Each bar: how much more (red) or less (blue) exposed a group's new tasks are than the tasks it lost, weighting its occupations that both gained and lost tasks by employment; the lines are 95\u00a0% intervals. Groups where O*NET revised few occupations have wide intervals: read them as “not known”."),
    ], [...byDelta].reverse(), { caption: "Employment-weighted over the occupations of each group that both gained and lost tasks", wrap: true, stack: true }),
    h("h2", {}, "Occupations whose tasks changed most"),
    table([
      { label: "Occupation", render: (r) => drill(r.onet_soc_code, r.title) },
      { label: "Tasks in 2015", num: true, key: "n_before" },
      { label: "Tasks in 2025", num: true, key: "n_after" },
      { label: "New", num: true, key: "n_new" },
      { label: "Removed", num: true, key: "n_removed" },
      { label: "Reworded", num: true, key: "n_revised" },
      { label: "Share changed", num: true, render: (r) => fmt.pct(r.turnover, 0) },
      { label: "New minus removed, share exposed", num: true, render: (r) => (r.delta_beta === null ? "–" : pointsCI(r.delta_beta, r.delta_ci_low, r.delta_ci_high)) },
    ], o.changed_most, { caption: `The ${o.changed_most.length} occupations with the largest share of tasks added, dropped or reworded (at least ${o.min_statements_changed} tasks in each release); “–” where an occupation only gained or only lost tasks`, wrap: true, stack: true }),
    h("h2", {}, "Largest changes, both ways"),
    exampleTables,
    h("h2", {}, "Emerging tasks"),
    h("p", { id: "nw-emerging" }, `O*NET lists ${fmt.int(em.statements)} emerging tasks, new or revised statements under review, in ${fmt.int(em.occupations)} occupations. They are rated ${fmt.pct(em.mean_beta_emerging, 0)} exposed on average; against the current tasks of their own occupations the difference is ${pointsCI(em.mean_beta_vs_occupation, em.ci_low, em.ci_high)}, and ${fmt.pct(em.share_above_occupation_mean, 0)} of them are more exposed than their occupation's average task.`),
    table([
      { label: "Occupation", render: (r) => drill(r.onet_soc_code, r.title) },
      { label: "Emerging tasks", num: true, key: "n_emerging" },
      { label: "Of which new", num: true, key: "n_new" },
      { label: "Emerging tasks exposed", num: true, render: (r) => fmt.pct(r.beta_emerging, 0) },
      { label: "Current tasks exposed", num: true, render: (r) => fmt.pct(r.occupation_beta, 0) },
      { label: "Difference", num: true, render: (r) => points(r.beta_vs_occupation) },
    ], o.emerging_occupations, { caption: `The ${o.emerging_occupations.length} occupations with the most emerging tasks`, wrap: true, stack: true }),
    h("details", { class: "technical" },
      h("summary", {}, `All ${o.emerging_statements.length} emerging tasks`),
      table([
        { label: "Occupation", render: (r) => drill(r.onet_soc_code, r.title) },
        { label: "Emerging task", key: "task" },
        { label: "Kind", render: (r) => (r.category === "Revision" ? "rewording" : (r.category || "–").toLowerCase()) },
        { label: "Exposure", render: (r) => exposureTag(r.exposure) },
        { label: "Exposed", num: true, render: (r) => fmt.pct(r.beta, 0) },
      ], o.emerging_statements, { caption: "Emerging tasks, O*NET 29.3", wrap: true, stack: true })),
    h("h2", {}, "New and growing occupations"),
    occTable(o.new_occupations, `Occupations new since SOC 2010: the ${o.new_occupations.length} largest of ${o.new_occupations_total}`),
    occTable(o.growing_occupations, `The ${o.growing_occupations.length} fastest-growing occupations, BLS projections 2024–34`),
    h("h2", {}, "Work on AI itself"),
    table([
      { label: "O*NET release", render: (r) => r.release.replace(" emerging", ", emerging tasks") },
      { label: "Task statements", num: true, render: (r) => fmt.int(r.statements) },
      { label: "Mention AI, machine learning or data science", num: true, render: (r) => fmt.int(r.ai_statements) },
      { label: "Share", num: true, render: (r) => fmt.pct(r.ai_share, 2) },
      { label: "Occupations", num: true, render: (r) => fmt.int(r.ai_occupations) },
    ], o.ai_share, { caption: "Task statements about AI work, by release", wrap: true, stack: true }),
    posts.length ? h("p", { class: "muted" }, `Indeed Hiring Lab AI tracker: share of US job postings that mention AI or generative-AI terms, monthly, ${posts[0].month} to ${posts[posts.length - 1].month}. Mentions in postings show employers' demand, not how work is done.`) : null,
    posts.length ? chart("nw-postings-chart", [{
      type: "scatter", mode: "lines", x: posts.map((p) => p.month), y: posts.map((p) => p.ai_share), line: { color: "#0b5cad" },
      hovertemplate: "%{x}: %{y:.2f} %<extra></extra>",
    }], { title: { text: "US job postings on Indeed<br>that mention AI (%)" }, height: 340, margin: { l: 50, r: 20, t: 70, b: 50 }, yaxis: { rangemode: "tozero", ticksuffix: " %" } }) : h("p", { class: "muted" }, "The database has no Indeed AI-posting series."),
    h("h2", {}, "One occupation's changes"),
    h("p", {}, "Every task O*NET added, removed or reworded for one occupation since 2015, with its rating."),
    picker,
    h("details", { class: "technical" },
      h("summary", {}, "Technical detail"),
      h("p", {}, `Statements are matched by O*NET task number; a removed and a new statement of the same occupation whose wordings have a cosine similarity of at least ${threshold ?? "–"} (sentence embeddings) are paired as one revision (${fmt.int(main10.revisions_new_id_same_text)} pairs with identical text under a new number, ${fmt.int(main10.revisions_new_id_similar_text)} reworded), leaving ${fmt.int(main10.counts.new)} new and ${fmt.int(main10.counts.removed)} removed statements. Each statement is rated by the default exposure model: β = P(E1) + ½ P(E2), the share-of-tasks-exposed score of one task. Δβ per occupation is the mean β of its new minus its removed statements; economy-wide and per group it is weighted by OEWS May 2025 employment, with a two-stage bootstrap (occupations, then statements; 1,000 draws). O*NET 20.1 tasks are placed on O*NET-SOC 2019 codes by the 2010 → 2019 crosswalk (${fmt.int(sm.crosswalk?.unmapped_tasks ?? 0)} tasks unmapped). See docs/emerging.md.`)),
    glossary(),
  );
};

async function emergingOccupation(code) {
  view(h("h1", {}, "How the tasks changed"), loading());
  let p, early, late;
  try {
    [p, early, late] = await Promise.all([
      api(`/api/occupations/${encodeURIComponent(code)}`),
      api(`/api/emerging/tasks/${encodeURIComponent(code)}?from=20.1`),
      api(`/api/emerging/tasks/${encodeURIComponent(code)}?from=29.3`),
    ]);
  } catch (err) { view(h("h1", {}, "How the tasks changed"), errorBox(err)); return; }
  const taskTable = (rows, caption) => table([
    { label: "Task", key: "task" },
    { label: "Exposure", render: (r) => exposureTag(r.exposure) },
    { label: "Exposed", num: true, render: (r) => fmt.pct(r.beta, 0) },
    { label: "Automation", num: true, render: (r) => (r.automation === null || r.automation === undefined ? "–" : fmt.pct(r.automation, 0)) },
  ], rows, { caption, stack: true });
  const part = (doc) => {
    const of = (st) => doc.tasks.filter((t) => t.status === st);
    const added = of("new");
    const removed = of("removed");
    const emerging = of("emerging");
    const reworded = doc.revisions.filter((r) => r.kind !== "new_id_same_text");
    const renumbered = doc.revisions.filter((r) => r.kind === "new_id_same_text");
    const id = `nw-${doc.from.replace(".", "")}`;
    const counts = [
      plural(added.length, "new task", "new tasks"),
      plural(removed.length, "removed task", "removed tasks"),
      plural(reworded.length, "reworded task", "reworded tasks"),
      renumbered.length ? `${plural(renumbered.length, "task", "tasks")} with the same wording under a new number` : null,
      emerging.length ? plural(emerging.length, "emerging task", "emerging tasks") : null,
    ].filter(Boolean);
    const nothing = !added.length && !removed.length && !doc.revisions.length && !emerging.length;
    return h("section", { id, "aria-label": COMPARISON_WORDS[`${doc.from}->${doc.to}`] },
      h("h2", {}, COMPARISON_WORDS[`${doc.from}->${doc.to}`] || `${doc.from} → ${doc.to}`),
      nothing ? h("p", { class: "muted" }, "No task was added, removed or reworded.") : h("p", { class: "counts" }, `${listing(counts)}.`),
      added.length ? [h("h3", {}, "New tasks"), taskTable(added, "Only in the later release")] : null,
      removed.length ? [h("h3", {}, "Removed tasks"), taskTable(removed, "Only in the earlier release")] : null,
      reworded.length ? [h("h3", {}, "Reworded tasks"), table([
        { label: "Old wording", key: "old_task" },
        { label: "New wording", key: "new_task" },
        { label: "Exposed before", num: true, render: (r) => fmt.pct(r.beta_old, 0) },
        { label: "Exposed after", num: true, render: (r) => fmt.pct(r.beta_new, 0) },
        { label: "How matched", render: (r) => (r.kind === "same_id" ? "same task number" : `new number, wording ${Math.floor(100 * r.similarity)}\u00a0% similar`) },
      ], reworded, { caption: "The same task in new words", stack: true })] : null,
      renumbered.length ? h("details", { class: "technical" },
        h("summary", {}, `${plural(renumbered.length, "task", "tasks")} kept their wording under a new number`),
        h("ul", {}, renumbered.map((r) => h("li", {}, r.new_task)))) : null,
      emerging.length ? [h("h3", {}, "Emerging tasks"), taskTable(emerging, "Under review by O*NET: they may join the occupation's tasks")] : null,
    );
  };
  view(
    h("p", {}, h("a", { href: "#/emerging" }, "← New work")),
    h("h1", {}, `How the tasks of ${p.title} changed`),
    h("p", { class: "muted" }, codeSpan(p.onet_soc_code), " · ", h("a", { href: `#/occupation/${p.onet_soc_code}` }, "occupation summary")),
    h("p", { class: "caveat" }, "O*NET revises occupations on a rolling schedule: no change may mean the occupation was not revisited. A “new” task may be an old one reworded. Exposure is not job loss: a more exposed task is one a language model could speed up."),
    part(early),
    part(late),
    h("p", { class: "muted" }, "Exposed: the laborlens model's estimate that a language model could halve the time a task takes (software-assisted counted half). Automation: its estimate of how far the task could be automated."),
  );
}

// ---------------------------------------------------------------------------------------
// router

function route() {
  const [, name = "overview", arg] = (location.hash || "#/overview").split("/");
  const key = name in views ? name : "overview";
  document.querySelectorAll("nav a").forEach((a) => {
    const on = a.dataset.view === key || (key === "occupation" && a.dataset.view === "occupations");
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  document.title = `laborlens — ${document.querySelector(`nav a[data-view="${key === "occupation" ? "occupations" : key}"]`)?.textContent || ""}`;
  views[key](arg).catch((err) => view(errorBox(err)));
}

document.getElementById("keyform").addEventListener("submit", (e) => {
  e.preventDefault();
  localStorage.setItem(KEY, document.getElementById("apikey").value);
  document.getElementById("keybar").hidden = true;
  route();
});

// The skip link must not change the hash: the hash is the route.
document.querySelector("a.skip").addEventListener("click", (e) => { e.preventDefault(); main.focus(); });

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  route();
  api("/api/health").then((s) => {
    document.getElementById("buildinfo").textContent = `laborlens ${s.laborlens_version} · database built ${s.built_at || "?"}`;
  }).catch(() => {});
});
