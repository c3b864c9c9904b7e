/** The simulation's output: a table for people, CSV for the record (docs/simulation/; the per-run rows: runs-csv.ts). */
import { TUNING_FAMILY } from "./families";
import type { Section } from "./plan";
import type { Distribution, Metric, Summary, Target } from "./summarize";

const LABELS: Record<Metric, string> = {
  shareOnBest: "bandit: share on best after the vote threshold",
  regretRatio: "bandit: regret ÷ split's",
  gateCut: "gate: not-helpful cut (expected)",
  gateKept: "gate: helpful kept (expected)",
  gateCutRealized: "gate: not-helpful cut (realized)",
  gateKeptRealized: "gate: helpful kept (realized)",
  noPause: "no variant paused (1 = none)",
  votesBandit: "votes, bandit arm",
  messagesPerLearner: "messages per learner, bandit arm",
  coverage: "lift interval coverage",
};

const PERCENT: Metric[] = ["shareOnBest", "gateCut", "gateKept", "gateCutRealized", "gateKeptRealized", "coverage"];
const fmt = (metric: Metric, x: number | null) =>
  x === null ? "—" : PERCENT.includes(metric) ? `${(x * 100).toFixed(1)}%` : metric === "votesBandit" ? x.toFixed(0) : x.toFixed(metric === "regretRatio" ? 3 : 2);

/** The run's report as text. */
export function formatReport(summary: Summary, sections: Section[], about: string[]): string {
  const lines: string[] = [...about, ""];
  lines.push("Targets (fixed before the run, docs/learning-loop.md). * = the tuning family: its figures are in sample.");
  for (const t of summary.targets)
    lines.push(`  ${t.met ? "MET    " : "NOT MET"}  ${(t.family + (t.family === TUNING_FAMILY ? "*" : "")).padEnd(10)} ${t.name}: ${targetValue(t)} (target ${targetText(t)})`);
  for (const section of sections.filter((s) => summary.distributions.some((d) => d.section === s.name))) {
    lines.push("", `Distributions over seeds — ${section.name}: ${section.seeds} seeds per family, ${section.learners} learners × ${section.days} days, vote threshold ${section.votesForShare}`);
    lines.push(`  ${"family".padEnd(10)} ${"metric".padEnd(46)} ${"n".padStart(3)} ${["median", "p10", "p90", "p5", "p95", "min", "max"].map((h) => h.padStart(8)).join(" ")}`);
    for (const d of summary.distributions.filter((x) => x.section === section.name)) {
      const cells = (["median", "p10", "p90", "p5", "p95", "min", "max"] as const).map((k) => fmt(d.metric, d.distribution[k]).padStart(8));
      lines.push(`  ${d.family.padEnd(10)} ${LABELS[d.metric].padEnd(46)} ${String(d.distribution.n).padStart(3)} ${cells.join(" ")}`);
    }
  }
  for (const [section, c] of Object.entries(summary.coverage)) {
    const scale = sections.find((s) => s.name === section);
    lines.push(
      "",
      `Holdout lift — ${section} (${scale?.learners} learners × ${scale?.days} days, loop off): the engine's 95% interval covered the true lift in ${c.covered} of ${c.runs} runs = ${fmt("coverage", c.rate)} (Wilson 95% interval of the coverage: ${fmt("coverage", c.interval[0])} – ${fmt("coverage", c.interval[1])})`,
    );
    for (const [family, cell] of Object.entries(c.byFamily)) lines.push(`  ${family.padEnd(10)} ${cell.covered} of ${cell.runs}`);
    const missing = summary.lift.filter((l) => l.section === section).length - c.runs;
    if (missing) lines.push(`  (${missing} runs had no interval: an arm without learners whose window had closed)`);
  }
  return lines.join("\n");
}

function targetValue(t: Target): string {
  if (t.statistic === "coverage interval") return `${fmt("coverage", t.value)} [${t.interval!.map((x) => fmt("coverage", x)).join(", ")}]`;
  if (t.statistic === "share of seeds") return fmt("coverage", t.value);
  return fmt(t.metric, t.value);
}

function targetText(t: Target): string {
  if (t.comparator === "contains") return `interval contains ${t.threshold}`;
  return `${t.statistic} ${t.comparator === ">=" ? "≥" : "≤"} ${t.metric === "regretRatio" ? `${t.threshold}×` : fmt("coverage", t.threshold)}`;
}

const csvCell = (x: unknown) => {
  const text = x === null || x === undefined ? "" : typeof x === "number" ? String(Number(x.toFixed(6))) : String(x);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
export const csvLine = (cells: unknown[]) => cells.map(csvCell).join(",");

/** One row per (section, family, metric) with its distribution over seeds, and the target judged on it, if any. */
export function distributionsCsv(summary: Summary): string {
  const rows = [csvLine(["section", "family", "metric", "n", "mean", "median", "p5", "p10", "p90", "p95", "min", "max", "target", "met"])];
  for (const d of summary.distributions) {
    const judged = d.section === "main" ? summary.targets.filter((t) => t.family === d.family && t.metric === d.metric) : [];
    const x: Distribution = d.distribution;
    rows.push(
      csvLine([
        d.section,
        d.family,
        d.metric,
        x.n,
        x.mean,
        x.median,
        x.p5,
        x.p10,
        x.p90,
        x.p95,
        x.min,
        x.max,
        judged.map(targetText).join("; "),
        judged.map((t) => (t.met ? "met" : "not met")).join("; "),
      ]),
    );
  }
  for (const [section, c] of Object.entries(summary.coverage)) {
    const t = section === "lift" ? summary.targets.find((x) => x.metric === "coverage") : undefined;
    rows.push(
      csvLine([
        section,
        "all",
        "coverage",
        c.runs,
        c.rate,
        "",
        "",
        "",
        "",
        "",
        c.interval[0],
        c.interval[1],
        t ? "Wilson 95% interval of the coverage (min, max columns) contains 0.95" : "Wilson 95% interval in the min, max columns",
        t ? (t.met ? "met" : "not met") : "",
      ]),
    );
  }
  return rows.join("\n") + "\n";
}
