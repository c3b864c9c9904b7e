import fc from "fast-check";
import { MAX_JSON_DEPTH, scanJsonText } from "../../../src/lib/json-text-scan";
import { unsafeTextReason } from "../../../src/lib/unsafe-text";

const scan = (text: string, max = MAX_JSON_DEPTH) => scanJsonText(Buffer.from(text, "utf8"), max);

/** The reference depth of a parsed value: containers on the longest path. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe("the pre-parse JSON scan", () => {
  it("agrees with the parsed depth for any JSON value, whatever its strings hold", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(scan(text, max).tooDeepAt === null).toBe(depthOf(value) <= max);
      }),
      { numRuns: 3_000 },
    );
  });

  it("is not fooled by brackets, quotes and escapes inside strings", () => {
    expect(scan(JSON.stringify({ a: "[[[[{{{{", b: '\\"[[', c: ["]]]]}}}"] }), 2).tooDeepAt).toBeNull();
    expect(scan('{"k\\"[": {"x": [1]}}', 2).tooDeepAt).toBe('k"[.x');
  });

  it("names the path of the first container past the limit: keys, indices, odd keys escaped", () => {
    expect(scan('{"events":[{"id":"a"},{"properties":{"a":{"b":[1,[2]]}}}]}', 6).tooDeepAt).toBe("events[1].properties.a.b[1]");
    expect(scan('{"events":[{"id":"a"},{"properties":{"a":{"b":[1,[2]]}}}]}', 7).tooDeepAt).toBeNull();
    expect(scan('{"a b":{"\\u0000":[[]]}}', 3).tooDeepAt).toBe('a b["\\u0000"][0]');
    expect(scan("[".repeat(100_000), MAX_JSON_DEPTH).tooDeepAt).toBe("[0]".repeat(MAX_JSON_DEPTH));
    expect(scan("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)).tooDeepAt).toBeNull();
  });

  it("notes an escaped NUL or surrogate, and only then", () => {
    expect(scan(JSON.stringify({ a: "plain", é: "ü 😀" })).mayHoldUnsafeText).toBe(false);
    expect(scan(JSON.stringify({ a: "\u0000" })).mayHoldUnsafeText).toBe(true);
    expect(scan(JSON.stringify({ "\ud800": 1 })).mayHoldUnsafeText).toBe(true);
    expect(scan('{"a":"\\uD83D\\uDE00"}').mayHoldUnsafeText).toBe(true); // a pair too: the walk then decides
    expect(scan('{"a":"\\\\u0000"}').mayHoldUnsafeText).toBe(false); // an escaped backslash, then text
  });

  it("whenever a parsed string holds NUL or a lone surrogate, the scan said it might", () => {
    const unit = fc.oneof(fc.constantFrom(0, 0xd800, 0xdfff, 0x5c, 0x22, 0x75), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 10 }), (units) => {
        const text = String.fromCharCode(...units);
        const holds = unsafeTextReason(text) !== null;
        if (holds) expect(scan(JSON.stringify({ [text]: text })).mayHoldUnsafeText).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
