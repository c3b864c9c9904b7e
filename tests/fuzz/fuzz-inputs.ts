/**
 * fast-check generators of hostile requests: bodies (valid seeds with one field made hostile, random JSON,
 * raw bytes that are not JSON or not UTF-8, nesting past the limit, oversize), content types and encodings
 * that lie, path parameters with odd bytes, query strings, duplicate and huge headers, and every credential.
 *
 * Generated values stay small and readable (a failing case is printed by fast-check): large or binary content
 * is named by a recipe (`"§§LONG:70000§§"`, `{raw: "deep-100000"}`) and built only when the request is sent.
 */
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { FIXTURES, seedsFor, validParams, validQuery, type SeedState } from "./fuzz-seeds";
import type { FuzzOperation } from "./fuzz-targets";

export const CREDENTIALS = ["ingest", "author", "analyst", "admin", "learner", "none", "bad"] as const;
export type Credential = (typeof CREDENTIALS)[number];

export type BodySpec =
  | { kind: "none" }
  /** JSON text of `value`, with `§§…§§` markers expanded (see expandMarkers). */
  | { kind: "json"; value: unknown; how: string }
  /** Bytes built by a recipe of RAW_BODIES. */
  | { kind: "raw"; recipe: string };

export interface FuzzCase {
  operation: string;
  method: string;
  /** The request target as sent, parameters and query included (a recipe `§§LONG:n§§` may appear). */
  target: string;
  credential: Credential;
  auth: "bearer" | "basic" | "bearer-twice";
  body: BodySpec;
  contentType: string | null;
  /** What the body's bytes are run through, and what Content-Encoding says (independently: they may lie). */
  encode: "none" | "gzip" | "deflate" | "br" | "gzip-truncated";
  contentEncoding: string | null;
  headers: Array<[string, string]>;
}

// ---- values ----------------------------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const utf16String = fc.string({ unit: anyUnit, maxLength: 12 });

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "\udc00\ud800",
  "😀",
  "\ud83d",
  "\ufffe\uffff",
  "\u202e\u200b",
  "%00",
  "%E0%A4%A",
  "../../etc/passwd",
  "{{{learner.name}}}",
  "{{#each this}}{{/each}}",
  "{{constructor.constructor 'x'}}",
  "<script>alert(1)</script>",
  "' OR '1'='1' --",
  "'; DROP TABLE events; --",
  "$1",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "NaN",
  "Infinity",
  "-0",
  "null",
  "§§LONG:129§§",
  "§§LONG:501§§",
  "§§LONG:20001§§",
  "§§LONG:70000§§",
  "ﬃ",
  "İ",
  "\r\n\r\nHTTP/1.1 200 OK",
  "\\u0000",
  "A".repeat(64),
];
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: utf16String },
  { weight: 1, arbitrary: fc.string() },
);

/** Numbers JSON can carry and JavaScript or PostgreSQL may not: expanded from markers to literal text. */
const HOSTILE_NUMBERS: unknown[] = [
  0,
  -0,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 53 + 2,
  -(2 ** 63),
  1e21,
  123456.789,
  "§§NUM:1e999§§",
  "§§NUM:-1e999§§",
  "§§NUM:123456789012345678901234567890§§",
  "§§NUM:1E+400§§",
  "§§NUM:0.000000000000000000000000000001§§",
  "§§NUM:-0.0§§",
];
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.double(), fc.integer());

const HOSTILE_DATES = [
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "+275760-09-13T00:00:00.000Z",
  "-000001-01-01T00:00:00Z",
  "-271821-04-20T00:00:00Z",
  "1969-12-31T23:59:59.999Z",
  "1970-01-01T00:00:00Z",
  "2199-12-31T23:59:59.999Z",
  "2200-01-01T00:00:00Z",
  "2026-02-30T10:00:00Z",
  "2026-11-23T25:00:00Z",
  "2026-11-23T10:00:00+99:99",
  "2026-11-23T10:00:00-23:59",
  "2016-12-31T23:59:60Z",
  "2026-11-23",
  "2026-11-23T10:00:00",
  "2026-11-23T10:00:00.123456789Z",
  "now",
  "yesterday",
  "1e10",
  "0",
  "Tue, 24 Nov 2026 10:00:00 GMT",
  "2026-W48-1",
  "20261123T100000Z",
];
export const hostileDate: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...HOSTILE_DATES, 0, -1, 8.64e15, 8.64e15 + 1, 1e20),
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
);

