/**
 * Issue 12, item 4: bad input answered 500. First the targeted cases (NUL and lone surrogates in every
 * kind of string, two surrogate ids that PostgreSQL would collapse into one, bodies 5,000 and 100,000 levels
 * deep, dates skewed into BC, a path that is not UTF-8, compressed-but-not bodies), each with the answer the
 * contract gives; then the HTTP fuzz suite's generators (tests/fuzz) at every operation with every credential,
 * judged by its oracle, from many client addresses so the limiter on failed authentication does not hide the
 * routes behind 429.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Client } from "pg";
import { CREDENTIALS, fuzzCase, type FuzzCase } from "../../tests/fuzz/fuzz-inputs";
import { operationsOf } from "../../tests/fuzz/fuzz-targets";
import { judge, liesAboutFraming } from "../../tests/fuzz/fuzz-oracle";
import { LIAR_PATIENCE_MS, requestOf } from "../../tests/fuzz/fuzz-runner";
import { bodyBytes } from "../../tests/fuzz/fuzz-inputs";
import { rawExchange } from "../../tests/fuzz/raw-exchange";
import type { ReportEngine } from "./report-engine";
import { call, type Answer, Tally, type ReportRow } from "./report-row";

interface Targeted {
  name: string;
  send: () => Promise<Answer>;
  /** Whether the answer is the refusal the contract asks for. */
  refused: (a: Answer) => boolean;
}

const NUL = "\u0000";

/** Runs the targeted cases of item 4. */
export async function targetedBadInput(engine: ReportEngine): Promise<ReportRow[]> {
  const run = randomUUID().slice(0, 8);
  const event = (overrides: Record<string, unknown> = {}) => ({
    id: `bi-${run}-${randomUUID()}`,
    type: "module.started",
    learnerId: `bi-ev-${run}`,
    courseId: "bi-101",
    occurredAt: new Date().toISOString(),
    properties: {},
    ...overrides,
  });
  const post =
    (path: string, body: unknown, role: "ingest" | "author" = "ingest", headers?: Record<string, string>) =>
    () =>
      call(engine, "POST", path, { role, body, headers });
  const put = (path: string, body: unknown) => () => call(engine, "PUT", path, { role: "author", body });
  const is400 = (a: Answer) => a.status === 400;
  const dropped = (n: number) => (a: Answer) => a.status === 200 && a.json?.dropped === n;
  const xapi = { "x-experience-api-version": "1.0.3" };
  const statement = (name: string) => ({
    id: randomUUID(),
    actor: { objectType: "Agent", name, account: { homePage: "https://lms.example", name: `bi-${run}` } },
    verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
    object: { id: "https://lms.example/course/1", objectType: "Activity" },
  });
  const plain = JSON.stringify(event());
  const cases: Targeted[] = [
    { name: "NUL in an event id", send: post("/v1/events", event({ id: `bi-${NUL}` })), refused: is400 },
    { name: "NUL in a learner id", send: post("/v1/events", event({ learnerId: `L${NUL}` })), refused: is400 },
    { name: "NUL in a property key", send: post("/v1/events", event({ properties: { [`a${NUL}b`]: 1 } })), refused: is400 },
    { name: "NUL in one property value of a batch", send: post("/v1/events", { events: [event(), event({ properties: { note: `x${NUL}` } })] }), refused: is400 },
    { name: "NUL in a learner name", send: post("/v1/events", event({ learner: { name: `Ada${NUL}` } })), refused: is400 },
    { name: "lone surrogate in an attribute key", send: post("/v1/events", event({ learner: { attributes: { "\ud800": 1 } } })), refused: is400 },
    { name: "lone surrogate in an event id (\\ud800)", send: post("/v1/events", event({ id: `bi-twin-${run}-\ud800` })), refused: is400 },
    { name: "lone surrogate in an event id (\\ud801)", send: post("/v1/events", event({ id: `bi-twin-${run}-\ud801` })), refused: is400 },
    { name: "Segment track with NUL in userId", send: post("/v1/track", { type: "track", event: "Quiz Submitted", userId: `u${NUL}`, messageId: `m-${randomUUID()}` }), refused: dropped(1) },
    {
      name: "Segment batch, one call of three with a lone surrogate",
      send: post("/v1/batch", { batch: [0, 1, 2].map((i) => ({ type: "track", event: "Video Completed", userId: i === 1 ? "\udfff" : `bi-${run}`, messageId: `m-${randomUUID()}` })) }),
      refused: dropped(1),
    },
    { name: "xAPI statement with NUL in the actor's name", send: post("/xapi/statements", statement(`Ada${NUL}`), "ingest", xapi), refused: is400 },
    {
      name: "Caliper envelope with a lone surrogate",
      send: post("/caliper", {
        sensor: "https://lms.example",
        sendTime: new Date().toISOString(),
        dataVersion: "http://purl.imsglobal.org/ctx/caliper/v1p2",
        data: [{ id: `urn:uuid:${randomUUID()}`, type: "Event", action: "\ud800", actor: { id: "u", type: "Person" }, object: { id: "o", type: "Entity" }, eventTime: new Date().toISOString() }],
      }),
      refused: is400,
    },
    { name: "NUL in a segment member", send: put("/v1/segments/base-seg/members", { learnerIds: ["a", `b${NUL}`], mode: "add" }), refused: is400 },
    { name: "NUL in an insight value", send: put("/v1/insights", [{ learnerId: "A", key: "k", value: `v${NUL}` }]), refused: is400 },
    {
      name: "NUL in a rule condition",
      send: post(
        "/v1/rules",
        { key: `bi-${run}`, name: "R", templateKey: "base", trigger: { eventType: "quiz.submitted", where: { field: "event.properties.note", op: "eq", value: NUL } } },
        "author",
      ),
      refused: is400,
    },
    {
      name: "lone surrogate in a segment condition",
      send: post("/v1/segments", { key: `bi-${run}`, name: "S", type: "attributes", conditions: { field: "learner.attributes.track", op: "eq", value: "\ud800" } }, "author"),
      refused: is400,
    },
    {
      name: "NUL in a template name",
      send: post("/v1/templates", { key: `bi-${run}`, name: `T${NUL}`, kind: "nudge", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] }, "author"),
      refused: is400,
    },
    { name: "body 5,000 levels deep", send: post("/v1/events", "[".repeat(5_000) + "]".repeat(5_000)), refused: is400 },
    { name: "body 100,000 levels deep", send: post("/v1/events", "[".repeat(100_000)), refused: is400 },
    { name: "occurredAt 0001-01-01 sent at 9999-12-31", send: post("/v1/events", event({ occurredAt: "0001-01-01T00:00:00Z", sentAt: "9999-12-31T23:59:59Z" })), refused: is400 },
    { name: "GET /v1/learners/%E0%A4%A/messages", send: () => call(engine, "GET", "/v1/learners/%E0%A4%A/messages", { role: "ingest" }), refused: is400 },
    ...["gzip", "br", "deflate"].map((encoding) => ({
      name: `Content-Encoding: ${encoding} on a plain body`,
      send: post("/v1/events", plain, "ingest", { "content-encoding": encoding }),
      refused: is400,
    })),
  ];
  const tally = new Tally();
  const wrong: string[] = [];
  let notProblem = 0;
  const db = new Client({ connectionString: engine.databaseUrl });
  await db.connect();
  try {
    // Every /v1/events case is refused: none of their events (learner bi-ev-<run>) may be stored.
    const countEvents = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE learner_id = $1", [`bi-ev-${run}`])).rows[0].n);
    const before = await countEvents();
    for (const c of cases) {
      const answer = await c.send();
      const refused = c.refused(answer);
      tally.count(answer.status, refused);
      if (!refused) wrong.push(`${c.name}: ${answer.status}`);
      if (answer.status >= 400 && !/^application\/problem\+json/.test(answer.headers.get("content-type") ?? "")) notProblem++;
    }
    const storedOthers = (await countEvents()) - before;
    return [
      tally.row(
        "4",
        `Bad input, the issue's ${cases.length} targeted cases: NUL and lone surrogates in ids, properties, names, attributes, Segment/xAPI/Caliper calls, members, insights, conditions; twin surrogate ids; 5,000/100,000 levels; BC dates; %E0%A4%A; gzip/br/deflate on plain bodies`,
        wrong.length
          ? `not refused: ${wrong.join("; ")}`
          : `each refused (400, or the call dropped from a Segment 200); ${notProblem} answers not problem+json; events stored by refused requests: ${storedOthers}`,
        wrong.length === 0 && notProblem === 0 && storedOthers === 0,
      ),
    ];
  } finally {
    await db.end();
  }
}

