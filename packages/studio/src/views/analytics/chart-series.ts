/** A line of a chart: one value per day (null: no data that day), and for rates the 95% interval's bounds. */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  lo?: Array<number | null>;
  hi?: Array<number | null>;
}
