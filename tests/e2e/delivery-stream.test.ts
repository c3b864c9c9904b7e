import { get, type IncomingMessage } from "node:http";
import type { Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { insertMessage } from "../factories/messages";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";
import { deliveryChannel, publishDeliveries } from "../../src/learners/inbox-notifications";

interface StreamEvent {
  id: string;
  data: { id: string; learnerId: string; courseId: string | null; title: string };
}

/** A real SSE client over HTTP: collects `message` events as they arrive. */
interface OpenStream {
  events: StreamEvent[];
  ended: () => boolean;
  close(): void;
}

function openStream(port: number, key: string, learnerId: string, options: { lastEventId?: string; courseId?: string } = {}): Promise<OpenStream> {
  const query = options.courseId ? `?courseId=${options.courseId}` : "";
  const headers: Record<string, string> = { Authorization: `Bearer ${key}`, Accept: "text/event-stream" };
  if (options.lastEventId) headers["Last-Event-ID"] = options.lastEventId;
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path: `/v1/learners/${learnerId}/stream${query}`, headers }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      const events: StreamEvent[] = [];
      let ended = false;
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split("\n")
              .filter((l) => !l.startsWith(":"))
              .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
          );
          if (fields.event === "message") events.push({ id: fields.id, data: JSON.parse(fields.data) });
          if (fields.retry) resolve({ events, ended: () => ended, close: () => req.destroy() });
        }
      });
      res.on("end", () => (ended = true));
      res.on("close", () => (ended = true));
    });
    req.on("error", () => undefined);
  });
}

