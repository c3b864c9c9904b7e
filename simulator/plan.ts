/**
 * What a simulation runs, as shards an engine each can run on its own: sections of seeds per family at one
 * scale, split so that two processes can share the work. Seeds are named per section (`s00`…, `m00`…, `l00`…),
 * so the test's seeds (`ci…`) and the tuning run's (`t…`) are never among the reported ones.
 */
import { FAMILIES } from "./families";
import type { Knobs } from "./knobs";
import type { ArmKey } from "./scenario";
import type { ArmSpec, Shard } from "./shard";

export interface Section {
  /** "main": the targets' scale; "small": the test's scale (its thresholds come from here); "lift": the coverage runs. */
  name: string;
  families: string[];
  /** Runs per family. */
  seeds: number;
  seedPrefix: string;
  learners: number;
  days: number;
  votesForShare: number;
  arms: ArmKey[];
  /** (family, seed) runs one engine takes at once: more per shard amortizes the per-hour work, fewer balances the processes. */
  runsPerShard: number;
}

export interface Plan {
  sections: Section[];
  /** The learning-model job's period in simulated hours. */
  modelEveryHours: number;
  knobs: Knobs;
}

const ALL = FAMILIES.map((f) => f.name);

/** The targets are judged here: 20 seeds per family, 500 learners over six weeks (about 3,000 votes per arm). */
export const MAIN: Section = { name: "main", families: ALL, seeds: 20, seedPrefix: "s", learners: 500, days: 42, votesForShare: 2000, arms: ["bandit", "on"], runsPerShard: 15 };
/**
 * The scale `npm test` runs at (tests/e2e/simulator.test.ts: two seeds per family, `ci…`), measured here over 20
 * seeds per family so that the test's thresholds come from a distribution rather than from one seed.
 */
export const SMALL: Section = { name: "small", families: ALL, seeds: 20, seedPrefix: "m", learners: 300, days: 12, votesForShare: 200, arms: ["bandit", "on", "split"], runsPerShard: 30 };
/** At least 200 small loop-off runs, spread over the families, for the holdout lift's coverage. */
export const LIFT: Section = { name: "lift", families: ALL, seeds: 67, seedPrefix: "l", learners: 300, days: 10, votesForShare: 0, arms: ["split"], runsPerShard: 67 };

const pad = (i: number, n: number) => String(i).padStart(String(n - 1).length, "0");

/** A section's (family, seed) runs: seed 0 of every family, then seed 1, … */
export function runsOf(section: Section): Array<{ family: string; seed: string }> {
  return Array.from({ length: section.seeds }, (_, i) => `${section.seedPrefix}${pad(i, section.seeds)}`).flatMap((seed) => section.families.map((family) => ({ family, seed })));
}

/**
 * The shards of a plan, largest first (so the processes finish close together). A shard mixes the families —
 * run i of every family, then run i + 1 — so each shard costs about the same, and the small section's shards
 * look like the test's: every family's seeds in one engine.
 */
export function planShards(plan: Plan): Shard[] {
  const shards: Shard[] = [];
  for (const section of plan.sections) {
    const runs = runsOf(section);
    for (let i = 0; i < runs.length; i += section.runsPerShard) {
      const part = runs.slice(i, i + section.runsPerShard);
      shards.push({
        name: `${section.name}/${part[0].seed}-${part[part.length - 1].seed}`,
        section: section.name,
        runs: part,
        arms: section.arms.map((arm): ArmSpec => ({ arm })),
        learners: section.learners,
        days: section.days,
        votesForShare: section.votesForShare,
        modelEveryHours: plan.modelEveryHours,
        knobs: plan.knobs,
      });
    }
  }
  const size = (s: Shard) => s.runs.length * s.arms.length * s.learners * s.days;
  return shards.sort((a, b) => size(b) - size(a));
}
