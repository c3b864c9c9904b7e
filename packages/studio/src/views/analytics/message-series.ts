/**
 * Turns the API's per-group, per-day rows into chart lines: delivered, engagement rate and helpful rate per
 * local day, each rate with its Wilson 95% interval. The biggest groups get a line each; the rest are summed
 * into one "other" line, its rates recomputed from the summed counts (averaging rates would be wrong).
 */
import { wilsonInterval } from "../../../../../src/analytics/stats/wilson";
import type { ChartSeries } from "./chart-series";
import { formatGroup } from "./format";

/** One row of GET /v1/analytics/messages. */
export interface RateRow {
  [group: string]: unknown;
  day?: string;
  delivered: number;
  seen: number;
  clicked: number;
  dismissed: number;
  responded: number;
  helpful: number;
  notHelpful: number;
  engagementRate: number | null;
  helpfulRate: number | null;
  helpfulRateCI: [number, number];
}

interface Counts {
  delivered: number;
  engaged: number;
  helpful: number;
  notHelpful: number;
}

/** Lines drawn before the rest are summed as "other groups". */
export const MAX_LINES = 5;

const engagedOf = (r: RateRow) => Math.round((r.engagementRate ?? 0) * r.delivered);

/** The delivered, engagement-rate and helpful-rate lines for `days`, grouped by `group`. */
export function messageSeries(rows: RateRow[], group: string, days: string[]): { delivered: ChartSeries[]; engagement: ChartSeries[]; helpful: ChartSeries[] } {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(formatGroup(r[group], group), (totals.get(formatGroup(r[group], group)) ?? 0) + r.delivered);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label]) => label);
  const shown = ranked.length > MAX_LINES + 1 ? ranked.slice(0, MAX_LINES) : ranked;
  const others = ranked.length - shown.length;
  const labels = others > 0 ? [...shown, `${others} other ${group}s`] : shown;
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const cells: Counts[][] = labels.map(() => days.map(() => ({ delivered: 0, engaged: 0, helpful: 0, notHelpful: 0 })));
  for (const r of rows) {
    const d = r.day === undefined ? undefined : dayIndex.get(r.day);
    if (d === undefined) continue;
    const label = formatGroup(r[group], group);
    const line = shown.includes(label) ? shown.indexOf(label) : labels.length - 1;
    const cell = cells[line][d];
    cell.delivered += r.delivered;
    cell.engaged += engagedOf(r);
    cell.helpful += r.helpful;
    cell.notHelpful += r.notHelpful;
  }
  const rate = (x: number, n: number) => (n > 0 ? x / n : null);
  const interval = (x: number, n: number, side: 0 | 1) => (n > 0 ? wilsonInterval(x, n)[side] : null);
  return {
    delivered: labels.map((label, i) => ({ label, values: cells[i].map((c) => c.delivered) })),
    engagement: labels.map((label, i) => ({
      label,
      values: cells[i].map((c) => rate(c.engaged, c.delivered)),
      lo: cells[i].map((c) => interval(c.engaged, c.delivered, 0)),
      hi: cells[i].map((c) => interval(c.engaged, c.delivered, 1)),
    })),
    helpful: labels.map((label, i) => ({
      label,
      values: cells[i].map((c) => rate(c.helpful, c.helpful + c.notHelpful)),
      lo: cells[i].map((c) => interval(c.helpful, c.helpful + c.notHelpful, 0)),
      hi: cells[i].map((c) => interval(c.helpful, c.helpful + c.notHelpful, 1)),
    })),
  };
}

/** One sentence per chart for readers who cannot see it: the range's totals and overall rates per line. */
export function messageSummaries(series: ReturnType<typeof messageSeries>, groupLabel: string): { delivered: string; engagement: string; helpful: string } {
  const sum = (values: Array<number | null>) => values.reduce<number>((a, v) => a + (v ?? 0), 0);
  const delivered = series.delivered.map((s) => `${s.label}: ${sum(s.values).toLocaleString()}`).join("; ");
  const peak = (s: ChartSeries) => {
    const present = s.values.map((v, i) => [v, i] as const).filter(([v]) => v !== null) as Array<readonly [number, number]>;
    if (!present.length) return `${s.label}: no data`;
    const [lo, hi] = [Math.min(...present.map(([v]) => v)), Math.max(...present.map(([v]) => v))];
    return Math.round(lo * 100) === Math.round(hi * 100)
      ? `${s.label}: ${Math.round(lo * 100)}% on every day with data`
      : `${s.label}: between ${Math.round(lo * 100)}% and ${Math.round(hi * 100)}% on the days with data`;
  };
  return {
    delivered: series.delivered.length ? `Messages delivered per day by ${groupLabel}, totals for the range: ${delivered}.` : "",
    engagement: series.engagement.length ? `Engagement rate per day (click, response or vote ÷ delivered), shaded: 95% interval. ${series.engagement.map(peak).join("; ")}.` : "",
    helpful: series.helpful.length ? `Helpful rate per day (helpful ÷ votes), shaded: 95% interval. ${series.helpful.map(peak).join("; ")}.` : "",
  };
}
