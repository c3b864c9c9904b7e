/**
 * The per-run rows of a simulation (…-runs.csv) both ways: written after a run, and read back so that a later
 * run can reuse some sections instead of running them again (`npm run simulate -- --sections small --reuse
 * main,lift`). Every row names the run that produced it and what that run ran with (knobs, learners, days,
 * vote threshold), so a reused section is refused unless it was run exactly as the plan asks now, and the
 * report can say where each section's figures come from.
 */
import { knobsKey, type Knobs } from "./knobs";
import { runsOf, type Section } from "./plan";
import type { SimVariant } from "./population";
import { csvLine } from "./report";
import type { ArmKey } from "./scenario";
import type { LiftRun, SeedFigures } from "./summarize";

/** What produced a section's rows: the run (when it started) and the knobs and scale it ran at. */
export interface SectionOrigin {
  run: string;
  /** knobsKey() of the run's knobs. */
  knobs: string;
  learners: number;
  days: number;
  votesForShare: number;
}

export interface RunRows {
  seeds: SeedFigures[];
  lift: LiftRun[];
  /** Per section present in the rows. */
  origins: Record<string, SectionOrigin>;
}

const COLUMNS = [
  "section",
  "family",
  "seed",
  "true_effect",
  "best",
  "votes_bandit",
  "votes_on",
  "messages_per_learner_bandit",
  "messages_per_learner_on",
  "share_on_best",
  "regret_ratio",
  "gate_cut",
  "gate_kept",
  "gate_cut_realized",
  "gate_kept_realized",
  "paused_bandit",
  "paused_on",
  "lift_estimate",
  "lift_low",
  "lift_high",
  "true_lift",
  "covered",
  "sent",
  "held_out",
  "run",
  "knobs",
  "learners",
  "days",
  "votes_for_share",
] as const;
type Column = (typeof COLUMNS)[number];
/** The seed arms a row has columns for (the loop-off "split" arm is reported as lift rows). */
const SEED_ARMS = ["bandit", "on"] as const satisfies readonly ArmKey[];

/** One row per seed (sections with bandit or loop-on arms) and per loop-off run (lift), each with its section's origin. */
export function runsCsv(rows: RunRows): string {
  const origin = (section: string) => {
    const o = rows.origins[section];
    if (!o) throw new Error(`No origin for section ${section}`);
    return [o.run, o.knobs, o.learners, o.days, o.votesForShare];
  };
  const lines = [csvLine([...COLUMNS])];
  for (const s of rows.seeds) {
    lines.push(
      csvLine([
        s.section,
        s.family,
        s.seed,
        s.trueEffect,
        s.best,
        s.votes.bandit,
        s.votes.on,
        s.messagesPerLearner.bandit,
        s.messagesPerLearner.on,
        s.shareOnBest,
        s.regretRatio,
        s.gateCut,
        s.gateKept,
        s.gateCutRealized,
        s.gateKeptRealized,
        s.paused.bandit?.join(" "),
        s.paused.on?.join(" "),
        ...Array(7).fill(""),
        ...origin(s.section),
      ]),
    );
  }
  for (const l of rows.lift) {
    lines.push(csvLine([l.section, l.family, l.seed, ...Array(14).fill(""), l.estimate, l.interval?.[0], l.interval?.[1], l.trueLift, l.covered, l.sent, l.heldOut, ...origin(l.section)]));
  }
  return lines.join("\n") + "\n";
}

/** Cells of one CSV line as csvLine writes them (quoted when they hold a comma, quote or newline). */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = "",
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

