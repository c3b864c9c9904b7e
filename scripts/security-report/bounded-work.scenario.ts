/**
 * Issue 12, item 3: deep nesting froze the engine (a 3,000-level template held it 42 s, 1,000 nested `not`
 * 50 s). Replays the worst inputs of tests/factories/hostile-requests.ts (the set `npm run bench -- hostile`
 * and the request-cost test use: past each limit, at each limit, the largest accepted), each answered as that
 * list says, grouped by what they target. The engine's event-loop delay during each group is in its row.
 */
import { hostileRequests, prepareHostileTargets, warmUpRequests, type HostileRequest } from "../../tests/factories/hostile-requests";
import { withEngineContext, type ReportEngine } from "./report-engine";
import { call, Tally, type ReportRow } from "./report-row";

/** Creates what the worst inputs refer to (a template, rule, segment, learner, and a stored 3,000-deep version). */
export async function prepareBoundedWork(engine: ReportEngine): Promise<void> {
  await withEngineContext(engine, (ctx) => prepareHostileTargets(ctx, async (method, path, body) => (await call(engine, method.toUpperCase(), path, { role: "author", body })).status));
  for (const request of warmUpRequests()) await call(engine, request.method.toUpperCase(), request.path, { role: "author", body: request.body() });
}

/** Sends the worst inputs of one group (`template`, `preview`, `rule`, `segment`); returns its row. */
export async function boundedWorkScenario(engine: ReportEngine, group: string, label: string): Promise<ReportRow> {
  const requests = hostileRequests().filter((r) => r.name.split(/[ :]/)[0] === group);
  const tally = new Tally();
  const wrong: string[] = [];
  for (const request of requests) {
    const res = await send(engine, request);
    tally.count(res, res >= 400 && res < 500);
    if (res !== request.status) wrong.push(`${request.name}: ${res} (expected ${request.status})`);
  }
  const accepted = requests.filter((r) => r.status < 300).length;
  return tally.row(
    "3",
    label,
    wrong.length ? `not as expected: ${wrong.join("; ")}` : `each as expected (${tally.refused} refused naming the limit, ${accepted} largest-allowed accepted)`,
    wrong.length === 0,
  );
}

async function send(engine: ReportEngine, request: HostileRequest): Promise<number> {
  return (await call(engine, request.method.toUpperCase(), request.path, { role: "author", body: request.body() })).status;
}