describe("the learner's live stream (Server-Sent Events)", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  const ingest = () => engine.keys.ingest;
  const subscribers = async (learnerId: string) => (await engine.ctx.queues.connection.call("PUBSUB", "NUMSUB", deliveryChannel(engine.ctx.queues.prefix, learnerId))) as [string, number];
  const announce = (...messages: Array<{ id: string; learnerId: string }>) =>
    publishDeliveries(
      engine.ctx.queues.connection,
      engine.ctx.queues.prefix,
      messages.map((m) => ({ learnerId: m.learnerId, messageId: m.id })),
    );

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    ({ server, port } = await listen(engine.app, 0));
    const author = `Bearer ${engine.keys.author}`;
    await engine.http.put("/v1/policy").set("Authorization", author).send({ maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null });
    await engine.http
      .post("/v1/templates")
      .set("Authorization", author)
      .send({ key: "live", name: "Live", kind: "nudge", variants: [{ key: "A", title: "Hello {{learner.firstName}}", body: "Keep going", weight: 1 }] });
    await engine.http
      .post("/v1/rules")
      .set("Authorization", author)
      .send({ key: "live", name: "Live", templateKey: "live", trigger: { eventType: "video.completed", courseId: "sse-101" } });
  });
  afterAll(async () => {
    await engine.ctx.deliveryFeed.close();
    await closeServer(server);
    await engine.close();
  });

  it("receives a nudge delivered through the real pipeline, as it is delivered", async () => {
    const stream = await openStream(port, ingest(), "grace");
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${ingest()}`)
      .send(buildEvent({ learnerId: "grace", courseId: "sse-101", type: "video.completed", learner: { name: "Grace Hopper" } }));
    expect(res.status).toBe(202);
    await waitFor(
      async () => stream.events.length,
      (n) => n === 1,
    );
    const stored = await engine.ctx.prisma.message.findFirstOrThrow({ where: { learnerId: "grace" } });
    expect(stream.events[0]).toMatchObject({ id: stored.id, data: { id: stored.id, learnerId: "grace", courseId: "sse-101", title: "Hello Grace" } });
    stream.close();
  });

  it("opens only once it follows the learner: what is announced the moment it opens arrives (a page reads its inbox then)", async () => {
    for (const learnerId of ["quick-1", "quick-2", "quick-3"]) {
      const stream = await openStream(port, ingest(), learnerId);
      expect((await subscribers(learnerId))[1]).toBe(1); // already subscribed when the client saw the stream open
      const message = await insertMessage(engine.ctx, { learnerId, title: "right away" });
      await announce(message);
      await waitFor(
        async () => stream.events.map((e) => e.id),
        (ids) => ids.includes(message.id),
      );
      stream.close();
    }
  });

  it("serves every stream of a process from one subscription per learner, each stream seeing only its learner", async () => {
    const [a1, a2, b] = await Promise.all([openStream(port, ingest(), "ann"), openStream(port, ingest(), "ann"), openStream(port, ingest(), "bob")]);
    expect((await subscribers("ann"))[1]).toBe(1); // two streams, one Redis subscriber
    const forAnn = await insertMessage(engine.ctx, { learnerId: "ann", title: "for Ann" });
    const forBob = await insertMessage(engine.ctx, { learnerId: "bob", title: "for Bob" });
    await announce(forAnn, forBob);
    await waitFor(
      async () => [a1.events.length, a2.events.length, b.events.length],
      (n) => n.every((x) => x === 1),
    );
    expect([a1.events[0].id, a2.events[0].id, b.events[0].id]).toEqual([forAnn.id, forAnn.id, forBob.id]);

    a1.close();
    await waitFor(
      () => subscribers("ann"),
      (n) => n[1] === 1,
    ); // the other stream still follows Ann
    a2.close();
    b.close();
    await waitFor(
      async () => [(await subscribers("ann"))[1], (await subscribers("bob"))[1]],
      (n) => n[0] === 0 && n[1] === 0,
    );
  });

  it("filters by course when asked", async () => {
    const stream = await openStream(port, ingest(), "cy", { courseId: "sse-101" });
    const other = await insertMessage(engine.ctx, { learnerId: "cy", courseId: "other-202" });
    const mine = await insertMessage(engine.ctx, { learnerId: "cy", courseId: "sse-101" });
    await announce(other, mine);
    await waitFor(
      async () => stream.events.length,
      (n) => n >= 1,
    );
    await new Promise((r) => setTimeout(r, 200)); // room for a wrong second event to arrive
    expect(stream.events.map((e) => e.id)).toEqual([mine.id]);
    stream.close();
  });

  it("on reconnect with Last-Event-ID replays what was missed, in delivery order, then goes live", async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const seen = await insertMessage(engine.ctx, { learnerId: "dee", deliveredAt: at(1), title: "seen" });
    const missed2 = await insertMessage(engine.ctx, { learnerId: "dee", deliveredAt: at(3), title: "missed 2" });
    const missed1 = await insertMessage(engine.ctx, { learnerId: "dee", deliveredAt: at(2), title: "missed 1" });
    await insertMessage(engine.ctx, { learnerId: "dee", deliveredAt: at(4), status: "dismissed", title: "dismissed elsewhere" });
    await insertMessage(engine.ctx, { learnerId: "dee", deliveredAt: at(5), expiresAt: at(6), title: "expired" });
    await insertMessage(engine.ctx, { learnerId: "eve", deliveredAt: at(5), title: "someone else's" });

    const stream = await openStream(port, ingest(), "dee", { lastEventId: seen.id });
    await waitFor(
      async () => stream.events.length,
      (n) => n === 2,
    );
    expect(stream.events.map((e) => e.data.title)).toEqual(["missed 1", "missed 2"]);
    expect(stream.events.map((e) => e.id)).toEqual([missed1.id, missed2.id]);

    const live = await insertMessage(engine.ctx, { learnerId: "dee", title: "live" });
    await announce(live);
    await waitFor(
      async () => stream.events.length,
      (n) => n === 3,
    );
    expect(stream.events[2].id).toBe(live.id);
    stream.close();
  });

  it("replays nothing for a Last-Event-ID that is not one of the learner's messages", async () => {
    const theirs = await insertMessage(engine.ctx, { learnerId: "fay", deliveredAt: new Date(Date.UTC(2026, 0, 1)) });
    await insertMessage(engine.ctx, { learnerId: "gus", deliveredAt: new Date(Date.UTC(2026, 0, 2)) });
    const stream = await openStream(port, ingest(), "gus", { lastEventId: theirs.id });
    const garbage = await openStream(port, ingest(), "gus", { lastEventId: "not-a-uuid" });
    const live = await insertMessage(engine.ctx, { learnerId: "gus" });
    await announce(live);
    await waitFor(
      async () => [stream.events.length, garbage.events.length],
      (n) => n[0] === 1 && n[1] === 1,
    );
    expect([stream.events[0].id, garbage.events[0].id]).toEqual([live.id, live.id]);
    stream.close();
    garbage.close();
  });

  it("ends open streams when the process shuts down, so the server can close", async () => {
    const stream = await openStream(port, ingest(), "hal");
    await engine.ctx.deliveryFeed.close();
    await waitFor(
      async () => stream.ended(),
      (ended) => ended,
    );
  });
});
