/**
 * The write side of an LRS's statements resource: POST one statement or an array (→ their ids, in order) and
 * PUT one under `statementId`. Every statement is checked first; one invalid statement refuses the request
 * (400) and nothing of it is stored, as the spec asks of a batch. A statement id is the event id: a resend is
 * a duplicate, the same id with other content is 409. Voiding statements are recorded, never matched.
 */
import type { EngineContext } from "../context";
import { ValidationError, type FieldError } from "../lib/errors";
import { displayName, mapRecord } from "./map-record";
import { loadMappingSet } from "./mapping-store";
import { recordStandardRecords, type StandardRecord } from "./record-standard-records";
import { standardsMetrics } from "./standards-metrics";
import { checkStatement, type Statement } from "./xapi-statement";
import { itemBytes, trimmedRange } from "../lib/json-text-scan";

type XapiContext = Pick<EngineContext, "database" | "queues" | "log" | "metrics" | "prisma" | "cache" | "clock">;

/**
 * How the body was read: `mayHoldUnsafeText` false when its text holds no escape that could be NUL or a lone
 * surrogate; `raw` the JSON as sent and `items` where the statements of its array lie in it (scanJsonText), so
 * each statement is kept as it came.
 */
interface BodyFacts {
  mayHoldUnsafeText: boolean;
  raw?: Buffer;
  items?: number[] | null;
}

/** POST: a statement or an array of them. Returns the ids (assigned where a statement had none). */
export async function postStatements(ctx: XapiContext, body: unknown, facts: BodyFacts): Promise<string[]> {
  const isArray = Array.isArray(body);
  const raws = isArray ? (body as unknown[]) : [body];
  const ranges = facts.raw === undefined ? null : isArray ? (facts.items ?? null) : trimmedRange(facts.raw);
  const originals = itemBytes(facts.raw, ranges, raws.length);
  return storeStatements(ctx, raws, isArray, facts, originals);
}

/** PUT: one statement under `statementId` (its own `id`, if any, must be the same). */
export async function putStatement(ctx: XapiContext, statementId: string, body: unknown, facts: BodyFacts): Promise<void> {
  if (Array.isArray(body)) throw new ValidationError("PUT stores one statement; POST an array", [{ path: "", message: "must be one statement object" }]);
  if (body !== null && typeof body === "object" && "id" in body && typeof body.id === "string" && body.id.toLowerCase() !== statementId.toLowerCase()) {
    throw new ValidationError("The statement's id differs from the statementId parameter", [{ path: "id", message: `must be ${statementId} (the statementId parameter) or left out` }]);
  }
  const statement = body !== null && typeof body === "object" ? { ...(body as object), id: statementId } : body;
  // As sent; with the id put in when the body had none (storeStatements does so, the statement having one now).
  const bytes = facts.raw && withIdBytes(facts.raw.subarray(...trimmedRange(facts.raw)), body, statementId);
  await storeStatements(ctx, [statement], false, facts, bytes ? [bytes] : null);
}

/** `originals`: each statement's bytes as sent, when known (with its id, for a PUT whose body had none). */
async function storeStatements(ctx: XapiContext, raws: unknown[], isArray: boolean, facts: BodyFacts, originals: Buffer[] | null): Promise<string[]> {
  const receivedAt = ctx.clock.now();
  const metrics = standardsMetrics(ctx.metrics);
  const errors: FieldError[] = [];
  const checked = raws.map((raw, i) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push({ path: isArray ? `[${i}]` : "", message: "must be a statement object" });
      return null;
    }
    const result = checkStatement(raw, isArray ? `[${i}]` : "", { checkText: facts.mayHoldUnsafeText });
    if (!result.ok) errors.push(...result.errors);
    return result.ok ? result : null;
  });
  const seen = new Map<string, number>();
  checked.forEach((c, i) => {
    if (!c) return;
    const first = seen.get(c.id);
    if (first !== undefined) errors.push({ path: `[${i}].id`, message: `repeats the id of statement [${first}]` });
    else seen.set(c.id, i);
  });
  if (errors.length > 0) {
    metrics.records.inc({ format: "xapi", outcome: "rejected" }, raws.length);
    const bad = new Set(errors.map((e) => e.path.split(".")[0])).size;
    throw new ValidationError(isArray ? `${bad} statement(s) are invalid; nothing was stored` : "The statement is invalid; nothing was stored", errors);
  }

  const set = await loadMappingSet(ctx);
  const records = checked.map((c, i): StandardRecord => {
    const s = c!;
    const bodyBytes = originals ? withIdBytes(originals[i], raws[i], s.id) : undefined;
    if (s.voids !== null) return { id: s.id, kind: s.kind, body: s.statement, bodyBytes, outcome: { status: "voiding", voids: s.voids } };
    return mapRecord(
      set,
      {
        id: s.id,
        kind: s.kind,
        body: s.statement,
        bodyBytes,
        occurredAt: s.statement.timestamp,
        properties: describe(s.statement),
        learnerName: typeof s.statement.actor.name === "string" && s.statement.actor.name.length <= 200 ? s.statement.actor.name : undefined,
      },
      receivedAt,
    );
  });
  await recordStandardRecords(ctx, records, receivedAt, { format: "xapi", detectConflicts: true });
  return records.map((r) => r.id);
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The statement's bytes as sent, with the id the LRS assigned put first when it had none, so the original is
 * kept as it came without serializing it again; undefined (serialized then) for anything but an object.
 */
function withIdBytes(bytes: Buffer, raw: unknown, id: string): Buffer | undefined {
  if (bytes[0] !== OPEN_OBJECT) return undefined;
  if (typeof (raw as { id?: unknown }).id === "string") return bytes;
  const rest = bytes.subarray(1);
  const empty = rest.toString("latin1").trimStart().charCodeAt(0) === CLOSE_OBJECT;
  return Buffer.concat([Buffer.from(`{"id":${JSON.stringify(id)}${empty ? "" : ","}`), rest]);
}

/** What a rule may want to read of a statement besides score and outcome. */
function describe(statement: Statement): Record<string, unknown> {
  const object = statement.object as { id?: string; definition?: { name?: unknown } };
  const duration = statement.result?.duration ? isoDurationSeconds(statement.result.duration) : undefined;
  const platform = (statement.context as { platform?: unknown } | undefined)?.platform;
  const objectName = displayName(object.definition?.name);
  // The verb and object type chose the mapping and are in the original (event_sources); the event stays lean.
  const described: Record<string, unknown> = { source: "xapi" };
  if (object.id) described.objectId = object.id.slice(0, 500);
  if (objectName) described.objectName = objectName;
  if (duration !== undefined) described.durationSeconds = duration;
  if (typeof platform === "string") described.platform = platform.slice(0, 200);
  return described;
}

/** ISO 8601 durations as xAPI uses them (PT3M15S, P1DT2H, PT0.5S) in seconds; undefined if not one. */
export function isoDurationSeconds(text: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const [, d, h, min, sec] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return Math.round((d * 86_400 + h * 3_600 + min * 60 + sec) * 1000) / 1000;
}
