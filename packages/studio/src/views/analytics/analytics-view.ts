/**
 * <studio-analytics> (#/analytics): message rates over time and in total, grouped by template, variant, rule,
 * segment or course, and suppressions and deferrals by reason — for whole local days in the viewer's time
 * zone, both ends included (the page says so). Tables sort and download as the engine's own CSV. The chosen
 * range and grouping live in the URL (?from=&to=&groupBy=&courseId=), so reload and shared links keep them.
 */
import { html, nothing, type PropertyValues } from "lit";
import { StudioView } from "../studio-view";
import { ApiProblem } from "../../api";
import { downloadCsv } from "./csv-download";
import { formatCount, formatGroup, formatRateWithInterval, viewerTimeZone } from "./format";
import { messageSeries, messageSummaries, type RateRow } from "./message-series";
import { describeRange, daysOf, lastDays, rangeParameters, rangeProblems, type ReportRange } from "./report-range";
import type { Column } from "./sortable-table";
import { SUPPRESSION_COLUMNS, suppressionSeries, suppressionSummary, suppressionTotals, type SuppressionRow } from "./suppression-panel";
import { wilsonInterval } from "../../../../../src/analytics/stats/wilson";

export const GROUPS = [
  { value: "template", label: "Template" },
  { value: "variant", label: "Variant" },
  { value: "rule", label: "Rule" },
  { value: "segment", label: "Segment" },
  { value: "course", label: "Course" },
] as const;
type Group = (typeof GROUPS)[number]["value"];

interface Report {
  range: ReportRange;
  group: Group;
  courseId: string;
  daily: RateRow[];
  totals: RateRow[];
  suppressions: SuppressionRow[];
}

type FieldErrors = Partial<Record<"from" | "to" | "courseId" | "groupBy" | "timezone", string>>;

