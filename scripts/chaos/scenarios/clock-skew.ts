/**
 * (6) A rule disabled through an API process whose clock is 5 s behind (a preload shifts Date and Date.now):
 * within 1 s no worker delivers it any more, whatever the clocks. A lower-priority rule on the same events takes
 * over, so every acknowledged event still gets exactly one delivered message.
 */
import { CLOCK_BEHIND } from "../engine-process";
import { hold, type Scenario } from "../bench";

const RULES = [
  { key: "chaos-skewed", eventType: "chaos.now", delaySeconds: 0, priority: 20 },
  { key: "chaos-fallback", eventType: "chaos.now", delaySeconds: 0, priority: 10 },
];

export const clockSkew: Scenario = {
  id: "clock-skew",
  title: "6 rule disabled via a process 5 s behind",
  async run(bench) {
    const { url, prefix } = bench.fresh("skew");
    const common = { databaseUrl: url, prefix, adminKey: bench.adminKey };
    // Started first and alone, so the other two meet a migrated database.
    const skewed = bench.spawn({ ...common, name: "skew-api-behind", role: "api", preload: [CLOCK_BEHIND] });
    await skewed.waitFor(/chaos: clock shifted by -5000 ms/);
    const skewedUrl = await skewed.url();
    const api = bench.spawn({ ...common, name: "skew-api", role: "api" });
    const workers = [bench.spawn({ ...common, name: "skew-worker-1", role: "worker" }), bench.spawn({ ...common, name: "skew-worker-2", role: "worker" })];
    const target = await api.url();
    await Promise.all([api, ...workers].map((e) => e.ready()));
    await bench.prepareContent(target, bench.adminKey, RULES);
    const db = bench.pool(url);
    const load = bench.load({ idPrefix: `skew-${bench.runId}`, targets: () => [target], typeOf: () => "chaos.now" });
    load.start();
    await hold(bench.options.loadSeconds * 500);

    const auth = { authorization: `Bearer ${bench.adminKey}` };
    const current = await fetch(new URL("/v1/rules/chaos-skewed", skewedUrl), { headers: auth });
    if (current.status !== 200) throw new Error(`GET rule through the skewed process: ${current.status}`);
    const rule = (await current.json()) as Record<string, unknown>;
    const put = await fetch(new URL("/v1/rules/chaos-skewed", skewedUrl), {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json", "if-match": current.headers.get("etag") ?? "" },
      body: JSON.stringify({ ...rule, enabled: false }),
    });
    if (put.status !== 200) throw new Error(`PUT rule through the skewed process: ${put.status} ${await put.text()}`);
    const disabledAt = Date.now();
    const faultEnd = disabledAt;
    const recovery = bench.watchRecovery(db, load, faultEnd);
    await hold(Math.max(3_000, bench.options.loadSeconds * 500));
    await load.stop();
    await bench.drain(db, load.acknowledged(), load.sentIds());
    const recoverMs = await recovery;

    const after = disabledAt + 1_000;
    const sentLater = [...load.sentAt].filter(([, at]) => at >= after).map(([id]) => id);
    const { rows } = await db.query<{ by_event: string; created_later: string; delivered_later: string; latest_ms: string | null }>(
      `SELECT count(*) FILTER (WHERE event_id = ANY($1)) AS by_event,
              count(*) FILTER (WHERE created_at > $2) AS created_later,
              count(*) FILTER (WHERE delivered_at > $2) AS delivered_later,
              max(extract(epoch FROM delivered_at - $3::timestamptz) * 1000) AS latest_ms
         FROM messages WHERE rule_key = 'chaos-skewed' AND status = 'delivered'`,
      [sentLater, new Date(after), new Date(disabledAt)],
    );
    const r = rows[0];
    const checks = [
      { label: `its deliveries for events sent >1 s after disabling ${r.by_event}/${sentLater.length}`, ok: Number(r.by_event) === 0 && sentLater.length > 0 },
      { label: `its messages matched >1 s after disabling ${r.created_later}`, ok: Number(r.created_later) === 0 },
      { label: `its deliveries >1 s after disabling ${r.delivered_later} (latest +${(Number(r.latest_ms ?? 0) / 1000).toFixed(1)} s)`, ok: Number(r.delivered_later) === 0 },
    ];
    return { tally: await bench.tally(db, load.sentIds(), load.acknowledged()), status5xx: load.stats.status5xx, recoverMs, checks };
  },
};
