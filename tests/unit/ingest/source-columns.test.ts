import { sourceColumns } from "../../../src/ingest/source-columns";
import type { NormalizedEvent } from "../../../src/ingest/parse-events";

const event = (id: string, source?: NormalizedEvent["source"]): NormalizedEvent => ({
  id,
  type: "video.completed",
  learnerId: "L1",
  courseId: null,
  moduleId: null,
  occurredAt: new Date("2026-12-02T10:00:00Z"),
  sentAt: null,
  properties: {},
  learner: null,
  source,
});

/** A request body of its own (larger than Node's buffer pool) and the views of its array's items. */
function requestBody(items: object[]): { raw: Buffer; views: Buffer[] } {
  const texts = items.map((i) => JSON.stringify(i));
  const raw = Buffer.from(`[ ${texts.join(" ,\n ")} ]`);
  const views: Buffer[] = [];
  let from = 0;
  for (const text of texts) {
    const start = raw.indexOf(text, from);
    views.push(raw.subarray(start, start + Buffer.byteLength(text)));
    from = start + Buffer.byteLength(text);
  }
  return { raw, views };
}

describe("the originals' columns a group sends to PostgreSQL", () => {
  it("points each event at its original's bytes and its kind, however the originals arrived", () => {
    const padding = "é".repeat(3_000); // multi-byte text: offsets are bytes, not characters
    const first = requestBody([
      { n: 1, padding },
      { n: 2, padding },
      { n: 3, padding },
    ]);
    const second = requestBody([
      { n: 4, padding },
      { n: 5, padding },
    ]);
    const small = Buffer.from('{"n":6}'); // from Node's shared pool: copied alone, never its neighbours
    const kindA = { verb: "completed", objectType: null };
    const kindB = { call: "track", event: "Video Completed" };
    const events = [
      event("a", { format: "xapi", mappingKey: "m1", kind: kindA, body: null, bodyBytes: first.views[2] }),
      event("b"),
      event("c", { format: "xapi", mappingKey: "m1", kind: { ...kindA }, body: null, bodyBytes: second.views[0] }),
      event("d", { format: "segment", mappingKey: "m2", kind: kindB, body: null, bodyBytes: first.views[0] }),
      event("e", { format: "caliper", mappingKey: null, kind: kindA, body: { n: 7, ü: [1] } }),
      event("f", { format: "segment", mappingKey: "m2", kind: kindB, body: null, bodyBytes: small }),
      event("g", { format: "xapi", mappingKey: "m1", kind: kindA, body: null, bodyBytes: second.views[1] }),
    ];
    const columns = sourceColumns(events, new Set(["a", "b", "g"]))!;
    const slice = (at: number | null, length: number | null) => columns.bytes.subarray(at! - 1, at! - 1 + length!).toString("utf8");
    const bodies = events.map((_, i) => (columns.bodyAt[i] === null ? null : JSON.parse(slice(columns.bodyAt[i], columns.bodyLength[i]))));
    expect(bodies).toEqual([{ n: 3, padding }, null, { n: 4, padding }, { n: 1, padding }, { n: 7, ü: [1] }, { n: 6 }, { n: 5, padding }]);
    const kinds = events.map((_, i) => (columns.kindIndex[i] === null ? null : JSON.parse(columns.kinds[columns.kindIndex[i]! - 1])));
    expect(kinds).toEqual([kindA, null, kindA, kindB, kindA, kindB, kindA]);
    expect(columns.kinds.map((k) => JSON.parse(k))).toEqual([kindA, kindB]); // each distinct kind once
    expect(columns.format).toEqual(["xapi", null, "xapi", "segment", "caliper", "segment", "xapi"]);
    expect(columns.mappingKey).toEqual(["m1", null, "m1", "m2", null, "m2", "m1"]);
    // Only events with an original can be exclusive.
    expect(columns.exclusive).toEqual([true, false, false, false, false, false, true]);
    // Each request body's span once (the first one's from its first item to its last used).
    const firstSpan = first.views[2].byteOffset + first.views[2].length - first.views[0].byteOffset;
    const secondSpan = second.views[1].byteOffset + second.views[1].length - second.views[0].byteOffset;
    expect(columns.bytes.length).toBe(firstSpan + secondSpan + small.length + Buffer.byteLength(JSON.stringify({ n: 7, ü: [1] })));
  });

  it("sends nothing for a group without originals", () => {
    expect(sourceColumns([event("a"), event("b")], undefined)).toBeNull();
  });
});