/** The fuzz suite's generators against the report engine; `cases` requests. */
export async function fuzzedBadInput(engine: ReportEngine, cases: number): Promise<ReportRow[]> {
  const operations = operationsOf((await call(engine, "GET", "/openapi.json")).json);
  const token = await call(engine, "POST", "/v1/learner-tokens", { role: "ingest", body: { learnerId: "fz-learner" } });
  const secrets = { ...engine.keys, learner: String(token.json?.token), bad: "coach_admin_report0000000000000000000000000000" };
  const state = { messageId: randomUUID(), otherMessageId: randomUUID(), sacrificialKeyId: randomUUID() };
  const samples: FuzzCase[] = fc.sample(fuzzCase(operations, CREDENTIALS, state), cases);
  const tally = new Tally();
  const violations = new Map<string, number>();
  for (const [i, c] of samples.entries()) {
    const body = bodyBytes(c);
    // 500 client addresses, 10 requests each: fewer failed authentications per address than the limiter allows.
    const localAddress = `127.0.${2 + (i % 2)}.${1 + (Math.floor(i / 2) % 250)}`;
    const answer = await rawExchange(engine.port, { ...requestOf(c, secrets, body), localAddress }, liesAboutFraming(c, body?.length ?? 0) ? LIAR_PATIENCE_MS : 15_000);
    tally.count(answer.status, answer.status >= 400 && answer.status < 500);
    const op = operations.find((o) => `${o.method} ${o.path}` === c.operation)!;
    for (const v of judge(op, c, answer, body?.length ?? 0, state)) {
      const kind = v.replace(/\d+/g, "N").slice(0, 80);
      violations.set(kind, (violations.get(kind) ?? 0) + 1);
    }
  }
  const listed = [...violations].map(([v, n]) => `${n} × ${v}`).join("; ");
  return [
    tally.row(
      "4",
      `Bad input, ${cases.toLocaleString("en")} fuzzed requests (tests/fuzz generators: ${operations.length} operations × 7 credentials; bodies, encodings, paths, queries, headers)`,
      violations.size ? `oracle violations: ${listed}` : `no oracle violation (problem+json on every 4xx, access before the body, Segment/xAPI semantics); answers ${tally.describe()}`,
      violations.size === 0,
    ),
  ];
}