/** The hash's query (#/analytics?from=…), read directly so the state survives whatever the shell passes. */
function hashQuery(): URLSearchParams {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

export class StudioAnalytics extends StudioView {
  static override properties = {
    ...StudioView.properties,
    form: { state: true },
    fieldErrors: { state: true },
    report: { state: true },
    loading: { state: true },
    failure: { state: true },
  };

  declare form: { from: string; to: string; group: Group; courseId: string };
  declare fieldErrors: FieldErrors;
  declare report: Report | null;
  declare loading: boolean;
  declare failure: string;
  private request = 0;

  constructor() {
    super();
    const week = lastDays(7, viewerTimeZone());
    this.form = { from: week.from, to: week.to, group: "template", courseId: "" };
    this.fieldErrors = {};
    this.report = null;
    this.loading = false;
    this.failure = "";
  }

  /** The shell sets params (the hash's query included) on mount and again on Back/Forward within the view. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!(changed.has("params") || changed.has("api")) || !this.api) return;
    const q = hashQuery();
    const param = (name: string) => this.params?.[name] ?? q.get(name) ?? undefined;
    const group = GROUPS.find((g) => g.value === param("groupBy"))?.value;
    this.form = { from: param("from") ?? this.form.from, to: param("to") ?? this.form.to, group: group ?? this.form.group, courseId: param("courseId") ?? "" };
    void this.load();
  }

  private setField(name: keyof StudioAnalytics["form"], value: string): void {
    this.form = { ...this.form, [name]: value };
  }

  private quickRange(days: number): void {
    const range = lastDays(days, viewerTimeZone());
    this.form = { ...this.form, from: range.from, to: range.to };
    void this.load();
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    void this.load();
  }

  /** Fetches the three answers for the form's range; a newer request wins over an older one still running. */
  async load(): Promise<void> {
    const range: ReportRange = { from: this.form.from, to: this.form.to, timeZone: viewerTimeZone() };
    const problems = rangeProblems(range);
    this.fieldErrors = problems;
    if (problems.from || problems.to) return;
    const { group, courseId } = this.form;
    const query = rangeParameters(range);
    if (courseId.trim()) query.set("courseId", courseId.trim());
    history.replaceState(history.state, "", `#/analytics?${new URLSearchParams({ from: range.from, to: range.to, groupBy: group, ...(courseId.trim() ? { courseId: courseId.trim() } : {}) })}`);
    const mine = ++this.request;
    this.loading = true;
    this.failure = "";
    try {
      const [daily, totals, suppressions] = await Promise.all([
        this.api.get<{ rows: RateRow[] }>(`/v1/analytics/messages?groupBy=${group},day&${query}`),
        this.api.get<{ rows: RateRow[] }>(`/v1/analytics/messages?groupBy=${group}&${query}`),
        this.api.get<{ rows: SuppressionRow[] }>(`/v1/analytics/suppressions?groupBy=day,reason,outcome&${query}`),
      ]);
      if (mine !== this.request) return;
      this.report = { range, group, courseId: courseId.trim(), daily: daily.rows, totals: totals.rows, suppressions: suppressions.rows };
    } catch (error) {
      if (mine !== this.request) return;
      this.showProblem(error);
    } finally {
      if (mine === this.request) this.loading = false;
    }
  }

  private showProblem(error: unknown): void {
    if (!(error instanceof ApiProblem)) {
      this.failure = "Something went wrong while loading the figures. Try again.";
      return;
    }
    const fields: FieldErrors = {};
    for (const name of ["from", "to", "courseId", "groupBy", "timezone"] as const) {
      const message = error.fieldMessage(`query.${name}`);
      if (message) fields[name] = message;
    }
    this.fieldErrors = fields;
    this.failure = Object.keys(fields).length ? "" : error.status === 403 ? "Your key's role may not read analytics." : error.detail;
  }

  private async download(kind: "totals" | "daily" | "suppressions"): Promise<void> {
    const report = this.report;
    if (!report) return;
    const query = rangeParameters(report.range);
    if (report.courseId) query.set("courseId", report.courseId);
    const path =
      kind === "suppressions" ? `/v1/analytics/suppressions?groupBy=day,reason,outcome&${query}` : `/v1/analytics/messages?groupBy=${report.group}${kind === "daily" ? ",day" : ""}&${query}`;
    const name = kind === "suppressions" ? "suppressions-by-day" : `messages-by-${report.group}${kind === "daily" ? "-and-day" : ""}`;
    try {
      await downloadCsv(this.api, path, `${name}-${report.range.from}-to-${report.range.to}.csv`);
    } catch (error) {
      this.showProblem(error);
    }
  }

  /** A labelled control with its hint and, when the API or the form refused it, its error beside it. */
  private field(id: string, label: string, name: "from" | "to" | "courseId", input: unknown, hint?: string) {
    const error = this.fieldErrors[name];
    return html`
      <div class="an-field">
        <label for=${id}>${label}</label>
        ${input}
        ${hint ? html`<p class="an-hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
        ${error ? html`<p class="an-error" id=${`${id}-error`}>${error}</p>` : nothing}
      </div>`;
  }

  private describedBy(id: string, name: keyof FieldErrors, hint = false): string | typeof nothing {
    return [hint ? `${id}-hint` : "", this.fieldErrors[name] ? `${id}-error` : ""].filter(Boolean).join(" ") || nothing;
  }

  protected override render() {
    const f = this.form;
    return html`
      <section class="an-view" aria-labelledby="an-title">
        <h1 id="an-title">Analytics</h1>
        <form class="an-controls" @submit=${this.onSubmit} novalidate>
          ${this.field("an-from", "From (first day)", "from", html`<input id="an-from" type="date" .value=${f.from} aria-invalid=${this.fieldErrors.from ? "true" : "false"} aria-describedby=${this.describedBy("an-from", "from")} @change=${(e: Event) => this.setField("from", (e.target as HTMLInputElement).value)} />`)}
          ${this.field("an-to", "To (last day, included)", "to", html`<input id="an-to" type="date" .value=${f.to} aria-invalid=${this.fieldErrors.to ? "true" : "false"} aria-describedby=${this.describedBy("an-to", "to")} @change=${(e: Event) => this.setField("to", (e.target as HTMLInputElement).value)} />`)}
          <div class="an-field">
            <label for="an-group">Group by</label>
            <select id="an-group" @change=${(e: Event) => this.setField("group", (e.target as HTMLSelectElement).value)}>
              ${GROUPS.map((g) => html`<option value=${g.value} ?selected=${g.value === f.group}>${g.label}</option>`)}
            </select>
          </div>
          ${this.field("an-course", "Course (optional)", "courseId", html`<input id="an-course" type="text" autocomplete="off" spellcheck="false" .value=${f.courseId} aria-invalid=${this.fieldErrors.courseId ? "true" : "false"} aria-describedby=${this.describedBy("an-course", "courseId", true)} @input=${(e: Event) => this.setField("courseId", (e.target as HTMLInputElement).value)} />`, "A course id, e.g. ml-101; empty for every course.")}
          <div class="an-actions">
            <button type="submit" class="an-primary" ?disabled=${this.loading}>Show</button>
            <button type="button" @click=${() => this.quickRange(7)}>Last 7 days</button>
            <button type="button" @click=${() => this.quickRange(30)}>Last 30 days</button>
          </div>
        </form>
        <p class="an-range">
          ${this.report ? html`Showing <strong>${describeRange(this.report.range)}</strong>${this.report.courseId ? html`, course <strong>${this.report.courseId}</strong>` : ", every course"}.` : html`Days are whole days in your time zone, ${viewerTimeZone()}; both the first and the last day are included.`}
          ${this.fieldErrors.timezone ? html`<span class="an-error">Your time zone could not be used: ${this.fieldErrors.timezone}</span>` : nothing}
        </p>
        <p class="an-status" role="status" aria-live="polite">${this.loading ? "Loading the figures…" : this.report ? "Figures loaded." : ""}</p>
        ${this.failure ? html`<p class="an-error" role="alert">${this.failure}</p>` : nothing}
        ${this.report ? this.renderReport(this.report) : this.loading ? html`<p class="an-loading">Loading…</p>` : nothing}
      </section>`;
  }

  private renderReport(report: Report) {
    const days = daysOf(report.range);
    const groupLabel = GROUPS.find((g) => g.value === report.group)!.label.toLowerCase();
    const series = messageSeries(report.daily, report.group, days);
    const summaries = messageSummaries(series, groupLabel);
    const totals = suppressionTotals(report.suppressions);
    const busy = this.loading ? "true" : "false";
    return html`
      <section class="an-panel" aria-labelledby="an-over-time" aria-busy=${busy}>
        <h2 id="an-over-time">Messages over time, by ${groupLabel}</h2>
        ${
          report.daily.length === 0
            ? html`<p class="an-empty">No message was delivered in these days${report.courseId ? " for this course" : ""}. Try a longer range or another course.</p>`
            : html`
              <div class="an-charts">
                <analytics-chart .heading=${"Delivered per day"} .kind=${"count"} .days=${days} .series=${series.delivered} .summary=${summaries.delivered}></analytics-chart>
                <analytics-chart .heading=${"Engagement rate per day"} .kind=${"rate"} .days=${days} .series=${series.engagement} .summary=${summaries.engagement}></analytics-chart>
                <analytics-chart .heading=${"Helpful rate per day"} .kind=${"rate"} .days=${days} .series=${series.helpful} .summary=${summaries.helpful}></analytics-chart>
              </div>`
        }
      </section>
      <section class="an-panel" aria-labelledby="an-totals" aria-busy=${busy}>
        <div class="an-panel-head">
          <h2 id="an-totals">Totals by ${groupLabel}</h2>
          <div class="an-actions">
            <button type="button" @click=${() => this.download("totals")} ?disabled=${!report.totals.length}>Download CSV</button>
            <button type="button" @click=${() => this.download("daily")} ?disabled=${!report.daily.length}>Download daily CSV</button>
          </div>
        </div>
        ${
          report.totals.length
            ? html`<analytics-table .caption=${`Message figures by ${groupLabel}, ${describeRange(report.range)}`} .columns=${this.totalColumns(report.group, groupLabel)} .rows=${report.totals}></analytics-table>`
            : html`<p class="an-empty">Nothing delivered in these days.</p>`
        }
      </section>
      <section class="an-panel" aria-labelledby="an-suppressions" aria-busy=${busy}>
        <div class="an-panel-head">
          <h2 id="an-suppressions">Suppressions and deferrals by reason</h2>
          <div class="an-actions"><button type="button" @click=${() => this.download("suppressions")} ?disabled=${!report.suppressions.length}>Download CSV</button></div>
        </div>
        ${
          totals.length
            ? html`
              <analytics-chart .heading=${"Suppressed or deferred per day"} .kind=${"count"} .days=${days} .series=${suppressionSeries(report.suppressions, days)} .summary=${suppressionSummary(totals)}></analytics-chart>
              <analytics-table .caption=${`Suppressions and deferrals by reason, ${describeRange(report.range)}`} .columns=${SUPPRESSION_COLUMNS} .rows=${totals}></analytics-table>`
            : html`<p class="an-empty">No message was suppressed or deferred in these days.</p>`
        }
      </section>`;
  }

  private totalColumns(group: Group, groupLabel: string): Column<RateRow>[] {
    const count = (key: keyof RateRow, label: string): Column<RateRow> => ({ key: String(key), label, numeric: true, render: (r) => formatCount(r[key] as number) });
    const engagement = (r: RateRow) => (r.delivered ? wilsonInterval(Math.round((r.engagementRate ?? 0) * r.delivered), r.delivered) : null);
    return [
      { key: group, label: groupLabel[0].toUpperCase() + groupLabel.slice(1), sortValue: (r) => formatGroup(r[group], group), render: (r) => formatGroup(r[group], group) },
      count("delivered", "Delivered"),
      count("seen", "Seen"),
      count("clicked", "Clicked"),
      count("responded", "Responded"),
      count("dismissed", "Dismissed"),
      count("helpful", "Helpful"),
      count("notHelpful", "Not helpful"),
      { key: "engagementRate", label: "Engagement rate (95% CI)", numeric: true, render: (r) => formatRateWithInterval(r.engagementRate, engagement(r), "nothing delivered") },
      { key: "helpfulRate", label: "Helpful rate (95% CI)", numeric: true, render: (r) => formatRateWithInterval(r.helpfulRate, r.helpful + r.notHelpful ? r.helpfulRateCI : null, "no votes yet") },
    ];
  }
}
