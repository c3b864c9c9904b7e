/**
 * <analytics-table>: a table whose columns sort with a button in each header (keyboard-operable, the state in
 * aria-sort and announced), inside its own scrolling region so a wide table never widens the page at 390 px.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";

export interface Column<R> {
  key: string;
  label: string;
  /** Right-aligned, and sorts descending first (biggest first is what one looks for). */
  numeric?: boolean;
  /** The value sorted by (default: row[key]). Missing values sort last either way. */
  sortValue?: (row: R) => number | string | null | undefined;
  /** What the cell shows (default: the value as text). */
  render?: (row: R) => TemplateResult | string;
}

type Direction = "ascending" | "descending";

let tables = 0;

export class AnalyticsTable<R extends object = Record<string, unknown>> extends LitElement {
  static override properties = {
    columns: { attribute: false },
    rows: { attribute: false },
    caption: {},
    sortKey: { state: true },
    direction: { state: true },
    announcement: { state: true },
  };

  declare columns: Column<R>[];
  declare rows: R[];
  declare caption: string;
  declare sortKey: string | null;
  declare direction: Direction;
  declare announcement: string;
  private readonly captionId = `analytics-table-${++tables}`;

  constructor() {
    super();
    this.columns = [];
    this.rows = [];
    this.caption = "";
    this.sortKey = null;
    this.direction = "descending";
    this.announcement = "";
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Sorts by a column (a second press on the same column reverses it). */
  sortBy(key: string): void {
    const column = this.columns.find((c) => c.key === key);
    if (!column) return;
    this.direction = this.sortKey === key ? (this.direction === "ascending" ? "descending" : "ascending") : column.numeric ? "descending" : "ascending";
    this.sortKey = key;
    this.announcement = `Sorted by ${column.label}, ${this.direction}`;
  }

  private sorted(): R[] {
    const column = this.columns.find((c) => c.key === this.sortKey);
    if (!column) return this.rows;
    const value = column.sortValue ?? ((row: R) => (row as Record<string, unknown>)[column.key] as number | string | null | undefined);
    const sign = this.direction === "ascending" ? 1 : -1;
    return [...this.rows].sort((a, b) => {
      const x = value(a),
        y = value(b);
      const missingX = x === null || x === undefined,
        missingY = y === null || y === undefined;
      if (missingX || missingY) return missingX === missingY ? 0 : missingX ? 1 : -1;
      if (typeof x === "number" && typeof y === "number") return (x - y) * sign;
      return String(x).localeCompare(String(y), undefined, { numeric: true }) * sign;
    });
  }

  private cell(column: Column<R>, row: R): TemplateResult | string {
    if (column.render) return column.render(row);
    const v = (row as Record<string, unknown>)[column.key];
    return v === null || v === undefined ? "" : String(v);
  }

  protected override render() {
    const [first, ...rest] = this.columns;
    if (!first) return nothing;
    return html`
      <div class="an-table-scroll" role="region" aria-labelledby=${this.captionId} tabindex="0">
        <table class="an-table">
          <caption id=${this.captionId}>${this.caption}</caption>
          <thead>
            <tr>
              ${this.columns.map(
                (c) => html`
                <th scope="col" class=${c.numeric ? "an-num" : ""} aria-sort=${this.sortKey === c.key ? this.direction : "none"}>
                  <button type="button" class="an-sort" @click=${() => this.sortBy(c.key)}>
                    ${c.label}<span class="an-sort-mark" aria-hidden="true">${this.sortKey === c.key ? (this.direction === "ascending" ? "▲" : "▼") : "↕"}</span>
                  </button>
                </th>`,
              )}
            </tr>
          </thead>
          <tbody>
            ${this.sorted().map(
              (row) => html`
              <tr>
                <th scope="row">${this.cell(first, row)}</th>
                ${rest.map((c) => html`<td class=${c.numeric ? "an-num" : ""}>${this.cell(c, row)}</td>`)}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <p class="an-visually-hidden" role="status">${this.announcement}</p>`;
  }
}