/** Nested arrays or objects `depth` levels deep (near the 64-level limit: 60–70). */
const nested = (depth: number, object: boolean): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = object ? { a: value } : [value];
  return value;
};

const wrongType = fc.constantFrom<unknown>(null, true, false, [], {}, [[]], { "": {} }, [null], "§§LONG:20§§", 42, { length: 1 }, { toString: "x" });

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 2, arbitrary: hostileDate },
  { weight: 2, arbitrary: wrongType },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 58, max: 70 }), fc.boolean()).map(([d, o]) => nested(d, o)) },
  { weight: 1, arbitrary: fc.constantFrom("§§ARRAY:10000§§", "§§OBJECT:5000§§", "§§PROTO§§", "§§DUPKEYS§§") },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
);

// ---- bodies ----------------------------------------------------------------------------------------------

type Path = Array<string | number>;

/** Every path into a JSON value (root included). */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

type Mutation = { op: "replace"; value: unknown } | { op: "delete" } | { op: "add"; key: string; value: unknown } | { op: "wrap" };

/** A copy of `value` with one mutation applied at `path`. */
function mutate(value: unknown, path: Path, mutation: Mutation): unknown {
  if (path.length === 0) {
    if (mutation.op === "replace") return mutation.value;
    if (mutation.op === "wrap") return [value];
    if (mutation.op === "add" && value && typeof value === "object" && !Array.isArray(value)) return { ...value, [mutation.key]: mutation.value };
    if (mutation.op === "add" && Array.isArray(value)) return [...value, mutation.value];
    return mutation.op === "delete" ? undefined : value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = mutate(copy[head as number], rest, mutation);
    if (next === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  const next = mutate(copy[head as string], rest, mutation);
  if (next === undefined && rest.length === 0) delete copy[head as string];
  else copy[head as string] = next;
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: hostileValue.map((value) => ({ op: "replace" as const, value })) },
  { weight: 1, arbitrary: fc.constant({ op: "delete" as const }) },
  { weight: 2, arbitrary: fc.tuple(hostileString, hostileValue).map(([key, value]) => ({ op: "add" as const, key, value })) },
  { weight: 1, arbitrary: fc.constant({ op: "wrap" as const }) },
);

/** Bytes that are not (good) JSON, by name; built once. */
const RAW_BODIES: Record<string, () => Buffer> = {
  empty: () => Buffer.alloc(0),
  space: () => Buffer.from("   "),
  "open-brace": () => Buffer.from("{"),
  "trailing-garbage": () => Buffer.from('{"a":1}x'),
  "two-documents": () => Buffer.from('{"a":1}{"b":2}'),
  "json-null": () => Buffer.from("null"),
  "json-string": () => Buffer.from('"\\u0000"'),
  "huge-number": () => Buffer.from("1e999999"),
  "invalid-utf8": () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  "overlong-nul": () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d]),
  "cesu-surrogate": () => Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  "truncated-utf8": () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]),
  "utf8-bom": () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"learnerId":"x"}')]),
  "utf16-bom": () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"learnerId":"x"}', "utf16le")]),
  "raw-nul-byte": () => Buffer.from('{"learnerId":"a\u0000b"}'),
  "control-chars": () => Buffer.from('{"learnerId":"a\u0001\u001fb"}'),
  "deep-5000": () => Buffer.from("[".repeat(5_000) + "]".repeat(5_000)),
  "deep-100000": () => Buffer.from("[".repeat(100_000)),
  "deep-objects-3000": () => Buffer.from('{"a":'.repeat(3_000) + "1" + "}".repeat(3_000)),
  "deep-65-then-valid": () => Buffer.from(JSON.stringify(nested(65, false))),
  "proto-pollution": () => Buffer.from('{"__proto__":{"role":"admin","polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  "dup-keys": () => Buffer.from('{"learnerId":"a","learnerId":"b","type":"seen","type":"helpful"}'),
  "oversize-1.1MB": () => Buffer.from(JSON.stringify({ events: [{ id: "x", pad: "x".repeat(1_150_000) }] })),
  "oversize-600KB-batch": () =>
    Buffer.from(JSON.stringify({ batch: Array.from({ length: 600 }, (_, i) => ({ type: "track", event: "E", userId: `u${i}`, messageId: `m${i}`, pad: "x".repeat(1_000) })) })),
  "big-event-40KB": () =>
    Buffer.from(JSON.stringify({ id: "big", type: "quiz.submitted", learnerId: FIXTURES.learner, occurredAt: new Date().toISOString(), properties: { pad: "x".repeat(40_000) } })),
  "many-events-501": () => Buffer.from(JSON.stringify({ events: Array.from({ length: 501 }, (_, i) => ({ id: `m${i}`, type: "a", learnerId: "l", occurredAt: new Date().toISOString() })) })),
  "wide-array-100000": () => Buffer.from(`[${"0,".repeat(99_999)}0]`),
  "many-keys-50000": () => Buffer.from(`{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`),
  "long-string-900KB": () => Buffer.from(JSON.stringify({ learnerIds: ["x".repeat(900_000)], name: "x".repeat(1_000) })),
  "form-encoded": () => Buffer.from("learnerId=a&type=seen"),
  xml: () => Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
  "gzip-bomb-20MB": () => gzipSync(Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(20 * 1024 * 1024, 0x61), Buffer.from('"}')])),
  "gzip-magic-garbage": () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]),
  "gzip-of-invalid-utf8": () => gzipSync(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
};
const rawCache = new Map<string, Buffer>();
export const RAW_BODY_NAMES = Object.keys(RAW_BODIES);

