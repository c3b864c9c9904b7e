/**
 * xAPI statements as an LRS receives them (1.0.3 and 2.0): the checks an LRS makes before storing (an actor with
 * an identifier, a verb with an id, an object; a UUID id; an ISO 8601 timestamp; no unknown top-level property,
 * no null), the statement id an LRS assigns when none is sent, and the comparison the spec asks for when an id
 * arrives again (same statement: no effect; different: 409).
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { FieldError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { findUnsafeText } from "../lib/unsafe-text";
import type { RecordKind } from "./mapping-set";

export const XAPI_VERSIONS = ["1.0.3", "2.0.0"] as const;
/** The X-Experience-API-Version values accepted: 1.0, 1.0.x, 2.0, 2.0.x. */
const VERSION_HEADER = /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/;
export const VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided";

/** True when an X-Experience-API-Version header value names a version this LRS speaks. */
export function isSupportedXapiVersion(value: string | undefined): value is string {
  return value !== undefined && VERSION_HEADER.test(value.trim());
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const nonEmpty = z.string().min(1, "must not be empty");
const iri = nonEmpty.max(2_048).regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, "must be an IRI with a scheme, e.g. http://adlnet.gov/expapi/verbs/completed");
const account = z.object({ homePage: iri, name: nonEmpty }).loose();

/** An Agent or Group: an Agent needs exactly one inverse functional identifier; a Group one or members. */
const actor = z
  .object({
    objectType: z.enum(["Agent", "Group"]).optional(),
    name: z.string().optional(),
    mbox: z
      .string()
      .regex(/^mailto:\S+@\S+$/, "must be a mailto: IRI")
      .optional(),
    mbox_sha1sum: z
      .string()
      .regex(/^[0-9a-f]{40}$/i, "must be 40 hex digits")
      .optional(),
    openid: iri.optional(),
    account: account.optional(),
    member: z.array(z.unknown()).optional(),
  })
  .loose()
  .superRefine((a, ctx) => {
    const ifis = [a.mbox, a.mbox_sha1sum, a.openid, a.account].filter((x) => x !== undefined).length;
    if (ifis > 1) ctx.addIssue({ code: "custom", message: "must have only one of mbox, mbox_sha1sum, openid, account" });
    if (ifis === 0 && !(a.objectType === "Group" && a.member && a.member.length > 0)) {
      ctx.addIssue({ code: "custom", message: "must identify the learner with mbox, mbox_sha1sum, openid or account" });
    }
  });

const object = z
  .object({ objectType: z.enum(["Activity", "Agent", "Group", "StatementRef", "SubStatement"]).optional(), id: z.string().optional() })
  .loose()
  .superRefine((o, ctx) => {
    if (o.objectType === "SubStatement") return;
    if (o.objectType === "Agent" || o.objectType === "Group") return;
    if (o.objectType === "StatementRef") {
      if (!o.id || !UUID.test(o.id)) ctx.addIssue({ code: "custom", path: ["id"], message: "must be the UUID of the statement referred to" });
      return;
    }
    if (!o.id || !iri.safeParse(o.id).success) ctx.addIssue({ code: "custom", path: ["id"], message: "must be the activity's IRI" });
  });

export const statementSchema = z.strictObject({
  id: z.string().regex(UUID, "must be a UUID").optional(),
  actor,
  verb: z.object({ id: iri, display: z.record(z.string(), z.string()).optional() }).loose(),
  object,
  result: z
    .object({
      score: z
        .object({ scaled: z.number().min(-1).max(1).optional(), raw: z.number().optional(), min: z.number().optional(), max: z.number().optional() })
        .loose()
        .optional(),
      success: z.boolean().optional(),
      completion: z.boolean().optional(),
      duration: z.string().optional(),
    })
    .loose()
    .optional(),
  context: z.object({}).loose().optional(),
  timestamp: z.iso.datetime({ offset: true, local: false, message: "must be an ISO 8601 date-time with a time zone" }).optional(),
  stored: z.string().optional(),
  authority: z.object({}).loose().optional(),
  version: z
    .string()
    .regex(/^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/, "must be 1.0.x or 2.0.x")
    .optional(),
  attachments: z.array(z.unknown()).max(0, "attachments are not supported by this LRS").optional(),
});

export type Statement = z.infer<typeof statementSchema> & Record<string, unknown>;

const TOP_LEVEL = new Set(["id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"]);
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const MBOX = /^mailto:\S+@\S+$/;
const SHA1 = /^[0-9a-f]{40}$/i;
const VERSION = /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/;
const timestampSchema = z.iso.datetime({ offset: true, local: false });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isIri = (v: unknown): boolean => typeof v === "string" && v.length > 0 && v.length <= 2_048 && IRI.test(v);
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);

/**
 * The common statement — an Agent with one identifier, a verb, an Activity — accepted without zod: true only
 * when statementSchema would accept it too (a property test holds the two together), so a batch of ordinary
 * statements is checked without copying each one. Anything else (Groups, sub-statements, any doubt) goes to
 * the schema, which also names the problems.
 */
