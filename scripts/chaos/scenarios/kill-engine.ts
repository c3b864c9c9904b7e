/**
 * (1) kill -9 of the whole engine (API and workers in one process, and anything it started) during ingest by a
 * client that retries until 2xx, then a restart: every acknowledged event stored, matched and delivered once.
 */
import { hold, type Scenario } from "../bench";

export const killEngine: Scenario = {
  id: "kill-engine",
  title: "1 kill -9 engine mid-ingest, restart",
  async run(bench) {
    const { url, prefix } = bench.fresh("kill");
    const spawn = (n: number) => bench.spawn({ name: `kill-all-${n}`, role: "all", databaseUrl: url, prefix, adminKey: bench.adminKey });
    let engine = spawn(1);
    let target: string | null = await engine.url();
    await engine.ready();
    await bench.prepareContent(target);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `kill-${bench.runId}`, targets: () => (target ? [target] : []) });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    engine.signal("SIGKILL");
    await engine.exited;
    target = null;
    engine = spawn(2);
    target = await engine.url();
    await engine.ready();
    const recoverMs = await bench.afterFault(db, load);
    return {
      tally: await bench.tally(db, load.sentIds(), load.acknowledged()),
      status5xx: load.stats.status5xx,
      recoverMs,
      checks: [{ label: `givenUp=${load.stats.givenUp}`, ok: load.stats.givenUp === 0 }],
    };
  },
};
