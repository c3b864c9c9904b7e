import fc from "fast-check";
import { findUnsafeText, unsafeTextReason } from "../../../src/lib/unsafe-text";

/** The reference: a string PostgreSQL stores faithfully has no NUL and is well-formed UTF-16. */
function storable(text: string): boolean {
  if (text.includes("\0")) return false;
  return Buffer.from(text, "utf8").toString("utf8") === text; // lone surrogates come back as U+FFFD
}

describe("unstorable text", () => {
  it("is recognized exactly: NUL and lone surrogates, never a surrogate pair", () => {
    expect(unsafeTextReason("plain")).toBeNull();
    expect(unsafeTextReason("emoji 😀 pair")).toBeNull();
    expect(unsafeTextReason("a\u0000b")).toMatch(/NUL/);
    expect(unsafeTextReason("\ud800")).toMatch(/\\ud800/);
    expect(unsafeTextReason("x\udc00")).toMatch(/\\udc00/);
    expect(unsafeTextReason("\ud83d\ud83d\ude00")).toMatch(/lone surrogate/); // a high surrogate before a pair
    expect(unsafeTextReason("\ude00\ud83d")).toMatch(/lone surrogate/); // reversed pair
  });

  it("agrees with a UTF-8 round trip for any string of UTF-16 code units", () => {
    const unit = fc.oneof(fc.constantFrom(0, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0x41, 0xfffd), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const text = String.fromCharCode(...units);
        expect(unsafeTextReason(text) === null).toBe(storable(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it("names the path of every bad value and key, keys shown escaped", () => {
    const body = { events: [{ id: "ok" }, { properties: { note: "x\u0000", ["a\u0000b"]: 1, list: ["fine", "\ud800"] } }], "\udc00": "v" };
    // In document order.
    expect(findUnsafeText(body).map((e) => e.path)).toEqual(["events[1].properties.note", 'events[1].properties["a\\u0000b"]', "events[1].properties.list[1]", '["\\udc00"]']);
    expect(findUnsafeText({ a: "\u0000" }, "query").map((e) => e.path)).toEqual(["query.a"]);
    expect(findUnsafeText("\u0000", "params.learnerId").map((e) => e.path)).toEqual(["params.learnerId"]);
  });

  it("walks any depth without recursion and stops after the limit", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnsafeText(deep)[0].path).toBe("[0]".repeat(200_000));
    expect(
      findUnsafeText(
        Array.from({ length: 1_000 }, () => "\u0000"),
        "",
        5,
      ),
    ).toHaveLength(5);
  });
});
