import fc from "fast-check";
import { MAX_JSON_DEPTH, itemBytes, scanJsonText, trimmedRange, type ItemsOf } from "../../../src/lib/json-text-scan";
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

describe("the items of a body's array, located by the scan", () => {
  /** The items' texts, decoded from their byte ranges. */
  const itemsOf = (text: string, which: ItemsOf) => {
    const bytes = Buffer.from(text, "utf8");
    const items = scanJsonText(bytes, MAX_JSON_DEPTH, which).items;
    if (items === null) return null;
    const texts: string[] = [];
    for (let i = 0; i < items.length; i += 2) texts.push(bytes.subarray(items[i], items[i + 1]).toString("utf8"));
    return texts;
  };

  it("splits any root array as JSON.parse reads it, whatever the spacing and the characters", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.constantFrom("", " ", "\n  ", "\t"), (items, space) => {
        const text = `${space}[${space}${items.map((i) => JSON.stringify(i, null, space ? 1 : 0)).join(`${space},${space}`)}${space}]${space}`;
        expect(itemsOf(text, { root: true })?.map((t) => JSON.parse(t))).toEqual(JSON.parse(text));
      }),
      { numRuns: 2_000 },
    );
    expect(itemsOf('["a,b", {"c": "]"}, "\\"]", "é😀"]', { root: true })).toEqual(['"a,b"', '{"c": "]"}', '"\\"]"', '"é😀"']);
    expect(itemsOf("[ ]", { root: true })).toEqual([]);
  });

  it("finds the array under a top-level key as JSON.parse reads it, the last one when the key repeats", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 6 }), fc.jsonValue(), (batch, other) => {
        const text = JSON.stringify({ before: other, batch, after: { batch: "nested, not this one" } });
        // As JSON.parse reads the batch (a generated -0 is sent as 0).
        expect(itemsOf(text, { key: "batch" })?.map((t) => JSON.parse(t))).toEqual((JSON.parse(text) as { batch: unknown }).batch);
      }),
      { numRuns: 2_000 },
    );
    expect(itemsOf('{"batch": [1], "batch": [2, 3]}', { key: "batch" })).toEqual(["2", "3"]);
    expect(itemsOf('{"batchy": [1], "batch" : [ {"a": [1, 2]} , 3 ]}', { key: "batch" })).toEqual(['{"a": [1, 2]}', "3"]);
  });

  it("finds nothing where there is no such array, or the text is cut off", () => {
    expect(itemsOf('{"a": [1, 2]}', { root: true })).toBeNull();
    expect(itemsOf('{"batch": "x"}', { key: "batch" })).toBeNull();
    expect(itemsOf('[{"batch": []}]', { key: "batch" })).toBeNull();
    expect(itemsOf('{"a": {"batch": [1]}}', { key: "batch" })).toBeNull();
    expect(itemsOf("[1, 2", { root: true })).toBeNull();
    expect(itemsOf('[1, "2', { root: true })).toBeNull();
    expect(scanJsonText(Buffer.from("[1]")).items).toBeNull(); // not asked
  });

  it("gives a whole body's range without its spacing and byte order mark", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \n{"a": 1}\t ')]);
    const [start, end] = trimmedRange(bytes);
    expect(bytes.subarray(start, end).toString("utf8")).toBe('{"a": 1}');
    expect(trimmedRange(Buffer.from("  "))).toEqual([2, 2]);
  });

  it("turns the items' ranges into views of the body's bytes, or null when they do not count the items", () => {
    const raw = Buffer.from(' {"batch": [ {"a":"é"} ,\n{"b":[1, 2]} ], "x": 1} ');
    const { items } = scanJsonText(raw, MAX_JSON_DEPTH, { key: "batch" });
    const views = itemBytes(raw, items, 2)!;
    expect(views.map((v) => v.toString("utf8"))).toEqual(['{"a":"é"}', '{"b":[1, 2]}']);
    expect(views[0].buffer).toBe(raw.buffer); // views, not copies
    expect(itemBytes(raw, items, 3)).toBeNull();
    expect(itemBytes(raw, null, 0)).toBeNull();
    expect(itemBytes(undefined, items, 2)).toBeNull();
    expect(itemBytes(raw, trimmedRange(raw), 1)!.map((v) => v.toString("utf8"))).toEqual([raw.toString("utf8").trim()]);
  });
});