/** The bytes of a raw recipe (cached: some are megabytes). */
export function rawBody(recipe: string): Buffer {
  let bytes = rawCache.get(recipe);
  if (!bytes) rawCache.set(recipe, (bytes = RAW_BODIES[recipe]()));
  return bytes;
}

/** JSON text of a value with the generators' markers expanded to what JSON.stringify cannot write. */
export function expandMarkers(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value).replace(/"§§([A-Z]+)(?::([^§"]*))?§§"/g, (_all, kind: string, arg: string | undefined) => {
    switch (kind) {
      case "NUM":
        return arg!;
      case "LONG":
        return JSON.stringify("x".repeat(Number(arg)));
      case "ARRAY":
        return `[${Array.from({ length: Number(arg) }, (_, i) => i).join(",")}]`;
      case "OBJECT":
        return `{${Array.from({ length: Number(arg) }, (_, i) => `"k${i}":${i}`).join(",")}}`;
      case "PROTO":
        return '{"__proto__":{"polluted":true,"role":"admin"}}';
      case "DUPKEYS":
        return '{"a":1,"a":"\\u0000","a":{"b":[]}}';
      default:
        return _all;
    }
  });
}

/** A body for an operation: valid, one field made hostile, random JSON, raw bytes, or none. */
function bodyFor(operationKey: string, state: SeedState): fc.Arbitrary<{ body: BodySpec; query: string }> {
  const seeds = seedsFor(operationKey);
  const seeded = fc.tuple(fc.nat({ max: seeds.length - 1 }), fc.uuid()).map(([i, n]) => seeds[i](n.slice(0, 13), state));
  const withQuery = (how: string) => (value: unknown) => ({ body: { kind: "json" as const, value, how }, query: validQuery(operationKey, value) });
  return fc.oneof(
    { weight: 2, arbitrary: seeded.map(withQuery("valid seed")) },
    {
      weight: 6,
      arbitrary: seeded.chain((seed) => {
        const paths = pathsOf(seed);
        return fc.tuple(fc.constantFrom(...paths), mutation).map(([path, m]) => withQuery(`seed, ${m.op} at ${JSON.stringify(path)}`)(mutate(seed, path, m)));
      }),
    },
    {
      weight: 1,
      arbitrary: seeded.chain((seed) => {
        const paths = pathsOf(seed);
        return fc
          .array(fc.tuple(fc.constantFrom(...paths), mutation), { minLength: 2, maxLength: 5 })
          .map((ms) => withQuery("seed, several mutations")(ms.reduce<unknown>((v, [path, m]) => mutate(v, path, m), seed)));
      }),
    },
    { weight: 1, arbitrary: hostileValue.map(withQuery("hostile value")) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_BODY_NAMES).map((recipe) => ({ body: { kind: "raw" as const, recipe }, query: "" })) },
    { weight: 1, arbitrary: fc.constant({ body: { kind: "none" as const }, query: "" }) },
  );
}

