/** The pure parts of the standards: the path language, the mapping choice, field extraction and Segment names. */
import fc from "fast-check";
import { compilePath, readPath } from "../../../src/standards/record-path";
import { compileMappingSet, extractFields, findMapping } from "../../../src/standards/mapping-set";
import { DEFAULT_MAPPINGS } from "../../../src/standards/default-mappings";
import { mappingSchema, type Mapping } from "../../../src/standards/mapping.schema";
import { normalizeEventName } from "../../../src/standards/segment-call";
import { isoDurationSeconds } from "../../../src/standards/ingest-xapi-statements";
import { checkStatement, quickAccept, statementDigest, statementSchema } from "../../../src/standards/xapi-statement";
import { EVENT_TYPE_PATTERN, eventSchema } from "../../../src/ingest/event.schema";
import { mapRecord } from "../../../src/standards/map-record";
import * as f from "../../factories/standards";

describe("the record path language", () => {
  const doc = {
    actor: { account: { name: "a1" } },
    result: { extensions: { "https://w3id.org/xapi/video/extensions/time": 12.5 } },
    context: { contextActivities: { parent: [{ id: "p0" }, { id: "course-x", definition: { type: "http://adlnet.gov/expapi/activities/course" } }], grouping: { id: "single" } } },
  };
  it.each([
    ["actor.account.name", "a1"],
    ['result.extensions["https://w3id.org/xapi/video/extensions/time"]', 12.5],
    ["context.contextActivities.parent[1].id", "course-x"],
    ["context.contextActivities.parent[definition.type=http://adlnet.gov/expapi/activities/course].id", "course-x"],
    ['context.contextActivities.parent[definition.type="http://adlnet.gov/expapi/activities/course"].id', "course-x"],
    ["context.contextActivities.parent[definition.type!=http://adlnet.gov/expapi/activities/course].id", "p0"],
    ["context.contextActivities.grouping[0].id", "single"],
    ["context.contextActivities.grouping[1].id", undefined],
    ["actor.constructor", undefined],
    ["actor.account.name.length", undefined],
  ])("%s → %p", (path, expected) => {
    expect(readPath(doc, compilePath(path))).toEqual(expected);
  });

  it.each(["", "a..b", "a[", "a[]", "a[=x]", "a]b", ".a", "a.[0]"])("refuses %p", (path) => {
    expect(() => compilePath(path)).toThrow();
  });

  it("never throws reading any JSON with any compilable path", () => {
    fc.assert(
      fc.property(fc.json(), fc.array(fc.constantFrom("a", "b", "[0]", "[1]", "[x=1]", "[x!=1]", '["a.b"]'), { minLength: 1, maxLength: 6 }), (json, parts) => {
        const text = `k${parts.map((p) => (p.startsWith("[") ? p : `.${p}`)).join("")}`;
        readPath({ k: JSON.parse(json) }, compilePath(text));
      }),
    );
  });
});

describe("choosing a mapping and reading its fields", () => {
  const custom: Mapping = mappingSchema.parse({
    key: "our.completed.module",
    source: "xapi",
    match: { verb: "http://adlnet.gov/expapi/verbs/completed", objectType: "http://adlnet.gov/expapi/activities/module" },
    eventType: "unit.done",
  });
  const set = compileMappingSet([...DEFAULT_MAPPINGS, custom], new Map([[custom.key, "custom"]]));
  const kind = (verb: string, objectType: string | null) => ({ format: "xapi" as const, verb, objectType });

  it("validates every shipped mapping against the schema staff use", () => {
    for (const m of DEFAULT_MAPPINGS) expect(mappingSchema.safeParse(m).success).toBe(true);
    expect(new Set(DEFAULT_MAPPINGS.map((m) => m.key)).size).toBe(DEFAULT_MAPPINGS.length);
  });

  it("prefers the more specific mapping, and staff's own over a shipped one as specific", () => {
    const body = { object: { id: "x" } };
    expect(findMapping(set, kind("http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/activities/course"), body)?.key).toBe("xapi.adl.completed.course");
    expect(findMapping(set, kind("http://adlnet.gov/expapi/verbs/completed", "https://example.com/other"), body)?.key).toBe("xapi.adl.completed");
    expect(findMapping(set, kind("http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/activities/module"), body)?.key).toBe("our.completed.module");
    expect(findMapping(set, kind("https://example.com/unknown", null), body)).toBeNull();
  });

  it("keeps a score only when it is 0–1, computes one from raw and max, and leaves out ids over 128 characters", () => {
    const m = findMapping(set, kind("http://adlnet.gov/expapi/verbs/attempted", "http://adlnet.gov/expapi/activities/question"), {})!;
    expect(extractFields(m, { actor: { account: { name: "L" } }, result: { score: { scaled: -0.5, raw: 3, max: 4 } } })).toMatchObject({ learner: "L", score: 0.75 });
    expect(extractFields(m, { actor: { account: { name: "x".repeat(129) }, mbox: "mailto:l@example.org" } })).toMatchObject({ learner: "l@example.org" });
    expect(extractFields(m, { actor: { account: { name: "L" } }, result: { score: { raw: 5, max: 0 } } }).score).toBeUndefined();
  });
});

