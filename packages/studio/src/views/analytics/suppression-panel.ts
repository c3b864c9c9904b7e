/**
 * Suppressions and deferrals by reason: a line per reason and outcome per local day, and a sortable table
 * of the range's counts with each reason in words.
 */
import { html, type TemplateResult } from "lit";
import type { ChartSeries } from "./chart-series";
import type { Column } from "./sortable-table";
import { formatCount } from "./format";
import { describeReason, reasonLabel } from "./reasons";
import { MAX_LINES } from "./message-series";

/** One row of GET /v1/analytics/suppressions?groupBy=day,reason,outcome. */
export interface SuppressionRow {
  day?: string;
  reason: string;
  outcome: string;
  count: number;
}

export interface SuppressionTotal {
  reason: string;
  outcome: string;
  count: number;
}

/** The range's counts per reason and outcome, biggest first. */
export function suppressionTotals(rows: SuppressionRow[]): SuppressionTotal[] {
  const totals = new Map<string, SuppressionTotal>();
  for (const r of rows) {
    const key = `${r.outcome}\u0000${r.reason}`;
    const total = totals.get(key) ?? { reason: r.reason, outcome: r.outcome, count: 0 };
    total.count += r.count;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** A line per reason and outcome (the biggest few; the rest summed), counts per day. */
export function suppressionSeries(rows: SuppressionRow[], days: string[]): ChartSeries[] {
  const totals = suppressionTotals(rows);
  const shown = totals.length > MAX_LINES + 1 ? totals.slice(0, MAX_LINES) : totals;
  const rest = totals.length - shown.length;
  const label = (t: { reason: string; outcome: string }) => `${reasonLabel(t.reason)}, ${t.outcome}`;
  const series: ChartSeries[] = shown.map((t) => ({ label: label(t), values: days.map(() => 0) }));
  if (rest > 0) series.push({ label: `${rest} other reasons`, values: days.map(() => 0) });
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  for (const r of rows) {
    const d = r.day === undefined ? undefined : dayIndex.get(r.day);
    if (d === undefined) continue;
    const i = shown.findIndex((t) => t.reason === r.reason && t.outcome === r.outcome);
    const line = series[i >= 0 ? i : series.length - 1];
    line.values[d] = (line.values[d] ?? 0) + r.count;
  }
  return series;
}

/** The sentence beside the chart for readers who cannot see it. */
export function suppressionSummary(totals: SuppressionTotal[]): string {
  if (!totals.length) return "";
  const all = totals.reduce((a, t) => a + t.count, 0);
  const top = totals
    .slice(0, 3)
    .map((t) => `${reasonLabel(t.reason)} ${t.outcome}: ${formatCount(t.count)}`)
    .join("; ");
  return `${formatCount(all)} messages not sent when matched (suppressed) or sent later (deferred) over the range. Most frequent: ${top}.`;
}

export const SUPPRESSION_COLUMNS: Column<SuppressionTotal>[] = [
  { key: "reason", label: "Reason", sortValue: (r) => reasonLabel(r.reason), render: (r) => reasonLabel(r.reason) },
  { key: "outcome", label: "Outcome", render: (r) => (r.outcome === "deferred" ? "Deferred (sent later)" : r.outcome === "suppressed" ? "Suppressed (not sent)" : r.outcome) },
  { key: "count", label: "Count", numeric: true, render: (r) => formatCount(r.count) },
  { key: "meaning", label: "What it means", sortValue: (r) => describeReason(r.reason), render: (r): TemplateResult => html`${describeReason(r.reason)}` },
];
