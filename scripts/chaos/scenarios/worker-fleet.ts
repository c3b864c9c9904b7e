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
    const spawn = (name: string, role: "api" | "worker") => bench.spawn({ name, role, databaseUrl: url, prefix, adminKey: bench.adminKey });
    const apis = [spawn("fw-api-1", "api"), spawn("fw-api-2", "api")];
    const workers = [spawn("fw-worker-1", "worker"), spawn("fw-worker-2", "worker")];
    const targets = await Promise.all(apis.map((a) => a.url()));
    await Promise.all([...apis, ...workers].map((e) => e.ready()));
    await bench.prepareContent(targets[0]);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `fw-${bench.runId}`, targets: () => targets });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    workers[0].signal("SIGTERM");
    await hold(500);
    workers[1].signal("SIGKILL");
    const termExit = await Promise.race([workers[0].exited, hold(15_000).then(() => null)]);
    const replacement = spawn("fw-worker-3", "worker");
    await replacement.ready();
    const faultEnd = Date.now();
    const recovery = bench.watchRecovery(db, load, faultEnd);
    await hold(bench.options.loadSeconds * 500);
    await load.stop();
    await bench.drain(db, load.acknowledged(), load.sentIds());
    const recoverMs = await recovery;
    const checks = [{ label: `SIGTERMed worker exit ${termExit ? (termExit.code ?? termExit.signal) : "none in 15 s"}`, ok: termExit?.code === 0 }];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
  },
};
