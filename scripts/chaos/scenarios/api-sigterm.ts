/**
 * (5) SIGTERM of one of two API processes under 16 keep-alive clients: every request sent before the signal
 * gets its answer (no reset), later ones are refused or told `Connection: close` and go to the other process,
 * and the stopping process exits within COACH_SHUTDOWN_TIMEOUT_MS.
 */
import { hold, type Scenario } from "../bench";

export const apiSigterm: Scenario = {
  id: "api-sigterm",
  title: "5 SIGTERM API under keep-alive load",
  async run(bench) {
    const { url, prefix } = bench.fresh("sigterm");
    const spawn = (name: string, role: "api" | "worker") => bench.spawn({ name, role, databaseUrl: url, prefix, adminKey: bench.adminKey });
    const apis = [spawn("st-api-1", "api"), spawn("st-api-2", "api")];
    const worker = spawn("st-worker", "worker");
    const urls = await Promise.all(apis.map((a) => a.url()));
    await Promise.all([...apis, worker].map((e) => e.ready()));
    await bench.prepareContent(urls[1]);
    const db = bench.pool(url);
    let targets = urls;
    const load = bench.load({ idPrefix: `st-${bench.runId}`, targets: () => targets, concurrency: 16, batchSize: 5, pauseMs: 10 });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    const signalAt = Date.now();
    apis[0].signal("SIGTERM");
    const exit = await Promise.race([apis[0].exited, hold(20_000).then(() => null)]);
    const exitMs = Date.now() - signalAt;
    targets = [urls[1]];
    const faultEnd = Date.now();
    const recovery = bench.watchRecovery(db, load, faultEnd);
    await hold(bench.options.loadSeconds * 500);
    await load.stop();
    await bench.drain(db, load.acknowledged(), load.sentIds());
    const recoverMs = await recovery;
    const resetsBefore = load.stats.resets.filter((r) => r.target === urls[0] && r.sentAt < signalAt).length;
    const resetsAfter = load.stats.resets.length - resetsBefore;
    const checks = [
      { label: `resets of requests sent before SIGTERM ${resetsBefore}`, ok: resetsBefore === 0 },
      { label: `later resets ${resetsAfter} (retried)`, ok: true },
      { label: `exit ${exit ? (exit.code ?? exit.signal) : "none"} in ${(exitMs / 1000).toFixed(1)} s`, ok: exit?.code === 0 && exitMs <= 11_000 },
    ];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
  },
};
