/**
 * (2) Redis killed mid-load and restarted EMPTY (no persistence), and Redis frozen with SIGSTOP, each for
 * CHAOS_OUTAGE_SECONDS. The engine is not restarted: every acknowledged event must still be matched and
 * delivered (Redis is never the record), ingest must never hang, and /readyz must say "not ready" while Redis
 * does not answer.
 */
import { hold, type Bench, type Check, type Scenario } from "../bench";

/**
 * Samples /readyz every 500 ms until `stop(from, to)`: of the samples whose whole check window (the request and
 * /readyz's own 1.5 s timeout, 2 s in all) lies inside [from, to], how many answered 200.
 */
function sampleReadiness(url: string): { stop(from: number, to: number): Promise<{ samples: number; ready: number }> } {
  // Fired every 500 ms without waiting for the one before: a check held by a frozen Redis must not delay the next.
  const samples: Array<Promise<{ at: number; status: number }>> = [];
  const fire = () => {
    const at = Date.now();
    samples.push(
      fetch(new URL("/readyz", url), { signal: AbortSignal.timeout(5_000) }).then(
        (r) => ({ at, status: r.status }),
        () => ({ at, status: 0 }),
      ),
    );
  };
  fire();
  const timer = setInterval(fire, 500);
  return {
    async stop(from, to) {
      clearInterval(timer);
      const inside = (await Promise.all(samples)).filter((s) => s.at >= from && s.at + 2_000 <= to);
      return { samples: inside.length, ready: inside.filter((s) => s.status === 200).length };
    },
  };
}

async function redisOutage(bench: Bench, mode: "kill" | "freeze") {
  const { url, prefix } = bench.fresh(`redis_${mode}`);
  const engine = bench.spawn({ name: `redis-${mode}-all`, role: "all", databaseUrl: url, prefix, adminKey: bench.adminKey });
  const target = await engine.url();
  await engine.ready();
  await bench.prepareContent(target);
  const db = bench.pool(url);
  const load = bench.load({ idPrefix: `redis-${mode}-${bench.runId}`, targets: () => [target] });
  load.start();
  await hold(bench.options.loadSeconds * 500);
  const outageMs = bench.options.outageSeconds * 1_000;
  const readiness = sampleReadiness(target);
  const faultStart = Date.now();
  if (mode === "kill") await bench.redis.kill();
  else bench.redis.signal("SIGSTOP");
  await hold(outageMs);
  const resumeAt = Date.now();
  if (mode === "kill") await bench.redis.restart();
  else bench.redis.signal("SIGCONT");
  const whileDown = await readiness.stop(faultStart, resumeAt);
  const recoverMs = await bench.afterFault(db, load);
  const checks: Check[] = [
    { label: `readyz 200 while down ${whileDown.ready}/${whileDown.samples}`, ok: whileDown.ready === 0 && whileDown.samples > 0 },
    { label: `hung ${load.stats.hung}`, ok: load.stats.hung === 0 },
    { label: `engine up`, ok: engine.running() },
  ];
  return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
}

export const redisKilled: Scenario = { id: "redis-kill", title: "2a Redis killed, restarted empty", run: (bench) => redisOutage(bench, "kill") };
export const redisFrozen: Scenario = { id: "redis-freeze", title: "2b Redis frozen (SIGSTOP)", run: (bench) => redisOutage(bench, "freeze") };