describe("events built from mapped records", () => {
  const set = compileMappingSet(DEFAULT_MAPPINGS, new Map());
  const statements = [
    f.openedxEnrollment("a", "course-v1:O+C+1"),
    f.openedxProblemSubmitted("a", "course-v1:O+C+1", 1, 2),
    f.openedxVideo("a", "course-v1:O+C+1", "completed"),
    f.openedxBlockCompletion("a", "course-v1:O+C+1"),
    f.openedxCourse("a", "course-v1:O+C+1", "earned", 0.5),
    f.moodleEnrolment("7", 3),
    f.moodleQuizSubmitted("7", 3, 0.25, false),
    f.moodleModuleCompleted("7", 3),
    f.adlModuleLaunched("z", "https://x.org/c", "https://x.org/c/m"),
  ];
  it.each(statements.map((s, i) => [i, s] as const))("statement %i gives an event /v1/events would accept", (_i, statement) => {
    const checked = checkStatement(statement, "");
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const record = mapRecord(set, { id: checked.id, kind: checked.kind, body: checked.statement, occurredAt: checked.statement.timestamp, properties: { source: "xapi" } }, new Date());
    if (record.outcome.status !== "mapped") throw new Error(`not mapped: ${JSON.stringify(record.outcome)}`);
    const e = record.outcome.event;
    const raw = {
      id: e.id,
      type: e.type,
      learnerId: e.learnerId,
      ...(e.courseId ? { courseId: e.courseId } : {}),
      ...(e.moduleId ? { moduleId: e.moduleId } : {}),
      occurredAt: e.occurredAt.toISOString(),
      properties: e.properties,
      ...(e.learner ? { learner: e.learner } : {}),
    };
    expect(eventSchema.safeParse(raw).success).toBe(true);
  });

  it("keeps a statement from 1900 as unusable, with the reason", () => {
    const statement = { ...f.moodleModuleCompleted("7", 3), timestamp: "1900-01-01T00:00:00Z" };
    const checked = checkStatement(statement, "");
    if (!checked.ok) throw new Error("invalid");
    const record = mapRecord(set, { id: checked.id, kind: checked.kind, body: checked.statement, occurredAt: checked.statement.timestamp, properties: {} }, new Date());
    expect(record.outcome).toMatchObject({ status: "unusable", note: expect.stringContaining("1970") });
  });
});

describe("Segment event names", () => {
  it.each([
    ["Quiz Submitted", "quiz.submitted"],
    ["Product List Viewed", "product_list.viewed"],
    ["Lesson Viewed (Preview)", "lesson.viewed"],
    ["  Leçon Terminée ", "lecon.terminee"],
    ["quiz.submitted", "quiz.submitted"],
    ["video_completed", "video_completed"],
    ["Signed-Up", "signed.up"],
    ["3D Model Viewed", null],
    ["レッスン", null],
    ["!!!", null],
  ])("%p → %p", (name, expected) => {
    expect(normalizeEventName(name)).toBe(expected);
  });

  it("always gives a valid event type or null", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (name) => {
        const type = normalizeEventName(name);
        expect(type === null || EVENT_TYPE_PATTERN.test(type)).toBe(true);
      }),
    );
  });
});

