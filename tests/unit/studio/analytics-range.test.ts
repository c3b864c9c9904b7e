/**
 * The studio's analytics range and lines (pure): whole local days with both ends included, sent to the API as
 * a half-open range in the viewer's zone; calendar arithmetic across month, year and DST changes; and the
 * "other groups" line recomputing its rates from summed counts instead of averaging rates.
 */
import { addDays, daysOf, describeRange, lastDays, rangeParameters, rangeProblems, todayIn } from "../../../packages/studio/src/views/analytics/report-range";
import { MAX_LINES, messageSeries, type RateRow } from "../../../packages/studio/src/views/analytics/message-series";
import { wilsonInterval } from "../../../src/analytics/stats/wilson";

describe("the analytics range", () => {
  it("sends the day after the last day, with the viewer's zone, so the last day is included", () => {
    const params = rangeParameters({ from: "2026-11-30", to: "2026-11-30", timeZone: "Asia/Tokyo" });
    expect(Object.fromEntries(params)).toEqual({ from: "2026-11-30", to: "2026-12-01", timezone: "Asia/Tokyo" });
    expect(describeRange({ from: "2026-11-30", to: "2026-11-30", timeZone: "Asia/Tokyo" })).toMatch(/\(one day\), in your time zone, Asia\/Tokyo$/);
  });

  it("counts calendar days across month ends, leap days, year ends and DST changes", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysOf({ from: "2026-10-24", to: "2026-10-26" })).toEqual(["2026-10-24", "2026-10-25", "2026-10-26"]); // Europe's clocks go back on the 25th
    expect(daysOf({ from: "2026-03-28", to: "2026-03-30" })).toHaveLength(3);
  });

  it("takes today and the last n days in the viewer's zone, not the machine's", () => {
    const instant = new Date("2026-11-30T23:30:00Z");
    expect(todayIn("Asia/Tokyo", instant)).toBe("2026-12-01");
    expect(todayIn("America/Los_Angeles", instant)).toBe("2026-11-30");
    expect(lastDays(7, "Asia/Tokyo", instant)).toEqual({ from: "2026-11-25", to: "2026-12-01", timeZone: "Asia/Tokyo" });
  });

  it("names the field that is wrong", () => {
    expect(rangeProblems({ from: "", to: "2026-11-30" })).toEqual({ from: "Choose a start date." });
    expect(rangeProblems({ from: "2026-11-30", to: "2026-11-01" })).toEqual({ to: "The end date is before the start date." });
    expect(rangeProblems({ from: "2020-01-01", to: "2026-01-01" }).to).toMatch(/at most 366 days/);
    expect(rangeProblems({ from: "2026-11-01", to: "2026-11-30" })).toEqual({});
  });
});

describe("the chart lines", () => {
  const row = (template: string, day: string, delivered: number, engaged: number, helpful: number, notHelpful: number): RateRow => ({
    template,
    day,
    delivered,
    seen: 0,
    clicked: 0,
    dismissed: 0,
    responded: 0,
    helpful,
    notHelpful,
    engagementRate: delivered ? engaged / delivered : null,
    helpfulRate: helpful + notHelpful ? helpful / (helpful + notHelpful) : null,
    helpfulRateCI: wilsonInterval(helpful, helpful + notHelpful),
  });

  it("gives every day a value, a gap where nothing was delivered, and Wilson bounds", () => {
    const lines = messageSeries([row("t", "2026-11-02", 10, 4, 3, 1)], "template", ["2026-11-01", "2026-11-02"]);
    expect(lines.delivered).toEqual([{ label: "t", values: [0, 10] }]);
    expect(lines.engagement[0].values).toEqual([null, 0.4]);
    expect(lines.helpful[0].lo![1]).toBeCloseTo(wilsonInterval(3, 4)[0], 10);
    expect(lines.helpful[0].hi![0]).toBeNull();
  });

  it("sums the smaller groups into one line whose rate comes from the summed counts, not an average of rates", () => {
    const day = "2026-11-01";
    const rows = Array.from({ length: MAX_LINES + 2 }, (_, i) => row(`big-${i}`, day, 1000 - i, 0, 0, 0));
    rows.push(row("tiny-a", day, 1, 1, 1, 0), row("tiny-b", day, 99, 0, 0, 99));
    const lines = messageSeries(rows, "template", [day]);
    expect(lines.delivered.map((l) => l.label)).toEqual([...Array.from({ length: MAX_LINES }, (_, i) => `big-${i}`), "4 other templates"]);
    const other = lines.helpful[MAX_LINES];
    expect(other.values[0]).toBeCloseTo(1 / 100, 10); // not the mean of 100% and 0%
    expect(lines.delivered[MAX_LINES].values[0]).toBe(1000 - MAX_LINES + 1000 - MAX_LINES - 1 + 1 + 99);
  });

  it("labels rows without a group in words", () => {
    expect(messageSeries([{ ...row("x", "2026-11-01", 1, 0, 0, 0), segment: null }], "segment", ["2026-11-01"]).delivered[0].label).toBe("(no segment)");
  });
});
