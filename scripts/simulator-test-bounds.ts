/**
 * `npx tsx scripts/simulator-test-bounds.ts [docs/simulation/latest-runs.csv]`: the bounds tests/e2e/simulator.test.ts
 * asserts, from a full run's `small` section (simulator/test-bounds.ts says how). The populations' helpful shares
 * that flat's gate bounds go by are drawn here from the seeds (nothing runs the engine).
 */
import { readFileSync } from "node:fs";
import { parseRunsCsv } from "../simulator/runs-csv";
import { START } from "../simulator/shard";
import { boundOf, formatBounds, populationShare, TEST_BOUNDS } from "../simulator/test-bounds";

const file = process.argv[2] ?? "docs/simulation/latest-runs.csv";
const rows = parseRunsCsv(readFileSync(file, "utf8"));
const origin = rows.origins.small;
if (!origin) throw new Error(`${file} has no small section`);
console.log(`From ${file}, section small (run ${origin.run}; ${origin.learners} learners × ${origin.days} days, vote threshold ${origin.votesForShare}; knobs ${origin.knobs}):`);
const shareOf = (family: string, seed: string) => populationShare(family, seed, origin.learners, START);
console.log(formatBounds(TEST_BOUNDS.map((spec) => boundOf(spec, rows.seeds, shareOf))));
