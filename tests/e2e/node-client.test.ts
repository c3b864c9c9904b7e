/**
 * The typed client (@coach/client, clients/node) against a running engine: events batched by flushAt, a 503
 * answered by retrying after Retry-After, a flush on close that loses nothing, and learner tokens, inbox and
 * feedback through the generated types. A small proxy in front of the real engine injects the 503s.
 */
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CoachClient, CoachApiError, type DeliveryError } from "../../clients/node/src";
import { listen } from "../../src/http/server";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { waitFor } from "../setup/wait-for";

/** Forwards to the engine, answering 503 (Retry-After: 0) to the next `failNext` POSTs to /v1/events. */
function faultyProxy(target: number) {
  const state = { failNext: 0, posts: [] as number[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && req.url === "/v1/events") {
        state.posts.push((JSON.parse(body.toString()) as { events?: unknown[] }).events?.length ?? 1);
        if (state.failNext > 0) {
          state.failNext--;
          res.writeHead(503, { "Content-Type": "application/problem+json", "Retry-After": "0" });
          return void res.end(JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, detail: "injected" }));
        }
      }
      const upstream = http.request({ host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  return { server, state };
}

describe("the typed Node client", () => {
  let engine: TestEngine;
  let server: Server;
  let proxy: ReturnType<typeof faultyProxy>;
  let baseUrl: string;
  const stored = async (prefix: string) => Number((await engine.ctx.database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE id LIKE $1`, [`${prefix}%`])).rows[0].n);

  beforeAll(async () => {
    engine = await startTestEngine();
    let port: number;
    ({ server, port } = await listen(engine.app, 0));
    proxy = faultyProxy(port);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => proxy.server.close(r));
    await new Promise((r) => server.close(r));
    await engine.close();
  });

  it("sends events in batches of flushAt, and a batch answered 503 is retried until stored, once", async () => {
    const errors: DeliveryError[] = [];
    const client = new CoachClient({ baseUrl, key: engine.keys.ingest, flushAt: 100, flushIntervalMs: 60_000, retryBaseMs: 10, onError: (e) => errors.push(e) });
    proxy.state.posts.length = 0;
    proxy.state.failNext = 2;
    for (let i = 0; i < 250; i++) client.track({ id: `cli-a-${i}`, type: "video.completed", learnerId: `cli-${i % 7}`, courseId: "cli-101" });
    await client.closeAndFlush();
    expect(errors).toEqual([]);
    expect(await stored("cli-a-")).toBe(250);
    // Two full batches sent as they filled, the rest on close; the first attempt answered 503 twice, then stored.
    expect(proxy.state.posts.filter((n) => n === 100).length).toBeGreaterThanOrEqual(2);
    expect(proxy.state.posts).toContain(50);
    expect(proxy.state.posts.length).toBe(3 + 2);
  });

  it("flushes by time when a batch does not fill", async () => {
    const client = new CoachClient({ baseUrl, key: engine.keys.ingest, flushAt: 100, flushIntervalMs: 50 });
    client.track({ id: "cli-t-1", type: "module.started", learnerId: "cli-t", courseId: "cli-101" });
    await waitFor(
      () => stored("cli-t-"),
      (n) => n === 1,
    );
    await client.closeAndFlush();
  });

  it("reports a batch the engine rejects (400) instead of retrying it forever", async () => {
    const errors: DeliveryError[] = [];
    const client = new CoachClient({ baseUrl, key: engine.keys.ingest, retryBaseMs: 10, onError: (e) => errors.push(e) });
    client.track({ id: "cli-bad-1", type: "Not A Type", learnerId: "cli-bad" } as never);
    await client.closeAndFlush();
    expect(errors).toHaveLength(1);
    expect(errors[0].status).toBe(400);
    expect(errors[0].events.map((e) => e.id)).toEqual(["cli-bad-1"]);
    expect(() => client.track({ type: "module.started", learnerId: "x" } as never)).toThrow(/closed/);
  });

  it("mints learner tokens, reads the inbox and posts feedback with the generated types", async () => {
    const client = new CoachClient({ baseUrl, key: engine.keys.ingest });
    const token = await client.learnerToken("cli-learner", 600);
    expect(token.token).toMatch(/^lt1\./);
    expect(await client.inbox("cli-learner", { courseId: "cli-101" })).toEqual([]);
    await expect(client.feedback("00000000-0000-4000-8000-000000000000", { learnerId: "cli-learner", type: "seen" })).rejects.toBeInstanceOf(CoachApiError);
  });
});
