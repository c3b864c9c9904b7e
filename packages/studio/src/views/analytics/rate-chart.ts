/**
 * <analytics-chart>: one figure per day drawn with uPlot — a line per group, and where the series carries a
 * 95% interval, a shaded band between its bounds. The canvas is hidden from assistive technology; the text
 * alternative is the summary sentence and the same figures as a table (in a disclosure, keyboard-operable).
 * Colours are the Okabe–Ito palette (safe for colour-blind readers) and each line has its own dash pattern.
 */
import { LitElement, html, nothing } from "lit";
import uPlot from "uplot";
import { formatCount, formatInterval, formatRate, formatShortDay, formatDay } from "./format";
import type { ChartSeries } from "./chart-series";

export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2], [12, 6]];
const HEIGHT = 220;

let charts = 0;

/** "#0072B2" with an alpha, for the interval band. */
function translucent(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export class AnalyticsChart extends LitElement {
  static override properties = {
    heading: {},
    days: { attribute: false },
    series: { attribute: false },
    kind: {},
    summary: {},
  };

  declare heading: string;
  declare days: string[];
  declare series: ChartSeries[];
  declare kind: "count" | "rate";
  declare summary: string;
  private plot: uPlot | null = null;
  private resizer: ResizeObserver | null = null;
  private readonly headingId = `analytics-chart-${++charts}`;

  constructor() {
    super();
    this.heading = "";
    this.days = [];
    this.series = [];
    this.kind = "count";
    this.summary = "";
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.resizer = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private format(value: number | null | undefined): string {
    if (value === null || value === undefined) return this.kind === "rate" ? "n/a" : "0";
    return this.kind === "rate" ? formatRate(value) : formatCount(value);
  }

  protected override render() {
    const hasData = this.series.some((s) => s.values.some((v) => v !== null && v !== undefined));
    return html`
      <figure class="an-chart" aria-labelledby=${this.headingId}>
        <figcaption>
          <h3 id=${this.headingId} class="an-chart-title">${this.heading}</h3>
          ${this.summary ? html`<p class="an-chart-summary">${this.summary}</p>` : nothing}
        </figcaption>
        ${
          hasData
            ? html`
              <ul class="an-legend">
                ${this.series.map((s, i) => html`<li><span class="an-swatch" aria-hidden="true" style="border-color: ${PALETTE[i % PALETTE.length]}; border-top-style: ${i === 0 ? "solid" : "dashed"}"></span>${s.label}</li>`)}
              </ul>
              <div class="an-plot" aria-hidden="true"></div>
              <details class="an-chart-data">
                <summary>${this.heading}: the figures as a table</summary>
                ${this.dataTable()}
              </details>`
            : html`<p class="an-empty">Nothing to draw for these days.</p>`
        }
      </figure>`;
  }

  private dataTable() {
    return html`
      <div class="an-table-scroll" role="region" aria-label=${`${this.heading}, by day`} tabindex="0">
        <table class="an-table">
          <thead><tr><th scope="col">Day</th>${this.series.map((s) => html`<th scope="col" class="an-num">${s.label}</th>`)}</tr></thead>
          <tbody>
            ${this.days.map(
              (day, d) => html`
              <tr>
                <th scope="row">${formatDay(day)}</th>
                ${this.series.map((s) => {
                  const lo = s.lo?.[d],
                    hi = s.hi?.[d],
                    v = s.values[d];
                  return html`<td class="an-num">${this.format(v)}${v !== null && v !== undefined && lo != null && hi != null ? html` <span class="an-ci">(${formatInterval([lo, hi])})</span>` : nothing}</td>`;
                })}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  protected override updated(): void {
    this.plot?.destroy();
    this.plot = null;
    const target = this.querySelector<HTMLElement>(".an-plot");
    if (!target) return;
    const width = Math.max(200, target.clientWidth || this.clientWidth || 320);
    this.plot = new uPlot(this.options(width), this.data(), target);
    if (!this.resizer) {
      this.resizer = new ResizeObserver(() => {
        const plotArea = this.querySelector<HTMLElement>(".an-plot");
        if (this.plot && plotArea && plotArea.clientWidth > 0 && Math.abs(plotArea.clientWidth - this.plot.width) > 1) this.plot.setSize({ width: plotArea.clientWidth, height: HEIGHT });
      });
      this.resizer.observe(this);
    }
  }

  private data(): uPlot.AlignedData {
    const xs = this.days.map((_, i) => i);
    const lines = this.series.map((s) => s.values.map((v) => (v === undefined ? null : v)));
    const bounds = this.series.flatMap((s) => (s.lo && s.hi ? [s.hi, s.lo] : []));
    return [xs, ...lines, ...bounds] as uPlot.AlignedData;
  }

  private options(width: number): uPlot.Options {
    const days = this.days;
    const rate = this.kind === "rate";
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    this.series.forEach((s, i) => {
      const colour = PALETTE[i % PALETTE.length];
      series.push({ label: s.label, stroke: colour, width: 2, dash: DASHES[i % DASHES.length], spanGaps: false, points: { show: days.length <= 45, size: 5, fill: colour } });
    });
    let next = series.length;
    this.series.forEach((s, i) => {
      if (!s.lo || !s.hi) return;
      const colour = PALETTE[i % PALETTE.length];
      series.push({ label: `${s.label} upper`, stroke: "transparent", width: 0, points: { show: false } }, { label: `${s.label} lower`, stroke: "transparent", width: 0, points: { show: false } });
      bands.push({ series: [next, next + 1], fill: translucent(colour, 0.14) });
      next += 2;
    });
    return {
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(days.length - 0.5, 0.5)] },
        y: rate ? { range: [0, 1] } : { range: (_u, _min, max) => [0, Math.max(4, Math.ceil((max || 0) * 1.1))] },
      },
      axes: [
        {
          stroke: "#333",
          grid: { stroke: "#e5e5e5" },
          space: 56,
          incrs: [1, 2, 3, 7, 14, 28, 56, 91],
          values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && days[i] ? formatShortDay(days[i]) : "")),
        },
        { stroke: "#333", grid: { stroke: "#e5e5e5" }, size: 56, values: (_u, splits) => splits.map((v) => (rate ? `${Math.round(v * 100)}%` : Number.isInteger(v) ? formatCount(v) : "")) },
      ],
      series,
      bands,
    };
  }
}
