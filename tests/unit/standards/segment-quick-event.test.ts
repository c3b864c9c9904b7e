/**
 * Segment calls become events without eventSchema when they are ordinary (quickEvent); this holds that path to
 * the schema: for random ordinary and odd calls the answer (event, or drop with reason and paths) is the same
 * as through the schema, and quickEvent accepts exactly the events the schema accepts.
 */
import fc from "fast-check";
import { compileMappingSet } from "../../../src/standards/mapping-set";
import { DEFAULT_MAPPINGS } from "../../../src/standards/default-mappings";
import { mappingSchema } from "../../../src/standards/mapping.schema";
import { convertSegmentCall } from "../../../src/standards/segment-call";
import { quickEvent, type EventInput } from "../../../src/ingest/quick-event";
import { parseOneEvent } from "../../../src/ingest/parse-events";

const receivedAt = new Date("2026-12-02T10:00:00.000Z");
const custom = mappingSchema.parse({ key: "our.exam", source: "segment", match: { event: "Exam Finished" }, eventType: "quiz.submitted" });
const set = compileMappingSet([...DEFAULT_MAPPINGS, custom], new Map([[custom.key, "custom"]]));

const long = (n: number) => "x".repeat(n);
const time = fc.oneof(
  fc.constantFrom(
    "2026-12-02T09:59:58.123Z",
    "2026-12-02T10:59:58+01:00",
    "2026-12-02T09:00:00.123456+00:00",
    "2026-12-02T09:00:00",
    "2024-02-29T10:00:00Z",
    "2025-02-29T10:00:00Z",
    "2026-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2300-01-01T00:00:00Z",
    "2026-12-02T12:00:00Z",
    "yesterday",
    "",
  ),
  fc.date({ min: new Date("1960-01-01T00:00:00Z"), max: new Date("2210-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString()),
);
const id = fc.oneof(fc.constantFrom("u1", "  u2 ", "", "   ", long(128), long(129), 42), fc.string({ maxLength: 12 }));
const key = fc.oneof(fc.constantFrom("courseId", "course_id", "moduleId", "module_id", "score", "passed", "name", long(129), "__proto__"), fc.string({ maxLength: 8 }));
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0.5, 2, -1, true, "yes", "course-v1:X+Y+2026", long(129)));
const dict = fc.dictionary(key, value, { maxKeys: 5 });
const traits = fc.dictionary(
  fc.oneof(fc.constantFrom("name", "firstName", "lastName", "locale", "timezone", "email", long(129)), fc.string({ maxLength: 6 })),
  fc.oneof(value, fc.constantFrom("Ada", long(201), "en-GB", "Europe/Paris", "Mars/Base")),
  { maxKeys: 5 },
);
const context = fc.record(
  {
    timezone: fc.constantFrom("Europe/London", "UTC", "Mars/Base", "", 3),
    locale: fc.constantFrom("en-US", "pt_BR", "english", "x", "", null),
    traits,
    library: fc.constant({ name: "analytics.js", version: "5.0.0" }),
  },
  { requiredKeys: [] },
);
const name = fc.oneof(
  fc.constantFrom("Video Completed", "Quiz Submitted", "Exam Finished", "Lesson Viewed (Preview)", "quiz.submitted", "Ünïcode Ñame", "", "   ", "!!!", `${long(70)} Done`, long(70), 7),
  fc.string({ maxLength: 20 }),
);
const call = fc.record(
  {
    type: fc.constantFrom("track", "track", "track", "page", "screen", "identify", "group", "alias", "TRACK", "bogus", 1),
    messageId: fc.oneof(fc.uuid(), fc.constantFrom("", long(129), 5)),
    userId: id,
    anonymousId: id,
    event: name,
    name,
    category: fc.string({ maxLength: 5 }),
    timestamp: time,
    originalTimestamp: time,
    sentAt: time,
    properties: dict,
    context,
    traits,
    groupId: fc.string({ maxLength: 5 }),
    previousId: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: [] },
);
/** Calls as Segment's libraries send them: recent times, plain names and properties, a device context. */
const recent = fc.oneof(
  fc.date({ min: new Date("2026-11-01T00:00:00Z"), max: receivedAt, noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2026-12-02T10:30:00+01:00", "2026-12-02T09:00:00.123456+00:00", "2026-11-30T09:00:00-05:00"),
);
const plainKey = fc.oneof(
  fc.constantFrom("courseId", "moduleId", "seconds", "score", "passed"),
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== "__proto__"),
);
const ordinaryCall = fc.record(
  {
    type: fc.constantFrom("track", "track", "track", "page", "screen", "identify", "group", "alias"),
    messageId: fc.uuid(),
    userId: fc.constantFrom("u1", "learner-42", "L9"),
    event: fc.constantFrom("Video Completed", "Quiz Submitted", "Exam Finished", "Lesson Viewed (Preview)", "quiz.submitted", "Ünïcode Ñame"),
    name: fc.constantFrom("Home", "Lesson 3"),
    timestamp: recent,
    sentAt: recent,
    properties: fc.dictionary(plainKey, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(0.5, true, "course-v1:X+Y+2026")), { maxKeys: 4 }),
    context: fc.record(
      {
        timezone: fc.constantFrom("Europe/London", "America/New_York", "UTC"),
        locale: fc.constantFrom("en-US", "pt-BR", "de"),
        traits: fc.record({ name: fc.constantFrom("Ada Lovelace", "Grace"), email: fc.constant("a@example.org"), plan: fc.constantFrom("pro", "free") }, { requiredKeys: [] }),
        library: fc.constant({ name: "analytics.js", version: "5.0.0" }),
      },
      { requiredKeys: [] },
    ),
    traits: fc.record({ firstName: fc.constant("Ada"), lastName: fc.constant("Lovelace"), timezone: fc.constant("Europe/Paris") }, { requiredKeys: [] }),
  },
  { requiredKeys: ["type", "messageId", "userId", "event", "timestamp"] },
);
/** What JSON.parse can give that JSON.stringify cannot make: an own __proto__ key, and 1e400 as Infinity. */
const odd = fc.constantFrom("none", "none", "none", "proto", "infinite", "infiniteTrait");
const batch = fc.record({ context: fc.option(context, { nil: undefined }), sentAt: fc.option(fc.oneof(recent, time), { nil: undefined }) });

function asParsed(c: object, oddity: string): Record<string, unknown> {
  const parsed = JSON.parse(JSON.stringify(c)) as Record<string, unknown>;
  if (oddity === "proto") parsed.properties = JSON.parse('{"__proto__":{"a":1},"courseId":"c1","n":1}');
  if (oddity === "infinite") parsed.properties = { ...(parsed.properties as object), big: JSON.parse("1e400") };
  if (oddity === "infiniteTrait") parsed.context = { traits: { big: JSON.parse("-1e400"), name: "Ada" } };
  return parsed;
}

describe("Segment calls built directly as events", () => {
  it("gives the same answer as parsing through eventSchema, for ordinary and odd calls", () => {
    let direct = 0;
    fc.assert(
      fc.property(fc.oneof(ordinaryCall, call), odd, batch, fc.boolean(), (c, oddity, b, inBatch) => {
        const body = asParsed(c, oddity);
        const input = {
          call: body,
          endpointCall: null,
          index: inBatch ? 3 : null,
          batchContext: (b.context ?? {}) as Record<string, unknown>,
          batchSentAt: b.sentAt !== undefined && !Number.isNaN(Date.parse(b.sentAt)) ? b.sentAt : undefined,
          receivedAt,
          measure: true,
          checkText: true,
        };
        const quick = convertSegmentCall(set, input);
        const viaSchema = convertSegmentCall(set, input, true);
        expect(quick).toEqual(viaSchema);
        if (quick.ok) {
          expect(Number.isNaN(quick.event.occurredAt.getTime())).toBe(false);
          direct++;
        }
      }),
      { numRuns: 3000, seed: 1502 },
    );
    expect(direct).toBeGreaterThan(400);
  });

  it("accepts exactly the events eventSchema accepts, and builds the same event", () => {
    const props = fc.oneof(
      dict.map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
      fc.constant({ big: Infinity }),
      fc.constant({ score: 0.5, passed: "no" }),
    );
    const event = fc.record(
      {
        id: fc.constantFrom("m1", "", long(128), long(129)),
        type: fc.constantFrom("video.completed", "quiz.submitted", "Quiz", "", long(65)),
        learnerId: fc.constantFrom("L1", "", long(129)),
        courseId: fc.constantFrom("c1", "", long(129)),
        moduleId: fc.constantFrom("m1", long(129)),
        occurredAt: time,
        properties: props,
        learner: fc.record(
          {
            name: fc.constantFrom("Ada", long(201), null),
            locale: fc.constantFrom("en", "pt-BR", "english!", null),
            timezone: fc.constantFrom("Europe/London", "Mars/Base", null),
            attributes: fc.oneof(
              traits.map((t) => JSON.parse(JSON.stringify(t)) as Record<string, unknown>),
              fc.constant({ big: -Infinity }),
            ),
            extra: fc.constant(1),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ["id", "type", "learnerId", "occurredAt", "properties"] },
    );
    let accepted = 0;
    const ordinaryEvent = fc.record(
      {
        id: fc.uuid(),
        type: fc.constantFrom("video.completed", "quiz.submitted"),
        learnerId: fc.constantFrom("L1", "learner-42"),
        courseId: fc.constant("c1"),
        occurredAt: recent,
        properties: fc.dictionary(plainKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        learner: fc.record({ name: fc.constant("Ada"), locale: fc.constant("en-GB"), timezone: fc.constant("Europe/London"), attributes: fc.constant({ plan: "pro" }) }, { requiredKeys: [] }),
      },
      { requiredKeys: ["id", "type", "learnerId", "occurredAt", "properties"] },
    );
    fc.assert(
      fc.property(
        fc.oneof(ordinaryEvent, event),
        fc.option(
          fc.oneof(
            recent,
            time.filter((t) => !Number.isNaN(Date.parse(t))),
          ),
          { nil: undefined },
        ),
        (raw, sentAt) => {
          const viaSchema = parseOneEvent(raw, { prefix: "", batchSentAt: sentAt, receivedAt, measure: false, checkText: false });
          const quick = quickEvent(raw as EventInput, sentAt, receivedAt);
          if ("errors" in viaSchema) {
            expect(quick).toBeNull();
          } else {
            expect(quick).toEqual(viaSchema.event);
            accepted++;
          }
        },
      ),
      { numRuns: 3000, seed: 1503 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it("builds an ordinary call from Segment's libraries directly", () => {
    const raw: EventInput = {
      id: "m1",
      type: "video.completed",
      learnerId: "L1",
      courseId: "c1",
      occurredAt: "2026-12-02T09:59:58.123Z",
      properties: { seconds: 42 },
      learner: { locale: "en-US", timezone: "Europe/London" },
    };
    expect(quickEvent(raw, "2026-12-02T09:59:59.123Z", receivedAt)).toMatchObject({ id: "m1", occurredAt: new Date("2026-12-02T09:59:59.000Z"), properties: { seconds: 42 } });
  });

  it("drops odd names with their reason, and ignores a call's own malformed sentAt", () => {
    const base = { call: null as unknown, endpointCall: null, index: 0, batchContext: {}, batchSentAt: undefined, receivedAt, measure: false, checkText: false };
    expect(convertSegmentCall(set, { ...base, call: { type: "track", userId: "u", event: "!!!" } })).toMatchObject({ ok: false, reason: "invalid", errors: [{ path: "batch[0].event" }] });
    expect(convertSegmentCall(set, { ...base, call: { type: "track", userId: "u", event: "  " } })).toMatchObject({ ok: false, reason: "unnamed_event" });
    expect(convertSegmentCall(set, { ...base, call: { type: "track", userId: "u", messageId: long(129), event: "A B" } })).toMatchObject({
      ok: false,
      reason: "invalid",
      errors: [{ path: "batch[0].messageId" }],
    });
    const kept = convertSegmentCall(set, { ...base, call: { type: "track", userId: "u", event: "A B", timestamp: "2026-12-02T09:00:00Z", sentAt: "yesterday" } });
    expect(kept).toMatchObject({ ok: true, event: { type: "a.b", occurredAt: new Date("2026-12-02T09:00:00Z"), sentAt: null } });
  });
});