// ---- request line ----------------------------------------------------------------------------------------

/** Path segment values as sent (percent-encoding already applied, or broken on purpose). */
const HOSTILE_SEGMENTS = [
  "%00",
  "a%00b",
  "%E0%A4%A",
  "%ED%A0%80",
  "%C0%80",
  "%FF",
  "%",
  "%zz",
  "%u0000",
  "%2F..%2F..%2Fetc%2Fpasswd",
  "..",
  ".",
  "%2e%2e",
  "%20",
  "%F0%9F%98%80",
  "%F0%9F%98",
  "__proto__",
  "constructor",
  "a;b",
  "a%3Fb",
  "%0D%0ASet-Cookie:%20x",
  "§§LONG:2000§§",
  "§§LONG:20000§§",
  "%25",
  "a+b",
  "*",
  "%5Cx",
  "fz-learner%00",
  "%C3%28",
  // Near-UUIDs, for ids stored in uuid columns (messages, API keys): PostgreSQL refuses them in a query.
  "fz",
  "-".repeat(36),
  "abcdefabcdefabcdefabcdefabcdefabcdef",
  "6f1e2d3c-4b5a-4697-8877-66554433221g",
  "{6f1e2d3c-4b5a-4697-8877-665544332211}",
  "6F1E2D3C-4B5A-4697-8877-665544332211",
  "6f1e2d3c4b5a46978877665544332211",
  "00000000-0000-0000-0000-000000000000",
];

/** A path for the operation: each parameter valid, or hostile. */
function targetFor(op: FuzzOperation, state: SeedState): fc.Arbitrary<string> {
  const params = op.params.map((name) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...validParams(op.path, name, state)).map(encodeURIComponent) },
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
      {
        weight: 1,
        arbitrary: utf16String.map((s) => {
          try {
            return encodeURIComponent(s);
          } catch {
            return escape(s);
          }
        }),
      },
    ),
  );
  return fc.tuple(...params).map((values) => {
    let i = 0;
    return op.path.replace(/\{[^}]+\}/g, () => values[i++]);
  });
}

const QUERY_NAMES = ["courseId", "limit", "version", "cursor", "groupBy", "from", "to", "source", "since", "statementId", "access_token", "__proto__", "a[b]", "constructor", "", "toString"];
const queryValue = fc.oneof(
  fc.constantFrom(...HOSTILE_SEGMENTS),
  fc.constantFrom("1", "-1", "1e999", "0x10", "2026-13-45", "true", "[]"),
  utf16String.map((s) => escape(s)),
);
const hostileQuery = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), queryValue), { minLength: 1, maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

// ---- headers ---------------------------------------------------------------------------------------------

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16le",
  "application/json; charset=UTF-16",
  "application/json; charset=latin1",
  "application/json; charset=utf-32",
  'application/json; charset="bogus"',
  "application/json; charset",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "multipart/mixed; boundary=y",
  "application/xml",
  "application/merge-patch+json",
  "application/vnd.api+json",
  "",
  ";;;",
  "*/*",
  "application/json, text/plain",
];
const CONTENT_ENCODINGS = ["gzip", "br", "deflate", "x-gzip", "GZIP", "gzip, gzip", "identity", "compress", "zstd", "gzip;q=1", ""];