describe("xAPI details", () => {
  it.each([
    ["PT3M15S", 195],
    ["P1DT2H", 93600],
    ["PT0.5S", 0.5],
    ["PT", undefined],
    ["P", undefined],
    ["3 minutes", undefined],
  ])("duration %p → %p", (text, seconds) => {
    expect(isoDurationSeconds(text)).toBe(seconds);
  });

  it("gives the same digest to the same statement however its timestamp and keys are written, another to other content", () => {
    const a = checkStatement(
      {
        id: "6D1F033B-3F70-458C-B53A-E6BB63CBAEF9",
        actor: { mbox: "mailto:a@b.c" },
        verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
        object: { id: "http://x.y/z" },
        timestamp: "2026-01-01T10:00:00.000Z",
      },
      "",
    );
    const b = checkStatement(
      {
        timestamp: "2026-01-01T11:00:00+01:00",
        object: { id: "http://x.y/z" },
        verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
        actor: { mbox: "mailto:a@b.c" },
        id: "6d1f033b-3f70-458c-b53a-e6bb63cbaef9",
        stored: "2026-02-02T00:00:00Z",
        version: "1.0.3",
      },
      "",
    );
    const c = checkStatement(
      { id: "6d1f033b-3f70-458c-b53a-e6bb63cbaef9", actor: { mbox: "mailto:a@b.c" }, verb: { id: "http://adlnet.gov/expapi/verbs/passed" }, object: { id: "http://x.y/z" } },
      "",
    );
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.id).toBe("6d1f033b-3f70-458c-b53a-e6bb63cbaef9");
      expect(statementDigest(a.statement)).toBe(statementDigest(b.statement));
      expect(statementDigest(c.statement)).not.toBe(statementDigest(a.statement));
    }
  });

  it("refuses an agent with two identifiers, a voiding statement that does not refer to a statement, and unknown properties", () => {
    const base = { actor: { mbox: "mailto:a@b.c" }, verb: { id: "http://adlnet.gov/expapi/verbs/completed" }, object: { id: "http://x.y/z" } };
    expect(checkStatement({ ...base, actor: { mbox: "mailto:a@b.c", openid: "http://x.y/a" } }, "").ok).toBe(false);
    expect(checkStatement({ ...base, verb: { id: "http://adlnet.gov/expapi/verbs/voided" } }, "").ok).toBe(false);
    expect(checkStatement({ ...base, colour: "red" }, "").ok).toBe(false);
    expect(checkStatement({ ...base, object: { id: "not an iri" } }, "").ok).toBe(false);
  });
});

describe("the statement fast path", () => {
  const base = () => ({
    id: "6d1f033b-3f70-458c-b53a-e6bb63cbaef9",
    actor: { objectType: "Agent", name: "A", account: { homePage: "http://lms.example", name: "a1" } },
    verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { en: "completed" } },
    object: { objectType: "Activity", id: "http://lms.example/a/1", definition: { type: "http://adlnet.gov/expapi/activities/module" } },
    result: { score: { scaled: 0.5, raw: 5, min: 0, max: 10 }, success: true, completion: true, duration: "PT1M" },
    context: { contextActivities: { parent: [{ id: "http://lms.example/c" }] } },
    timestamp: "2026-01-01T10:00:00.123+02:00",
    version: "1.0.3",
  });
  const paths: string[][] = [
    [],
    ["id"],
    ["actor"],
    ["actor", "objectType"],
    ["actor", "name"],
    ["actor", "mbox"],
    ["actor", "openid"],
    ["actor", "account"],
    ["actor", "account", "homePage"],
    ["actor", "account", "name"],
    ["actor", "member"],
    ["verb"],
    ["verb", "id"],
    ["verb", "display"],
    ["verb", "display", "en"],
    ["object"],
    ["object", "objectType"],
    ["object", "id"],
    ["result"],
    ["result", "score"],
    ["result", "score", "scaled"],
    ["result", "score", "raw"],
    ["result", "success"],
    ["result", "duration"],
    ["context"],
    ["timestamp"],
    ["version"],
    ["attachments"],
    ["stored"],
    ["authority"],
    ["extra"],
  ];
  const values = fc.oneof(
    fc.constantFrom(
      undefined,
      "",
      "x",
      "http://a.b/c",
      "mailto:a@b.c",
      "Agent",
      "Group",
      "Activity",
      "StatementRef",
      "2026-02-30T10:00:00Z",
      "2026-01-01T10:00:00Z",
      "1.0.0",
      "3.0",
      2,
      -2,
      0.5,
      true,
      [],
      {},
      { id: "http://x.y" },
    ),
    fc.json().map((j) => JSON.parse(j) as unknown),
  );

  it("accepts only what the schema accepts, whatever is changed", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), values), { minLength: 1, maxLength: 3 }), (changes) => {
        const s: Record<string, unknown> = base();
        for (const [path, value] of changes) {
          if (path.length === 0) continue;
          let target: Record<string, unknown> = s;
          for (const key of path.slice(0, -1)) {
            if (target[key] === null || typeof target[key] !== "object" || Array.isArray(target[key])) target[key] = {};
            target = target[key] as Record<string, unknown>;
          }
          if (value === undefined) delete target[path[path.length - 1]];
          else target[path[path.length - 1]] = value;
        }
        if (quickAccept(s)) expect(statementSchema.safeParse(s).success).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it("takes the ordinary statement without the schema", () => {
    expect(quickAccept(base())).toBe(true);
    expect(quickAccept({ ...base(), actor: { objectType: "Group", member: [{ mbox: "mailto:a@b.c" }] } })).toBe(false);
  });
});
