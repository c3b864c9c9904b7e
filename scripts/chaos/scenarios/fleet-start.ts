/**
 * (8) 4 processes (api, worker, all, api) started at the same moment on a database that does not exist yet:
 * all come up, exactly one admin key is printed, and the fleet then delivers what it acknowledges.
 */
import { hold, type Scenario } from "../bench";

export const fleetStart: Scenario = {
  id: "fleet-start",
  title: "8 4 processes started at once, fresh DB",
  async run(bench) {
    const { url, prefix } = bench.fresh("fleet_start");
    const roles = ["api", "worker", "all", "api"] as const;
    const started = Date.now();
    // No COACH_ADMIN_KEY: the fleet must bootstrap exactly one and print it once.
    const fleet = roles.map((role, i) => bench.spawn({ name: `start-${role}-${i}`, role, databaseUrl: url, prefix }));
    const up = await Promise.allSettled(fleet.map((e) => e.ready(180_000)));
    const upMs = Date.now() - started;
    const failed = up.filter((r) => r.status === "rejected").length;
    const printed = fleet.flatMap((e) => [...e.output().matchAll(/Admin API key \(shown once[^)]*\): (\S+)/g)].map((m) => m[1]));
    if (printed.length === 0) throw new Error(`no admin key printed; ${failed} of 4 failed to start`);
    const targets = await Promise.all(fleet.filter((e) => e.role !== "worker" && e.running()).map((e) => e.url()));
    const ready = await Promise.all(targets.map((t) => fetch(new URL("/readyz", t)).then((r) => r.status)));
    await bench.prepareContent(targets[0], printed[0]);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `start-${bench.runId}`, targets: () => targets, apiKey: printed[0] });
    load.start();
    await hold(bench.options.loadSeconds * 500);
    await load.stop();
    await bench.drain(db, load.acknowledged(), load.sentIds());
    const checks = [
      { label: `up ${4 - failed}/4`, ok: failed === 0 && fleet.every((e) => e.running()) },
      { label: `admin keys printed ${printed.length}`, ok: printed.length === 1 },
      { label: `readyz ${ready.join(",")}`, ok: ready.every((s) => s === 200) },
    ];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs: upMs, checks };
  },
};
