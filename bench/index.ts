/**
 * `npm run bench [name…]`: runs the benchmarks (all, or those named: ingest, matching, throttle, segments, segment-matching, e2e, standards, hostile) and
 * prints their figures. Targets are printed beside the figures, never asserted.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const BENCHES: Record<string, { file: string; fn: string }> = {
  ingest: { file: "ingest.bench.ts", fn: "runIngestBench" },
  matching: { file: "matching.bench.ts", fn: "runMatchingBench" },
  throttle: { file: "throttle.bench.ts", fn: "runThrottleBench" },
  segments: { file: "segments.bench.ts", fn: "runSegmentsBench" },
  "segment-matching": { file: "segment-matching.bench.ts", fn: "runSegmentMatchingBench" },
  e2e: { file: "e2e.bench.ts", fn: "runE2eBench" },
  standards: { file: "standards.bench.ts", fn: "runStandardsBench" },
  hostile: { file: "hostile.bench.ts", fn: "runHostileBench" },
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(", ")}`);
    const path = join(__dirname, bench.file);
    if (!existsSync(path)) {
      console.log(`\n## ${name}: not present`);
      continue;
    }
    console.log(`\n## ${name}`);
    const mod = (await import(path)) as Record<string, () => Promise<unknown>>;
    await mod[bench.fn]();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
