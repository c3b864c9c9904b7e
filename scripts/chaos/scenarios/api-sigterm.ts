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
    const { apis, urls } = await bench.startFleet({ url, prefix }, { api: ["st-api-1", "st-api-2"], worker: ["st-worker"] });
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
    const recoverMs = await bench.afterFault(db, load);
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
