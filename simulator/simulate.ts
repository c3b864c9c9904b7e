/**
 * The learner simulator, in one process: runs a plan's shards one after another on one engine and summarizes
 * them. `npm run simulate` (scripts/simulate.ts) runs the same shards in parallel processes, one engine each;
 * tests/e2e/simulator.test.ts runs a small plan here.
 */
import type { EngineContext } from "../src/context";
import type { ManualClock } from "../src/lib/clock";
import { planShards, type Plan } from "./plan";
import { runShard, type ShardResult } from "./shard";
import { summarize, type Summary } from "./summarize";

export interface SimulationResult {
  shards: ShardResult[];
  summary: Summary;
}

/** Runs every shard of `plan` on this engine (its tables are emptied before each). */
export async function simulate(ctx: EngineContext, clock: ManualClock, plan: Plan, progress?: (message: string) => void): Promise<SimulationResult> {
  const shards: ShardResult[] = [];
  for (const shard of planShards(plan)) shards.push(await runShard(ctx, clock, shard, progress));
  return { shards, summary: summarize(shards, plan.sections) };
}
