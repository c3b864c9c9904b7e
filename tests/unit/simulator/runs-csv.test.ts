import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CHOSEN_KNOBS, knobsKey } from "../../../simulator/knobs";
import { LIFT, MAIN, type Section } from "../../../simulator/plan";
import { parseRunsCsv, reusedRows, runsCsv, type RunRows } from "../../../simulator/runs-csv";
import type { SeedFigures } from "../../../simulator/summarize";

const KNOBS = knobsKey(CHOSEN_KNOBS);
const TINY: Section = { ...MAIN, name: "main", families: ["steady", "flat"], seeds: 2, seedPrefix: "s", learners: 10, days: 2, votesForShare: 5, arms: ["bandit", "on"] };
const TINY_LIFT: Section = { ...LIFT, families: ["flat"], seeds: 2, seedPrefix: "l", learners: 10, days: 2 };

const seed = (family: string, name: string, over: Partial<SeedFigures> = {}): SeedFigures => ({
  section: "main",
  family,
  seed: name,
  trueEffect: 0.1,
  best: "B",
  votes: { bandit: 12, on: 9 },
  messagesPerLearner: { bandit: 3.5, on: 2.1 },
  shareOnBest: 0.8125,
  regretRatio: 0.25,
  gateCut: -0.031847,
  gateKept: 1.020408,
  gateCutRealized: 0.1,
  gateKeptRealized: 0.95,
  paused: { bandit: [], on: ["A"] },
  ...over,
});

/** Rows covering what a run can write: no best variant, null and NaN figures, two paused variants, a lift run without an interval. */
const ROWS: RunRows = {
  seeds: [
    seed("flat", "s0", { trueEffect: 0, best: null, shareOnBest: null, regretRatio: null, paused: { bandit: ["A", "B"], on: [] } }),
    seed("flat", "s1", { trueEffect: 0, best: null, shareOnBest: null, regretRatio: null }),
    seed("steady", "s0"),
    seed("steady", "s1", { gateCut: null, gateKept: null, gateCutRealized: NaN, gateKeptRealized: Infinity }),
  ],
  lift: [
    { section: "lift", family: "flat", seed: "l0", estimate: 0.079673, interval: [-0.136389, 0.270666], trueLift: 0, covered: true, sent: 178, heldOut: 22 },
    { section: "lift", family: "flat", seed: "l1", estimate: null, interval: null, trueLift: 0.012, covered: false, sent: 3, heldOut: 0 },
  ],
  origins: {
    main: { run: "2026-12-02T09:39Z", knobs: KNOBS, learners: 10, days: 2, votesForShare: 5 },
    lift: { run: "2026-12-02", knobs: KNOBS, learners: 10, days: 2, votesForShare: 0 },
  },
};

describe("the simulator's runs CSV", () => {
  it("reads back exactly what it wrote: figures → CSV → figures → CSV", () => {
    const csv = runsCsv(ROWS);
    expect(parseRunsCsv(csv)).toEqual(ROWS);
    expect(runsCsv(parseRunsCsv(csv))).toBe(csv);
  });

  it("round-trips the recorded run (docs/simulation/latest-runs.csv) byte for byte", () => {
    const csv = readFileSync(join(__dirname, "../../../docs/simulation/latest-runs.csv"), "utf8");
    const rows = parseRunsCsv(csv);
    expect(rows.seeds.length).toBeGreaterThan(0);
    expect(rows.lift.length).toBeGreaterThan(0);
    expect(runsCsv(rows)).toBe(csv);
  });

  it("refuses a file of another layout and a section that mixes runs", () => {
    expect(() => parseRunsCsv("section,family,seed\nmain,flat,s0\n")).toThrow(/Not a runs CSV/);
    const mixed = runsCsv(ROWS).replace("2026-12-02T09:39Z", "2026-12-03T00:00Z");
    expect(() => parseRunsCsv(mixed)).toThrow(/mixes runs/);
  });

  describe("reusing sections", () => {
    const csv = runsCsv(ROWS);

    it("takes a section run with the same knobs at the same scale, with its origin", () => {
      const reused = reusedRows(csv, [TINY, TINY_LIFT], CHOSEN_KNOBS, "runs.csv");
      expect(reused).toEqual(ROWS);
      expect(reusedRows(csv, [TINY_LIFT], CHOSEN_KNOBS, "runs.csv")).toEqual({ seeds: [], lift: ROWS.lift, origins: { lift: ROWS.origins.lift } });
    });

    it("refuses other knobs, another scale, missing or extra runs, and a section the file lacks", () => {
      expect(() => reusedRows(csv, [TINY], { ...CHOSEN_KNOBS, priorStrength: 6 }, "runs.csv")).toThrow(/was run with knobs priorStrength=4 .* not knobs priorStrength=6/);
      expect(() => reusedRows(csv, [{ ...TINY, days: 3 }], CHOSEN_KNOBS, "runs.csv")).toThrow(/10 learners × 2 days, vote threshold 5, not .* 10 learners × 3 days/);
      expect(() => reusedRows(csv, [{ ...TINY, seeds: 3 }], CHOSEN_KNOBS, "runs.csv")).toThrow(/seed rows are not the plan's runs \(4 rows, 6 planned\)/);
      expect(() => reusedRows(csv, [{ ...TINY, families: ["steady"] }], CHOSEN_KNOBS, "runs.csv")).toThrow(/seed rows are not the plan's runs/);
      expect(() => reusedRows(csv, [{ ...TINY, arms: ["bandit", "on", "split"] }], CHOSEN_KNOBS, "runs.csv")).toThrow(/lift rows are not the plan's runs/);
      expect(() => reusedRows(csv, [{ ...TINY, name: "small" }], CHOSEN_KNOBS, "runs.csv")).toThrow(/runs.csv has no rows of section small/);
    });
  });
});
