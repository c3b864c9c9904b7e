import { monitorEventLoopDelay } from "node:perf_hooks";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { hostileRequests, prepareHostileTargets, warmUpRequests, type HostileRequest } from "../factories/hostile-requests";
import { measureCpu } from "../setup/cpu-time";

/**
 * Issue 12: no single request may hold the event loop for more than 100 ms. Each of the worst inputs for
 * templates, previews, rules and segments goes through the real HTTP app, three times, and the CPU time
 * the main thread (the event loop) spent on it must stay under 100 ms on every send, the first included:
 * CPU time, not wall-clock time, is robust on a busy machine, and the main thread's is what a request holds
 * the loop with (stop-the-world GC pauses included, since they run on it).
 * The whole process's CPU (process.cpuUsage) is printed beside it, not asserted: it also counts V8's
 * concurrent marking and compiler threads, which run beside the loop without holding it, and which grow
 * with what else the machine runs (in CI a warm 61 ms request measured 121 ms of process CPU).
 * The event-loop delay is recorded and printed too, but not asserted: other processes share the cores.
 * `npm run bench -- hostile` measures it with the server in a process of its own (README, Security).
 */
const CPU_LIMIT_MS = 100;
const ROUNDS = 3;

describe("the cost of one hostile request", () => {
  let engine: TestEngine;
  const send = (method: "post" | "put", path: string, text: string) =>
    engine.http[method](path).set("Authorization", `Bearer ${engine.keys.author}`).set("Content-Type", "application/json").send(text);

  beforeAll(async () => {
    engine = await startTestEngine();
    await prepareHostileTargets(engine.ctx, async (method, path, body) => (await send(method, path, JSON.stringify(body))).status);
    for (const request of warmUpRequests()) {
      for (let i = 0; i < 3; i++) expect((await send(request.method, request.path, JSON.stringify(request.body()))).status).toBe(request.status);
    }
  });
  afterAll(async () => engine.close());

  it("when each worst input is sent, then each answer is right and costs under 100 ms of CPU", async () => {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const rows: Array<{ request: string; status: number; "main thread ms (max)": number; "process ms, first": number; "process ms, later (max)": number }> = [];
    const failures: string[] = [];
    histogram.enable();
    for (const request of hostileRequests()) {
      const row = { request: request.name, status: 0, "main thread ms (max)": 0, "process ms, first": 0, "process ms, later (max)": 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const text = JSON.stringify(request.body()); // serialized outside the measurement: only the engine's work counts
        const { result: res, spent } = await measureCpu(() => send(request.method, request.path, text));
        row.status = res.status;
        row["main thread ms (max)"] = Math.max(row["main thread ms (max)"], round1(spent.mainThreadMs));
        if (round === 0) row["process ms, first"] = round1(spent.processMs);
        else row["process ms, later (max)"] = Math.max(row["process ms, later (max)"], round1(spent.processMs));
        if (res.status !== request.status) failures.push(`${request.name}: answered ${res.status}, expected ${request.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      rows.push(row);
    }
    histogram.disable();
    console.table(rows);
    console.log(`event-loop delay while sending (this process, shared cores; not asserted): p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms`);
    expect(failures).toEqual([]);
    expect(rows.filter((row) => row["main thread ms (max)"] >= CPU_LIMIT_MS)).toEqual([]);
    // Every kind of entry point was exercised.
    const routes = new Set(hostileRequests().map((r: HostileRequest) => `${r.method} ${r.path}`));
    expect([...routes]).toEqual(
      expect.arrayContaining([
        "post /v1/templates",
        "put /v1/templates/base",
        "post /v1/templates/preview",
        "post /v1/rules",
        "put /v1/rules/base-rule",
        "post /v1/segments",
        "put /v1/segments/base-seg",
      ]),
    );
  }, 300_000);
});

function round1(value: number): number {
  return Number(value.toFixed(1));
}