/** The rows of a …-runs.csv written by runsCsv; throws on any other layout. */
export function parseRunsCsv(text: string): RunRows {
  const [header, ...lines] = text.split("\n").filter((l) => l !== "");
  if (header !== csvLine([...COLUMNS])) throw new Error(`Not a runs CSV of this version (expected the columns ${COLUMNS.join(",")})`);
  const out: RunRows = { seeds: [], lift: [], origins: {} };
  for (const [i, line] of lines.entries()) {
    const cells = cellsOf(line);
    if (cells.length !== COLUMNS.length) throw new Error(`Runs CSV line ${i + 2}: ${cells.length} cells, expected ${COLUMNS.length}`);
    const get = (c: Column) => cells[COLUMNS.indexOf(c)];
    // A figure can be NaN (a ratio of zero to zero at a tiny scale): written as "NaN", read back as NaN.
    const number = (c: Column): number => {
      const x = Number(get(c));
      if (get(c) === "" || (Number.isNaN(x) && get(c) !== "NaN")) throw new Error(`Runs CSV line ${i + 2}: ${c} is not a number (${get(c)})`);
      return x;
    };
    const orNull = (c: Column) => (get(c) === "" ? null : number(c));
    const section = get("section"),
      family = get("family"),
      seed = get("seed");
    const origin: SectionOrigin = { run: get("run"), knobs: get("knobs"), learners: number("learners"), days: number("days"), votesForShare: number("votes_for_share") };
    const known = (out.origins[section] ??= origin);
    if (JSON.stringify(known) !== JSON.stringify(origin)) throw new Error(`Runs CSV line ${i + 2}: section ${section} mixes runs (${JSON.stringify(known)} and ${JSON.stringify(origin)})`);
    if (get("true_lift") !== "") {
      const low = orNull("lift_low"),
        high = orNull("lift_high");
      out.lift.push({
        section,
        family,
        seed,
        estimate: orNull("lift_estimate"),
        interval: low === null || high === null ? null : [low, high],
        trueLift: number("true_lift"),
        covered: get("covered") === "true",
        sent: number("sent"),
        heldOut: number("held_out"),
      });
      continue;
    }
    const best = get("best");
    if (best !== "" && best !== "A" && best !== "B") throw new Error(`Runs CSV line ${i + 2}: best variant ${best}`);
    const seedRow: SeedFigures = {
      section,
      family,
      seed,
      trueEffect: number("true_effect"),
      best: best === "" ? null : (best as SimVariant),
      votes: {},
      messagesPerLearner: {},
      shareOnBest: orNull("share_on_best"),
      regretRatio: orNull("regret_ratio"),
      gateCut: orNull("gate_cut"),
      gateKept: orNull("gate_kept"),
      gateCutRealized: orNull("gate_cut_realized"),
      gateKeptRealized: orNull("gate_kept_realized"),
      paused: {},
    };
    // An arm the run had always has a vote count; its paused variants are a space-separated list, possibly empty.
    for (const arm of SEED_ARMS) {
      const votes = orNull(`votes_${arm}`);
      if (votes === null) continue;
      seedRow.votes[arm] = votes;
      seedRow.messagesPerLearner[arm] = number(`messages_per_learner_${arm}`);
      seedRow.paused[arm] = get(`paused_${arm}`) === "" ? [] : get(`paused_${arm}`).split(" ");
    }
    out.seeds.push(seedRow);
  }
  return out;
}

/**
 * `sections`' rows from a previous run's …-runs.csv, for a run that reuses them instead of running them: refused
 * unless each section is there, was run with `knobs` at the section's scale, and has exactly the section's runs.
 */
export function reusedRows(text: string, sections: Section[], knobs: Knobs, from: string): RunRows {
  const all = parseRunsCsv(text);
  const out: RunRows = { seeds: [], lift: [], origins: {} };
  for (const section of sections) {
    const origin = all.origins[section.name];
    if (!origin) throw new Error(`${from} has no rows of section ${section.name}: run it instead of reusing it`);
    const asked: SectionOrigin = { run: origin.run, knobs: knobsKey(knobs), learners: section.learners, days: section.days, votesForShare: section.votesForShare };
    if (JSON.stringify(origin) !== JSON.stringify(asked)) {
      throw new Error(`Section ${section.name} in ${from} was run with ${describe(origin)}, not ${describe(asked)}: run it instead of reusing it`);
    }
    const seeds = all.seeds.filter((s) => s.section === section.name);
    const lift = all.lift.filter((l) => l.section === section.name);
    const planned = runsOf(section)
      .map((r) => `${r.family}/${r.seed}`)
      .sort();
    const expect = (what: string, rows: Array<{ family: string; seed: string }>, wanted: boolean) => {
      const found = rows.map((r) => `${r.family}/${r.seed}`).sort();
      if (found.join() !== (wanted ? planned : []).join())
        throw new Error(`Section ${section.name} in ${from}: its ${what} rows are not the plan's runs (${found.length} rows, ${wanted ? planned.length : 0} planned)`);
    };
    expect(
      "seed",
      seeds,
      section.arms.some((a) => a !== "split"),
    );
    expect("lift", lift, section.arms.includes("split"));
    out.seeds.push(...seeds);
    out.lift.push(...lift);
    out.origins[section.name] = origin;
  }
  return out;
}

const describe = (o: SectionOrigin) => `knobs ${o.knobs}, ${o.learners} learners × ${o.days} days, vote threshold ${o.votesForShare}`;
