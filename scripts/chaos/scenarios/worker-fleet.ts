/**
 * (4) 2 API and 2 worker processes under load: one worker SIGTERMed (it finishes or returns its jobs), the other
 * SIGKILLed (its jobs come back through BullMQ's stalled-job check or the sweeper), a new worker started.
 */
import { hold, type Scenario } from "../bench";

export const workerFleet: Scenario = {
  id: "worker-fleet",
  title: "4 2 API + 2 workers, SIGTERM + SIGKILL workers",
  async run(bench) {
    const { url, prefix } = bench.fresh("fleet_workers");
    const { workers, urls: targets } = await bench.startFleet({ url, prefix }, { api: ["fw-api-1", "fw-api-2"], worker: ["fw-worker-1", "fw-worker-2"] });
    await bench.prepareContent(targets[0]);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `fw-${bench.runId}`, targets: () => targets });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    workers[0].signal("SIGTERM");
    await hold(500);
    workers[1].signal("SIGKILL");
    const termExit = await Promise.race([workers[0].exited, hold(15_000).then(() => null)]);
    const replacement = bench.spawn({ name: "fw-worker-3", role: "worker", databaseUrl: url, prefix, adminKey: bench.adminKey });
    await replacement.ready();
    const recoverMs = await bench.afterFault(db, load);
    const checks = [{ label: `SIGTERMed worker exit ${termExit ? (termExit.code ?? termExit.signal) : "none in 15 s"}`, ok: termExit?.code === 0 }];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
  },
};