export function quickAccept(raw: unknown): boolean {
  if (!isObject(raw)) return false;
  for (const key in raw) if (!TOP_LEVEL.has(key)) return false;
  const { id, actor: a, verb: v, object: o, result: r, context, timestamp, stored, authority, version, attachments } = raw;
  if (!optional(id, (x) => typeof x === "string" && UUID.test(x))) return false;
  if (!isObject(a) || a.member !== undefined || !optional(a.objectType, (x) => x === "Agent") || !optional(a.name, (x) => typeof x === "string")) return false;
  const identifiers = (a.mbox !== undefined ? 1 : 0) + (a.mbox_sha1sum !== undefined ? 1 : 0) + (a.openid !== undefined ? 1 : 0) + (a.account !== undefined ? 1 : 0);
  if (identifiers !== 1) return false;
  if (!optional(a.mbox, (x) => typeof x === "string" && MBOX.test(x)) || !optional(a.mbox_sha1sum, (x) => typeof x === "string" && SHA1.test(x)) || !optional(a.openid, isIri)) return false;
  if (!optional(a.account, (x) => isObject(x) && isIri(x.homePage) && typeof x.name === "string" && x.name.length > 0)) return false;
  if (!isObject(v) || !isIri(v.id) || !optional(v.display, (d) => isObject(d) && Object.values(d).every((t) => typeof t === "string"))) return false;
  if (!isObject(o) || !optional(o.objectType, (x) => x === "Activity") || !isIri(o.id)) return false;
  if (
    !optional(
      r,
      (x) =>
        isObject(x) &&
        optional(
          x.score,
          (sc) =>
            isObject(sc) &&
            optional(sc.scaled, (n) => isNumber(n) && (n as number) >= -1 && (n as number) <= 1) &&
            optional(sc.raw, isNumber) &&
            optional(sc.min, isNumber) &&
            optional(sc.max, isNumber),
        ) &&
        optional(x.success, (b) => typeof b === "boolean") &&
        optional(x.completion, (b) => typeof b === "boolean") &&
        optional(x.duration, (d) => typeof d === "string"),
    )
  )
    return false;
  if (!optional(context, isObject) || !optional(authority, isObject) || !optional(stored, (x) => typeof x === "string")) return false;
  if (!optional(version, (x) => typeof x === "string" && VERSION.test(x)) || !optional(attachments, (x) => Array.isArray(x) && x.length === 0)) return false;
  return optional(timestamp, (t) => typeof t === "string" && timestampSchema.safeParse(t).success);
}

/** A statement as received, checked: its id (given or assigned) and kind; or the problems, with their paths. */
export type CheckedStatement = { ok: true; id: string; statement: Statement; kind: Extract<RecordKind, { format: "xapi" }>; voids: string | null } | { ok: false; errors: FieldError[] };

/**
 * Checks one statement; `prefix` is its path in the body (e.g. `[2]`). `checkText: false` skips the walk for
 * NUL and lone surrogates when the body's text is known to hold none. Never throws.
 */
export function checkStatement(raw: unknown, prefix: string, options: { checkText?: boolean; assignId?: () => string } = {}): CheckedStatement {
  const nulls = findNulls(raw, prefix);
  if (nulls.length > 0) return { ok: false, errors: nulls };
  if (options.checkText !== false) {
    const unsafe = findUnsafeText(raw, prefix);
    if (unsafe.length > 0) return { ok: false, errors: unsafe };
  }
  let statement: Statement;
  if (quickAccept(raw)) {
    statement = raw as Statement;
  } else {
    const parsed = statementSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, errors: zodFieldErrors(parsed.error, prefix) };
    statement = parsed.data as Statement;
  }
  const id = (statement.id ?? (options.assignId ?? randomUUID)()).toLowerCase();
  const verb = statement.verb.id;
  const objectType = typeof (statement.object as { definition?: { type?: unknown } }).definition?.type === "string" ? (statement.object as { definition: { type: string } }).definition.type : null;
  const voids = verb === VOIDED_VERB && statement.object.objectType === "StatementRef" ? (statement.object.id as string).toLowerCase() : null;
  if (verb === VOIDED_VERB && voids === null) {
    return { ok: false, errors: [{ path: at(prefix, "object"), message: "a voiding statement's object must be a StatementRef" }] };
  }
  const withId = statement.id === id ? statement : ({ ...statement, id } as Statement);
  return { ok: true, id, statement: withId, kind: { format: "xapi", verb, objectType }, voids };
}

/**
 * The statement's content for "is this the same statement?": without what an LRS sets itself (stored,
 * authority, version) and with the timestamp as an instant, so precision and zone notation do not matter.
 * Computed only when an id arrives again (see record-standard-records.ts), never on the common path.
 */
export function statementDigest(statement: Statement): string {
  const { stored: _stored, authority: _authority, version: _version, timestamp, ...rest } = statement;
  const normalized = { ...rest, id: String(rest.id).toLowerCase(), ...(timestamp ? { timestamp: new Date(timestamp).getTime() } : {}) };
  return createHash("sha256").update(canonicalJson(normalized)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** The spec forbids null (and empty values) anywhere outside extensions; nulls would also read as "absent" to mappings. */
function findNulls(value: unknown, base: string): FieldError[] {
  // A walk that builds no paths first: statements almost never hold a null, so paths are spelled only for one that does.
  if (!holdsNull(value, 0)) return [];
  const errors: FieldError[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (errors.length >= 5 || depth > 64) return;
    if (v === null) {
      errors.push({ path, message: "must not be null" });
      return;
    }
    if (typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) if (k !== "extensions") walk(x, path ? `${path}.${k}` : k, depth + 1);
  };
  walk(value, base, 0);
  return errors;
}

function holdsNull(v: unknown, depth: number): boolean {
  if (v === null) return true;
  if (typeof v !== "object" || depth > 64) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (holdsNull(x, depth + 1)) return true;
    return false;
  }
  for (const k in v) if (k !== "extensions" && holdsNull((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function at(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}
