/*
 * The admin UI: a thin client of the engine's own API, for content staff (templates, rules, segments,
 * policy, preview for a real learner) and analysts (rates, experiments, a learner's messages and why).
 * No build step and no framework; everything the engine returns is put on the page as text, never as HTML.
 * The API key lives in this tab's sessionStorage and is sent only to this origin.
 */
(function () {
  "use strict";

  const KEY_STORAGE = "coach.adminKey";
  let apiKey = sessionStorage.getItem(KEY_STORAGE) || "";
  const view = document.getElementById("view");
  const status = document.getElementById("status");

  // ---------- small helpers ----------

  /** Creates an element: el("td", { className: "muted", onclick }, "text", childNode…). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (name === "onclick") node.addEventListener("click", value);
      else if (name === "className" || name === "value" || name === "type" || name === "checked") node[name] = value;
      else node.setAttribute(name, value);
    }
    for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const enc = encodeURIComponent;
  const pct = (x) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);
  const interval = (pair) => (Array.isArray(pair) ? `${pct(pair[0])} – ${pct(pair[1])}` : "");
  const when = (iso) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) : "—");
  const json = (value) => JSON.stringify(value, null, 2);

  function setStatus(text, isError) {
    status.textContent = text || "";
    status.className = isError ? "error" : "";
  }

  class ApiError extends Error {
    constructor(status, problem) {
      const p = problem && typeof problem === "object" ? problem : {};
      const details = Array.isArray(p.errors) ? " — " + p.errors.map((e) => `${e.path}: ${e.message}`).join("; ") : "";
      super(`${status} ${p.title || ""}${p.detail ? ": " + p.detail : ""}${details}`);
      this.status = status;
    }
  }

  /** Calls the API with the key; resolves with parsed JSON (or text), rejects with ApiError. */
  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${apiKey}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const isJson = (res.headers.get("content-type") || "").includes("json");
    const data = text && isJson ? JSON.parse(text) : text;
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /** Runs an action, reporting success (its returned message, else `done`) or the API's problem in the status line. */
  async function act(work, done) {
    try {
      setStatus("Working…");
      const message = await work();
      setStatus(typeof message === "string" ? message : done === undefined ? "Done." : done);
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  /** A table: columns are [label, row => cell]; rows with onRowClick are clickable. */
  function table(columns, rows, onRowClick) {
    if (rows.length === 0) return el("p", { className: "muted" }, "Nothing yet.");
    const head = el("tr", {}, columns.map(([label]) => el("th", {}, label)));
    const body = rows.map((row) =>
      el("tr", { className: onRowClick ? "clickable" : "", onclick: onRowClick ? () => onRowClick(row) : undefined },
        columns.map(([, cell]) => el("td", {}, cell(row) ?? "—"))));
    return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
  }

  /** A labelled input; returns [label, input]. */
  function field(label, props) {
    const input = el("input", props);
    return [el("label", {}, `${label} `, input), input];
  }

  /** A JSON editor: returns [textarea, read()] where read() parses or throws a readable error. */
  function jsonEditor(id, value) {
    const area = el("textarea", { id, spellcheck: "false" });
    area.value = json(value);
    const read = () => {
      try {
        return JSON.parse(area.value);
      } catch (error) {
        throw new Error(`The JSON does not parse: ${error.message}`);
      }
    };
    return [area, read];
  }

  // ---------- navigation: every view is an async function returning its nodes ----------

  // Only the latest navigation may draw: a slow answer for a tab left meanwhile must not replace the current one.
  let navigation = 0;

  /** Builds a view and draws it unless the user has moved on meanwhile. */
  async function open(build) {
    const ticket = ++navigation;
    const nodes = await build();
    if (ticket === navigation) view.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
  }

  // ---------- templates ----------

  const NEW_TEMPLATE = {
    key: "my-nudge", name: "My nudge", kind: "nudge", locale: "en",
    variants: [{ key: "A", title: "Keep going, {{default learner.firstName \"there\"}}", body: "You're doing well.", weight: 1 }],
  };

  async function templates() {
    const { templates: rows } = await api("GET", "/v1/templates");
    return [
      el("h2", {}, "Templates"),
      el("button", { id: "new-template", onclick: () => act(() => open(() => templateEditor(null)), "") }, "New template"),
      table([["Key", (t) => t.key], ["Name", (t) => t.name], ["Kind", (t) => t.kind], ["Published", (t) => t.publishedVersion], ["Latest", (t) => t.latestVersion], ["Updated", (t) => when(t.updatedAt)]],
        rows, (t) => act(() => open(() => templateEditor(t.key)), "")),
    ];
  }

  async function templateEditor(key) {
    const template = key ? await api("GET", `/v1/templates/${enc(key)}`) : NEW_TEMPLATE;
    const versions = key ? (await api("GET", `/v1/templates/${enc(key)}/versions`)).versions : [];
    const definition = { name: template.name, kind: template.kind, locale: template.locale, essential: template.essential, variants: template.variants };
    if (template.response) definition.response = template.response;
    if (!key) definition.key = template.key;
    const [editor, read] = jsonEditor("template-json", definition);
    const [learnerLabel, learnerInput] = field("Learner id", { id: "preview-learner", placeholder: "a real learner" });
    const [courseLabel, courseInput] = field("Course id", { id: "preview-course", placeholder: "optional" });
    const preview = el("div", { id: "preview" });

    const save = () => act(async () => {
      const saved = key ? await api("PUT", `/v1/templates/${enc(key)}`, read()) : await api("POST", "/v1/templates", read());
      await open(() => templateEditor(saved.key));
    }, key ? "Saved as a new version." : "Created (version 1, published).");
    const publish = () => act(async () => {
      await api("POST", `/v1/templates/${enc(key)}/publish`, {});
      await open(() => templateEditor(key));
    }, "Published the latest version.");
    const runPreview = () => act(async () => {
      const body = { templateKey: key, learnerId: learnerInput.value.trim() || undefined, courseId: courseInput.value.trim() || undefined };
      showPreview(preview, await api("POST", "/v1/templates/preview", body));
    }, "");

    return [
      el("h2", {}, key ? `Template ${key}` : "New template"),
      key ? el("p", { className: "muted" }, `Showing version ${template.version}; published: ${template.publishedVersion ?? "none"}; latest: ${template.latestVersion}.`
        + (template.pausedVariants && template.pausedVariants.length ? ` Paused variants: ${template.pausedVariants.join(", ")}.` : "")) : null,
      editor,
      el("div", { className: "row" },
        el("button", { id: "save-template", onclick: save }, key ? "Save as new version" : "Create"),
        key ? el("button", { id: "publish-template", onclick: publish }, "Publish latest") : null,
        el("button", { onclick: () => act(() => open(templates), "") }, "Back to the list")),
      key ? el("fieldset", {}, el("legend", {}, "Preview for a real learner (the published version)"),
        el("div", { className: "row" }, learnerLabel, courseLabel, el("button", { id: "run-preview", onclick: runPreview }, "Preview")), preview) : null,
      key ? el("h3", {}, "Versions") : null,
      key ? table([["Version", (v) => v.version], ["Author", (v) => v.author], ["Created", (v) => when(v.createdAt)]], versions) : null,
    ];
  }

  function showPreview(target, result) {
    const data = result.data || {};
    target.replaceChildren(
      el("div", { className: "rendered", id: "preview-rendered" },
        el("strong", {}, result.title || ""), "\n\n", result.body || "",
        result.cta ? `\n\n[${result.cta.label}] → ${result.cta.url}` : ""),
      el("p", { className: "muted" }, `Variant ${result.variant}, locale ${result.locale}, version ${result.version}.`),
      result.warnings && result.warnings.length ? el("p", {}, `Warnings: ${result.warnings.join("; ")}`) : null,
      el("details", {}, el("summary", {}, "Data used (segments, insights, goal, course state)"), el("pre", {}, json(data))),
    );
  }

  // ---------- rules ----------

  const RULE_FIELDS = ["name", "enabled", "trigger", "segmentKey", "templateKey", "delaySeconds", "priority", "cooldownHours",
    "maxPerLearner", "expiresAfterHours", "essential", "experiment", "holdout", "gate"];
  const NEW_RULE = { key: "my-rule", name: "My rule", templateKey: "my-nudge", trigger: { eventType: "video.completed" } };
  const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));
  const triggerText = (t) => ("inactiveDays" in t ? `quiet ${t.inactiveDays} days` : t.eventType) + (t.courseId ? ` in ${t.courseId}` : "") + (t.where ? " (with conditions)" : "");

  async function rules() {
    const { rules: rows } = await api("GET", "/v1/rules");
    return [
      el("h2", {}, "Rules"),
      el("button", { id: "new-rule", onclick: () => act(() => open(() => ruleEditor(null)), "") }, "New rule"),
      table([["Key", (r) => r.key], ["Name", (r) => r.name], ["On", (r) => (r.enabled ? "yes" : "no")], ["Trigger", (r) => triggerText(r.trigger)],
        ["Template", (r) => r.templateKey], ["Segment", (r) => r.segmentKey], ["Priority", (r) => r.priority], ["Experiment", (r) => (r.experiment ? r.experiment.mode || "yes" : "")]],
      rows, (r) => act(() => open(() => ruleEditor(r.key)), "")),
    ];
  }

  async function ruleEditor(key) {
    const rule = key ? await api("GET", `/v1/rules/${enc(key)}`) : NEW_RULE;
    const [editor, read] = jsonEditor("rule-json", key ? pick(rule, RULE_FIELDS) : rule);
    const save = () => act(async () => {
      const saved = key ? await api("PUT", `/v1/rules/${enc(key)}`, read()) : await api("POST", "/v1/rules", read());
      await open(() => ruleEditor(saved.key));
    }, "Saved.");
    const remove = () => act(async () => {
      await api("DELETE", `/v1/rules/${enc(key)}`);
      await open(rules);
    }, `Deleted rule ${key}.`);
    return [
      el("h2", {}, key ? `Rule ${key}` : "New rule"),
      key ? el("p", { className: "muted" }, `Version ${rule.version}, updated ${when(rule.updatedAt)}. Experiment results: Analytics → Experiment.`) : null,
      editor,
      el("div", { className: "row" },
        el("button", { id: "save-rule", onclick: save }, key ? "Save" : "Create"),
        key ? el("button", { onclick: remove }, "Delete") : null,
        el("button", { onclick: () => act(() => open(rules), "") }, "Back to the list")),
    ];
  }

  // ---------- segments ----------

  async function segments() {
    const { segments: rows } = await api("GET", "/v1/segments");
    const [editor, read] = jsonEditor("segment-json", { key: "my-segment", name: "My segment", type: "sql", sql: "SELECT learner_id FROM learner_course_state WHERE event_count >= 10" });
    const create = () => act(async () => {
      await api("POST", "/v1/segments", read());
      await open(segments);
    }, "Segment created.");
    const refresh = (s) => act(async () => {
      const result = await api("POST", `/v1/segments/${enc(s.key)}/refresh`);
      await open(segments);
      if (result.status === "error") throw new Error(`Refresh of ${s.key} failed: ${result.error}`);
      return `Refreshed ${s.key}: +${result.added} −${result.removed}, ${result.memberCount} members.`;
    });
    return [
      el("h2", {}, "Segments"),
      table([["Key", (s) => s.key], ["Name", (s) => s.name], ["Type", (s) => s.type], ["Members", (s) => s.memberCount],
        ["Last refresh", (s) => when(s.lastRefreshedAt)], ["Status", (s) => s.lastRefreshStatus], ["Error", (s) => s.lastRefreshError],
        ["", (s) => (s.type === "sql" ? el("button", { className: "refresh", onclick: (e) => { e.stopPropagation(); refresh(s); } }, "Refresh now") : "")]], rows),
      el("h3", {}, "New segment"),
      el("p", { className: "muted" }, "type: static (upload members with the API), attributes (conditions) or sql (a single SELECT returning learner_id; see docs/data.md)."),
      editor,
      el("div", { className: "row" }, el("button", { id: "create-segment", onclick: create }, "Create")),
    ];
  }

  // ---------- analytics ----------

  const GROUPS = ["template", "variant", "rule", "segment", "course", "day"];

  async function analytics() {
    const checks = GROUPS.map((g) => el("input", { type: "checkbox", value: g, checked: g === "template" || g === "variant", className: "group-by" }));
    const [fromLabel, fromInput] = field("From", { type: "date", id: "from" });
    const [toLabel, toInput] = field("To", { type: "date", id: "to" });
    const [courseLabel, courseInput] = field("Course", { id: "course" });
    const rates = el("div", { id: "rates" });
    const [ruleLabel, ruleInput] = field("Rule key", { id: "experiment-rule" });
    const report = el("div", { id: "experiment" });

    const loadRates = () => act(async () => {
      const groupBy = checks.filter((c) => c.checked).map((c) => c.value);
      const query = new URLSearchParams({ groupBy: groupBy.join(",") || "template" });
      if (fromInput.value) query.set("from", fromInput.value);
      if (toInput.value) query.set("to", toInput.value);
      if (courseInput.value.trim()) query.set("courseId", courseInput.value.trim());
      const { rows } = await api("GET", `/v1/analytics/messages?${query}`);
      const keys = groupBy.length ? groupBy : ["template"];
      rates.replaceChildren(table([
        ...keys.map((k) => [k, (r) => r[k]]),
        ["Delivered", (r) => r.delivered], ["Seen", (r) => r.seen], ["Clicked", (r) => r.clicked], ["Dismissed", (r) => r.dismissed],
        ["Engagement", (r) => pct(r.engagementRate)], ["Helpful", (r) => r.helpful], ["Not helpful", (r) => r.notHelpful],
        ["Helpful rate (95% CI)", (r) => `${pct(r.helpfulRate)} (${interval(r.helpfulRateCI)})`],
      ], rows));
    }, "");
    const loadExperiment = () => act(async () => {
      const e = await api("GET", `/v1/analytics/experiments/${enc(ruleInput.value.trim())}`);
      report.replaceChildren(
        el("p", { id: "verdict" }, el("strong", {}, e.verdict.text)),
        el("p", { className: "muted" }, `Rule ${e.ruleKey}, template ${e.templateKey}, ${e.mode}, reward ${e.reward}, control ${e.control}.`),
        table([["Variant", (v) => v.variant + (v.control ? " (control)" : "") + (v.paused ? " (paused)" : "")], ["Delivered", (v) => v.delivered],
          ["Engagement (95% CI)", (v) => `${pct(v.engagementRate)} (${interval(v.engagementRateCI)})`], ["Votes", (v) => v.votes],
          ["Helpful rate (95% CI)", (v) => `${pct(v.helpfulRate)} (${interval(v.helpfulRateCI)})`],
          ["vs control", (v) => (v.vsControl ? `p = ${Number(v.vsControl.pValue).toFixed(3)}` : "")], ["P(best)", (v) => pct(v.probabilityBest)]], e.variants),
        e.holdout ? el("details", {}, el("summary", {}, "Holdout and lift"), el("pre", {}, json(e.holdout))) : null,
      );
    }, "");
    void loadRates();
    return [
      el("h2", {}, "Message rates"),
      el("div", { className: "row" }, "Group by:", checks.map((c) => el("label", {}, c, ` ${c.value}`))),
      el("div", { className: "row" }, fromLabel, toLabel, courseLabel, el("button", { id: "load-rates", onclick: loadRates }, "Show")),
      rates,
      el("h2", {}, "Experiment"),
      el("div", { className: "row" }, ruleLabel, el("button", { id: "load-experiment", onclick: loadExperiment }, "Show")),
      report,
    ];
  }

  // ---------- learners ----------

  async function learners() {
    const [idLabel, idInput] = field("Learner id", { id: "learner-id" });
    const out = el("div", { id: "learner" });
    const lookup = () => act(async () => {
      const id = idInput.value.trim();
      const [profile, inbox] = await Promise.all([api("GET", `/v1/learners/${enc(id)}`), api("GET", `/v1/learners/${enc(id)}/messages?status=all&limit=200`)]);
      const history = el("div", { id: "message-history" });
      out.replaceChildren(
        el("h3", {}, `${profile.name || profile.id} (${profile.id})`),
        el("p", { className: "muted" }, `Locale ${profile.locale || "—"}, time zone ${profile.timezone || "—"}; today ${profile.throttle.deliveredToday} of ${profile.throttle.dayCap}, this week ${profile.throttle.deliveredThisWeek} of ${profile.throttle.weekCap}.`),
        el("details", {}, el("summary", {}, "Attributes, courses, goals, self-assessments"), el("pre", {}, json({ attributes: profile.attributes, courses: profile.courses, goals: profile.goals, selfAssessments: profile.selfAssessments }))),
        el("h3", {}, "Messages (click one for its history)"),
        table([["Created", (m) => when(m.createdAt)], ["Status", (m) => m.status], ["Rule", (m) => m.ruleKey], ["Variant", (m) => m.variant], ["Title", (m) => m.title], ["Vote", (m) => m.engagement.vote]],
          inbox.messages, (m) => act(async () => {
            const message = await api("GET", `/v1/messages/${enc(m.id)}`);
            history.replaceChildren(el("h4", {}, `History of ${m.id}`),
              table([["At", (h) => when(h.at)], ["Step", (h) => h.step], ["Details", (h) => (h.details ? JSON.stringify(h.details) : "")]], message.history || []));
          }, "")),
        history,
      );
    }, "");
    return [el("h2", {}, "Learner"), el("div", { className: "row" }, idLabel, el("button", { id: "lookup-learner", onclick: lookup }, "Look up")), out];
  }

  // ---------- policy ----------

  async function policy() {
    const [editor, read] = jsonEditor("policy-json", await api("GET", "/v1/policy"));
    return [
      el("h2", {}, "Throttle policy"),
      el("p", { className: "muted" }, "Caps per learner's local day and week, minimum gap, quiet hours, adaptive backoff, auto-pause thresholds."),
      editor,
      el("div", { className: "row" }, el("button", { id: "save-policy", onclick: () => act(() => api("PUT", "/v1/policy", read()), "Policy saved.") }, "Save")),
    ];
  }

  // ---------- tabs and the key ----------

  const VIEWS = { templates, rules, segments, analytics, learners, policy };

  async function show(tab) {
    for (const button of document.querySelectorAll("#tabs button")) button.className = button.dataset.tab === tab ? "active" : "";
    if (!apiKey) return setStatus("Enter an API key first.", true);
    try {
      setStatus("Loading…");
      await open(VIEWS[tab]);
      setStatus("");
    } catch (error) {
      setStatus(error.message, true);
    }
  }

  document.getElementById("tabs").addEventListener("click", (event) => {
    const tab = event.target && event.target.dataset ? event.target.dataset.tab : undefined;
    if (tab) void show(tab);
  });
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey = document.getElementById("key").value.trim();
    sessionStorage.setItem(KEY_STORAGE, apiKey);
    void show("templates");
  });
  document.getElementById("forget").addEventListener("click", () => {
    apiKey = "";
    sessionStorage.removeItem(KEY_STORAGE);
    document.getElementById("key").value = "";
    navigation++; // nothing still loading may draw
    view.replaceChildren();
    setStatus("Key forgotten.");
  });
  if (apiKey) void show("templates");
})();
