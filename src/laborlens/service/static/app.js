/* laborlens dashboard: a hash-routed page over the JSON API. No framework, no CDN. */
"use strict";

const main = document.getElementById("main");
const KEY = "laborlens-api-key";

// ---------------------------------------------------------------------------------------
// helpers

/** Element builder: h("a", {href: "#"}, "text", child...). Text is never parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
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
  pct: (x, d = 1) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(d)} %`),
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
  const el = h("div", { id, class: "chart", role: "img", "aria-label": layout.title?.text || layout.title || "chart" });
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
  main.replaceChildren(...nodes);
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

views.occupation = async (code) => {
  view(loading());
  let p;
  try { p = await api(`/api/occupations/${encodeURIComponent(code)}`); } catch (err) { view(h("h1", {}, "Occupation"), errorBox(err)); return; }
  const exp = Object.fromEntries(p.exposure.filter((e) => e.weighting === "paper").map((e) => [e.source, e]));
  const oews = p.oews_national_2025 || {};
  const tasksBox = h("div", { id: "tasks" });
  const geoBox = h("div", { id: "occ-geo" });
  const showTasks = h("button", {
    id: "show-tasks", type: "button", "aria-controls": "tasks",
    onclick: async () => {
      showTasks.disabled = true;
      tasksBox.replaceChildren(loading("Loading tasks…"));
      try {
        const t = await api(`/api/occupations/${encodeURIComponent(p.onet_soc_code)}/tasks`);
        tasksBox.replaceChildren(table([
          { label: "Task", key: "task" },
          { label: "Type", key: "task_type" },
          { label: "Human", render: (r) => badge(r.human_exposure) },
          { label: "GPT-4", render: (r) => badge(r.gpt4_exposure) },
          { label: "Model", render: (r) => badge(r.model_exposure) },
          { label: "Model β", num: true, render: (r) => fmt.num(r.model_beta) },
          { label: "Automation", render: (r) => r.model_automation || "–" },
        ], t.tasks, { caption: `${t.n_tasks} O*NET tasks, with the human and GPT-4 labels of Eloundou et al. and the laborlens model's rating` }));
        showTasks.hidden = true;
      } catch (err) { tasksBox.replaceChildren(errorBox(err)); showTasks.disabled = false; }
    },
  }, "Show tasks and their ratings");
  view(
    h("p", {}, h("a", { href: "#/occupations" }, "← Search")),
    h("h1", {}, p.title),
    h("p", { class: "muted" }, `${p.onet_soc_code} · SOC 2018 ${p.soc_2018_code} · ${p.soc_major_title}`),
    h("p", {}, p.description),
    h("div", { class: "cards" },
      card("Share of tasks exposed, human raters", fmt.pct(exp.human?.beta, 0), "β = E1 + ½ E2: tasks a language model could speed up by half or more"),
      card("Share of tasks exposed, GPT-4 ratings", fmt.pct(exp.gpt4?.beta, 0)),
      card("Share of tasks exposed, laborlens model", fmt.pct(exp.model?.beta, 0)),
      card("Employment (OEWS May 2025)", fmt.int(oews.employment ?? p.employment), oews.soc_code && oews.soc_code !== p.soc_2018_code ? `published for ${oews.soc_code}` : ""),
      card("Median annual wage", fmt.usd(oews.a_median ?? p.median_wage), oews.a_median_topcoded ? "top-coded by BLS" : ""),
      card("Projected growth 2024–34", p.growth_percent === null ? "–" : `${fmt.num(p.growth_percent, 1)} %`, p.typical_education || ""),
    ),
    h("p", { class: "caveat" }, "Exposure is not job loss: it says how many of this occupation's tasks a language model could speed up, not whether the jobs will go."),
    h("h2", {}, "Every measure, side by side"),
    p.measures.length
      ? table([
        { label: "Measure", key: "label" },
        { label: "Value", num: true, render: (r) => fmt.num(r.value, 3) },
        { label: "Percentile among occupations", num: true, render: (r) => (r.percentile === null ? "–" : fmt.num(r.percentile, 0)) },
        { label: "Native key", key: "native_key" },
      ], p.measures)
      : h("p", { class: "muted" }, "No public measure covers this SOC code."),
    h("h2", {}, "Tasks"),
    showTasks,
    tasksBox,
    h("h2", {}, "Where the jobs are"),
    geoBox,
    h("h2", {}, "Career moves"),
    h("p", {}, h("a", { href: `#/careers/${encodeURIComponent(p.onet_soc_code)}` }, `Occupations a ${p.title.replace(/s$/, "").toLowerCase()} could move to`)),
  );
  api(`/api/occupations/${encodeURIComponent(p.onet_soc_code)}/geography?level=state`).then((g) => {
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
  const ci = r.beta === null ? "not available" : `${fmt.num(r.beta)} (95 % interval ${fmt.num(r.beta_ci[0])}–${fmt.num(r.beta_ci[1])})`;
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
  "share_ge_0.1": "Workers with ≥ 10 % of tasks exposed",
  "share_ge_0.5": "Workers with ≥ 50 % of tasks exposed",
  mean_exposure: "Average share of tasks exposed (β) per worker",
};
const SOURCE_LABEL = { human: "Human raters", gpt4: "GPT-4 ratings", model: "laborlens model" };

const GLOSSARY = [
  ["Exposure", "A task is exposed if a large language model, or software built on one, could cut the time it takes by half or more at the same quality. It is what the technology could do, not what employers will do: exposure is not job loss."],
  ["Share of tasks exposed (β)", "The share of an occupation's tasks that are exposed, counting tasks exposed only through additional software as half (β = E1 + ½ E2)."],
  ["E0, E1, E2", "The rating of one task: E0 not exposed; E1 directly exposed (a language model alone halves the time); E2 exposed through software built on a language model."],
  ["Human raters, GPT-4 ratings, laborlens model", "Three sources of task ratings: people and GPT-4 rating O*NET 27.2 tasks for Eloundou et al. (2024), and the laborlens model trained on the human ratings, applied to every O*NET 29.3 task."],
  ["Interval", "A 95 % range from re-drawing the tasks of each occupation 1,000 times (bootstrap): how much a figure depends on which tasks were rated."],
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
  return s.lower === null || s.lower === undefined ? f(s.point) : `95 % interval ${f(s.lower)} – ${f(s.upper)}`;
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
      }], { title: { text: "Share of tasks exposed, by major group" }, height: 640, margin: { l: 10, r: 20, t: 50, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { title: { text: "average per worker (β, 95 % interval)" }, rangemode: "tozero", tickformat: ".0%" } }),
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
      { label: "≥ 50 % exposed", num: true, render: (g) => fmt.pct(g["share_ge_0.5"].point) },
      { label: "95 % interval", num: true, render: (g) => `${fmt.pct(g["share_ge_0.5"].lower)} – ${fmt.pct(g["share_ge_0.5"].upper)}` },
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
    h("p", {}, `Share of each area's workers (OEWS May 2025 ${level === "state" ? "state" : "metropolitan area"} estimates) in occupations with at least half of their tasks exposed, with 95 % bootstrap intervals.`),
    h("form", { class: "inline", onsubmit: (e) => e.preventDefault() },
      sourcePicker("geo-source", source, geo.sources, (v) => go(v, level)),
      h("div", { class: "field" }, h("label", { for: "geo-level" }, "Areas"), levelSel)),
    chart("geo-chart", [{
      type: "bar", orientation: "h", y: shown.map((a) => a.group_label), x: shown.map((a) => a["share_ge_0.5"].point),
      error_x: errorBars(shown.map((a) => a["share_ge_0.5"])), marker: { color: "#0b5cad" },
      hovertemplate: "%{y}: %{x:.1%}<extra></extra>",
    }], { title: { text: level === "state" ? "Workers with ≥ 50 % of tasks exposed, by state" : "The 40 metro areas with the highest share" }, height: Math.max(420, 18 * shown.length + 120), margin: { l: 10, r: 20, t: 50, b: 50 }, yaxis: { automargin: true, tickfont: { size: 11 } }, xaxis: { tickformat: ".0%", rangemode: "tozero" } }),
    table([
      { label: level === "state" ? "State" : "Metro area", key: "group_label" },
      { label: "Employment", num: true, render: (a) => fmt.int(a.employment_total) },
      { label: "≥ 50 % exposed", num: true, render: (a) => fmt.pct(a["share_ge_0.5"].point) },
      { label: "95 % interval", num: true, render: (a) => `${fmt.pct(a["share_ge_0.5"].lower)} – ${fmt.pct(a["share_ge_0.5"].upper)}` },
      { label: "≥ 10 % exposed", num: true, render: (a) => fmt.pct(a["share_ge_0.1"].point) },
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
      { label: "95 % interval", num: true, render: (r) => `${signed(r.ci_low)} – ${signed(r.ci_high)}` },
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
  const ci = (k) => `${m(n[k])} (95 % interval ${m(n[`${k}_lo`])} – ${m(n[`${k}_hi`])})`;
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
      { label: "95 % interval", num: true, render: (a) => `${fmt.int(a.high_exposure_low_capacity_workers_lo)} – ${fmt.int(a.high_exposure_low_capacity_workers_hi)}` },
      { label: "Share", num: true, render: (a) => fmt.pct(a.helc_share_of_covered) },
      { label: "Unpublished (OEWS)", num: true, render: (a) => fmt.int(a.employment_unpublished) },
    ], areas, { caption: `${areas.length} areas, largest share first`, wrap: true }),
  );
};

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
