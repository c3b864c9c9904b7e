import { Agent, get, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { rawRequest } from "../setup/raw-http";
import { waitFor } from "../setup/wait-for";
import { closeServer, listen } from "../../src/http/server";
import { loadConfig } from "../../src/config";

/** The HTTP limits the configuration gives for these variables (the same parsing `npm start` uses). */
const limitsFrom = (env: Record<string, string>) => loadConfig({ ...process.env, ...env }).http;

interface WatchedSocket {
  socket: Socket;
  closed: boolean;
  received: string;
}

/** A raw TCP client that records what the server sends and when it closes. */
function openSocket(port: number): Promise<WatchedSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const watched: WatchedSocket = { socket, closed: false, received: "" };
    socket.on("data", (chunk) => (watched.received += chunk.toString("latin1")));
    socket.on("close", () => (watched.closed = true));
    socket.on("error", () => undefined); // a reset from the server is what some tests wait for
    socket.once("connect", () => resolve(watched));
    socket.once("error", reject);
  });
}

/** GET over a given agent; reports whether the agent reused a kept-alive socket. */
function getVia(agent: Agent, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path, agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on("error", reject);
  });
}

describe("the HTTP server's connection cap", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  const idle: WatchedSocket[] = [];
  let dropped = 0;

  beforeAll(async () => {
    engine = await startTestEngine();
    // Headers may take 30 s here, so the idle sockets below stay for the whole test: only the cap acts on them.
    ({ server, port } = await listen(engine.app, 0, { limits: limitsFrom({ COACH_HTTP_MAX_CONNECTIONS: "10", COACH_HTTP_HEADERS_TIMEOUT_MS: "30000" }) }));
    server.on("drop", () => dropped++);
  });
  afterAll(async () => {
    for (const s of idle) s.socket.destroy();
    await closeServer(server);
    await engine.close();
  });

  it("refuses connections past the cap while the connections within it keep being served", async () => {
    const player = new Agent({ keepAlive: true, maxSockets: 1 });
    const admin = { authorization: `Bearer ${engine.keys.admin}` };
    expect((await getVia(player, port, "/v1/api-keys", admin)).status).toBe(200); // holds 1 of the 10

    for (let i = 0; i < 25; i++) idle.push(await openSocket(port)); // 9 fit, 16 are closed at once
    await waitFor(
      async () => idle.filter((s) => s.closed).length,
      (n) => n === 16,
    );
    expect(dropped).toBe(16);
    expect(idle.filter((s) => s.closed).every((s) => s.received === "")).toBe(true); // closed unread, not parsed

    // The player's kept-alive connection is still served, again and again.
    for (let i = 0; i < 5; i++) expect(await getVia(player, port, "/v1/api-keys", admin)).toEqual({ status: 200, reused: true });
    // A new connection is not, while the cap is reached...
    await expect(getVia(new Agent(), port, "/healthz")).rejects.toThrow(/socket hang up|ECONNRESET/);
    // ...and is as soon as the idle sockets go.
    for (const s of idle) s.socket.destroy();
    await waitFor(
      () =>
        getVia(new Agent(), port, "/healthz").then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
    );
    player.destroy();
  });
});

describe("the HTTP server's header timeout", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  const sockets: WatchedSocket[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    ({ server, port } = await listen(engine.app, 0, { limits: limitsFrom({ COACH_HTTP_HEADERS_TIMEOUT_MS: "500", COACH_HTTP_REQUEST_TIMEOUT_MS: "1000" }) }));
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.socket.destroy();
    await closeServer(server);
    await engine.close();
  });

  it("cuts off slowloris clients (headers trickled a line at a time) and silent sockets with 408, and serves others meanwhile", async () => {
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const slow = await openSocket(port);
      slow.socket.write("GET /healthz HTTP/1.1\r\nHost: engine\r\n");
      timers.push(setInterval(() => slow.closed || slow.socket.write(`X-Slow-${Date.now()}: 1\r\n`), 50));
      sockets.push(slow);
    }
    const silent = await openSocket(port);
    sockets.push(silent);

    for (let i = 0; i < 5; i++) expect((await rawRequest(port, { path: "/healthz" })).status).toBe(200);
    // Without the limit Node waits 60 s for headers (checking every 30 s): this wait would time out.
    await waitFor(
      async () => sockets.every((s) => s.closed),
      (all) => all,
      30_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    for (const s of sockets) expect(s.received).toMatch(/^HTTP\/1\.1 408 /);
    expect((await rawRequest(port, { path: "/healthz" })).status).toBe(200);
  });
});

describe("the HTTP limits' configuration", () => {
  it("has safe defaults and refuses a header timeout longer than the request timeout", () => {
    expect(limitsFrom({})).toEqual({ maxConnections: 4096, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000, idleTimeoutMs: 120_000 });
    expect(() => limitsFrom({ COACH_HTTP_HEADERS_TIMEOUT_MS: "20000", COACH_HTTP_REQUEST_TIMEOUT_MS: "10000" })).toThrow(/COACH_HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ COACH_TRUST_PROXY: "true" })).toThrow(/COACH_TRUST_PROXY/);
    expect(loadConfig({ COACH_TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toEqual(["loopback", "10.0.0.0/8"]);
    expect(loadConfig({ COACH_TRUST_PROXY: "1" }).trustProxy).toBe(1);
  });
});