const HUGE = (n: number) => `§§LONG:${n}§§`;
const extraHeaders: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    fc.constantFrom<[string, string]>(
      ["X-Fuzz", HUGE(8_000)],
      ["X-Fuzz", HUGE(20_000)],
      ["Cookie", HUGE(15_000)],
      ["Content-Type", "text/plain"],
      ["Content-Type", "application/json"],
      ["Content-Length", "5"],
      ["Content-Length", "99999999999"],
      ["Content-Length", "-1"],
      ["Transfer-Encoding", "chunked"],
      ["Transfer-Encoding", "gzip, chunked"],
      ["Expect", "100-continue"],
      ["Expect", "bogus"],
      ["If-Match", '"1"'],
      ["If-Match", 'W/"1"'],
      ["If-Match", '"99999999999999999999"'],
      ["If-Match", "*"],
      ["If-Match", '"1", "2"'],
      ["Origin", "https://evil.example"],
      ["Origin", "null"],
      ["Accept", "text/csv"],
      ["Accept", "text/event-stream"],
      ["Accept-Encoding", "br"],
      ["X-Forwarded-For", "1.2.3.4, 127.0.0.1"],
      ["X-Forwarded-For", "\u0000"],
      ["X-Experience-API-Version", "1.0.3"],
      ["X-Experience-API-Version", "9.9"],
      ["X-Experience-API-Version", HUGE(5_000)],
      ["Range", "bytes=0-1"],
      ["Host", ""],
      ["Host", HUGE(10_000)],
      ["X-HTTP-Method-Override", "DELETE"],
      ["Authorization", "Bearer nope"],
      ["Content-Encoding", "gzip"],
      ["Content-Encoding", "br"],
      ["Bad Header", "x"],
      ["X-Bytes", "\u00ff\u00fe"],
      ["X-Control", "a\u0001b"],
    ),
    fc.tuple(fc.constantFrom("X-A", "X-B", "Accept", "User-Agent"), fc.string({ maxLength: 40 })).map(([k, v]) => [k, v] as [string, string]),
  ),
  { maxLength: 3 },
);

// ---- the case ------------------------------------------------------------------------------------------

/** Cases for one operation and credential (the sweep), or any operation (`ops` of several). */
export function fuzzCase(ops: FuzzOperation[], credentials: readonly Credential[], state: SeedState): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...ops).chain((op) => {
    const key = `${op.method} ${op.path}`;
    return fc
      .record({
        credential: fc.constantFrom(...credentials),
        auth: fc.constantFrom<FuzzCase["auth"]>("bearer", "bearer", "bearer", "basic", "bearer-twice"),
        path: targetFor(op, state),
        payload: op.write ? bodyFor(key, state) : fc.constant({ body: { kind: "none" as const } as BodySpec, query: "" }),
        extraQuery: fc.option(hostileQuery, { freq: 4 }),
        contentType: fc.oneof({ weight: 6, arbitrary: fc.constant<string | null>("application/json") }, { weight: 2, arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES, null) }),
        encode: fc.oneof({ weight: 8, arbitrary: fc.constant<FuzzCase["encode"]>("none") }, { weight: 2, arbitrary: fc.constantFrom<FuzzCase["encode"]>("gzip", "deflate", "br", "gzip-truncated") }),
        contentEncoding: fc.oneof({ weight: 8, arbitrary: fc.constant<string | null>(null) }, { weight: 2, arbitrary: fc.constantFrom<string | null>(...CONTENT_ENCODINGS) }),
        headers: fc.oneof({ weight: 3, arbitrary: fc.constant<Array<[string, string]>>([]) }, { weight: 1, arbitrary: extraHeaders }),
      })
      .map(({ credential, auth, path, payload, extraQuery, contentType, encode, contentEncoding, headers }) => {
        const query = [payload.query, extraQuery].filter(Boolean).join("&");
        const body = op.write ? payload.body : ({ kind: "none" } as BodySpec);
        const xapi = op.path.startsWith("/xapi") ? [["X-Experience-API-Version", "1.0.3"] as [string, string]] : [];
        return {
          operation: key,
          method: op.method.toUpperCase(),
          target: query ? `${path}?${query}` : path,
          credential,
          auth,
          body,
          contentType: body.kind === "none" ? null : contentType,
          encode: body.kind === "none" ? "none" : encode,
          contentEncoding,
          headers: [...xapi, ...headers],
        };
      });
  });
}

/** The body's bytes as sent: JSON or raw, then compressed (or cut) as the case says. */
export function bodyBytes(c: FuzzCase): Buffer | undefined {
  if (c.body.kind === "none") return undefined;
  const plain = c.body.kind === "raw" ? rawBody(c.body.recipe) : Buffer.from(expandMarkers(c.body.value));
  switch (c.encode) {
    case "gzip":
      return gzipSync(plain);
    case "deflate":
      return deflateSync(plain);
    case "br":
      return brotliCompressSync(plain);
    case "gzip-truncated":
      return gzipSync(plain).subarray(0, 12);
    default:
      return plain;
  }
}

/** Expands `§§LONG:n§§` in a header value or target. */
export function expandText(text: string): string {
  return text.replace(/§§LONG:(\d+)§§/g, (_all, n: string) => "x".repeat(Number(n)));
}
