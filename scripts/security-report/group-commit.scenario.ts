/**
 * Issue 12, item 2: one client's bad byte must not fail other clients' requests. Ingest commits concurrent
 * requests as one statement; 400 valid batches from other clients are sent at once with 40 batches each
 * carrying one event PostgreSQL cannot store (NUL, a lone surrogate), all interleaved.
 */
import { randomUUID } from "node:crypto";
import { Client } from "pg";
import type { ReportEngine } from "./report-engine";
import { call, inParallel, Tally, type ReportRow } from "./report-row";

const BAD_VALUES = ["a\u0000b", "\ud800", "x\udfff", "\u0000"];

/** Runs the item-2 scenario. */
export async function groupCommitScenario(engine: ReportEngine): Promise<ReportRow[]> {
  const run = randomUUID().slice(0, 8);
  const event = (id: string, properties: Record<string, unknown> = {}) => ({
    id,
    type: "quiz.submitted",
    learnerId: `gc-${id.length % 50}`,
    courseId: "gc-101",
    occurredAt: new Date().toISOString(),
    properties,
  });
  const requests = Array.from({ length: 440 }, (_, i) => {
    const bad = i % 11 === 10; // 40 of 440, spread through the stream
    const events = Array.from({ length: 10 }, (_, j) => event(`gc-${run}-${i}-${j}`, bad && j === 4 ? { note: BAD_VALUES[i % BAD_VALUES.length] } : { score: 0.5 }));
    return { bad, body: { events } };
  });
  const bad = new Tally();
  const others = new Tally();
  await inParallel(requests.length, 100, async (i) => {
    const res = await call(engine, "POST", "/v1/events", { role: "ingest", body: requests[i].body });
    if (requests[i].bad) bad.count(res.status, res.status === 400);
    else others.count(res.status, false);
  });
  const db = new Client({ connectionString: engine.databaseUrl });
  await db.connect();
  let stored: number;
  let storedBad: number;
  try {
    stored = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE id LIKE $1", [`gc-${run}-%`])).rows[0].n);
    const badIds = requests.flatMap((r) => (r.bad ? r.body.events.map((e) => e.id) : []));
    storedBad = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE id = ANY($1)", [badIds])).rows[0].n);
  } finally {
    await db.end();
  }
  const tally = new Tally();
  for (const [status, n] of bad.statuses) for (let k = 0; k < n; k++) tally.count(status, status === 400);
  tally.fiveXX += others.fiveXX;
  const ok = others.statuses.get(202) ?? 0;
  return [
    tally.row(
      "2",
      "Group commit: 40 batches with a NUL or lone surrogate in one event, among 400 valid batches of other clients sent at once",
      `${ok}/400 other clients' batches 202 (${others.describe()}); events stored ${stored.toLocaleString("en")} = 400 × 10 valid; of the refused batches ${storedBad}`,
      ok === 400 && stored === 4_000 && storedBad === 0,
    ),
  ];
}
