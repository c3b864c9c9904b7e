/**
 * One Segment-spec call (track, identify, page, screen, group, alias — as Segment's and RudderStack's
 * libraries send them) as our event, or the reason it is dropped. Mapping: messageId→id, userId (else
 * anonymousId)→learnerId, timestamp (else originalTimestamp)→occurredAt, properties.courseId / moduleId,
 * context.traits (identify: traits) + context.timezone + context.locale → the learner's profile, and the name
 * through the mappings: a mapping for the name if there is one, else Segment's "Object Action" convention
 * ("Quiz Submitted" → quiz.submitted). Pure.
 */
import { createHash } from "node:crypto";
import { EVENT_TYPE_PATTERN, LOCALE_PATTERN } from "../ingest/event.schema";
import { parseOneEvent, type NormalizedEvent } from "../ingest/parse-events";
import { quickEvent, type EventInput } from "../ingest/quick-event";
import type { FieldError } from "../lib/errors";
import { isValidTimeZone } from "../lib/timezones";
import { findUnsafeText } from "../lib/unsafe-text";
import { SEGMENT_CALLS, type SegmentCall } from "./mapping.schema";
import { defaultFieldsOf, extractFields, findMapping, type MappingSet, type RecordKind } from "./mapping-set";

type Json = Record<string, unknown>;

export type DropReason = "malformed" | "oversize" | "unstorable_text" | "unknown_type" | "no_user" | "unnamed_event" | "invalid";

export type ConvertedCall =
  | { ok: true; event: NormalizedEvent; mappingKey: string; kind: Extract<RecordKind, { format: "segment" }>; body: Json }
  | { ok: false; reason: DropReason; errors: FieldError[]; messageId: string | null; callType: string | null };

/** The types calls without a name become; a mapping for the call (and name) replaces them. */
const CALL_TYPES: Record<Exclude<SegmentCall, "track">, string> = {
  page: "page.viewed",
  screen: "screen.viewed",
  identify: "user.identified",
  group: "group.joined",
  alias: "user.aliased",
};

export const MAX_CALL_BYTES = 32 * 1024;

/**
 * Segment's "Object Action" names as our dotted types: "Quiz Submitted" → quiz.submitted, "Product List Viewed"
 * → product_list.viewed; a bracketed qualifier is left out ("Lesson Viewed (Preview)" → lesson.viewed) and
 * accents are folded. A name already in our form is kept. Null when nothing usable remains.
 */
export function normalizeEventName(name: string): string | null {
  const known = normalized.get(name);
  if (known !== undefined) return known;
  const type = normalizeUncached(name);
  if (normalized.size >= MAX_REMEMBERED_NAMES) normalized.clear();
  normalized.set(name, type);
  return type;
}

/** A product sends a few dozen names over and over: each is normalized once (a bound keeps odd senders in check). */
const normalized = new Map<string, string | null>();
const MAX_REMEMBERED_NAMES = 2_000;

function normalizeUncached(name: string): string | null {
  const trimmed = name.trim();
  if (EVENT_TYPE_PATTERN.test(trimmed)) return trimmed;
  const words = trimmed
    .replace(/\([^)]*\)|\[[^\]]*\]/g, " ")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  if (!words) return null;
  const type = words.length === 1 ? words[0] : `${words.slice(0, -1).join("_")}.${words[words.length - 1]}`;
  return EVENT_TYPE_PATTERN.test(type) ? type : null;
}

interface CallInput {
  call: unknown;
  /** The call's type when the endpoint says it (/v1/track…); for /v1/batch it is the call's own `type`. */
  endpointCall: SegmentCall | null;
  index: number | null;
  /** Batch-level context and sentAt. */
  batchContext: Json;
  batchSentAt: string | undefined;
  receivedAt: Date;
  /** False when the whole body is within MAX_CALL_BYTES, so no call can exceed it. */
  measure: boolean;
  /** False when the body's text holds no escape that could be NUL or a lone surrogate. */
  checkText: boolean;
}

/** Converts one call; never throws. `viaSchema` skips the direct build (for the test holding the two equal). */
export function convertSegmentCall(set: MappingSet, input: CallInput, viaSchema = false): ConvertedCall {
  const prefix = input.index === null ? "" : `batch[${input.index}]`;
  const { call } = input;
  if (call === null || typeof call !== "object" || Array.isArray(call)) {
    return drop("malformed", [{ path: prefix, message: "must be a JSON object" }], null, null);
  }
  const c = call as Json;
  const messageId = typeof c.messageId === "string" && c.messageId.length > 0 ? c.messageId : null;
  const callType = input.endpointCall ?? (typeof c.type === "string" ? c.type.toLowerCase() : null);
  if (input.measure && Buffer.byteLength(JSON.stringify(c)) > MAX_CALL_BYTES) {
    return drop("oversize", [{ path: prefix, message: `A call may be at most ${MAX_CALL_BYTES / 1024} KB of JSON` }], messageId, callType);
  }
  const unsafe = input.checkText ? findUnsafeText(c, prefix) : [];
  if (unsafe.length > 0) return drop("unstorable_text", unsafe, messageId, callType);
  if (!callType || !(SEGMENT_CALLS as readonly string[]).includes(callType)) {
    return drop("unknown_type", [{ path: at(prefix, "type"), message: `must be one of ${SEGMENT_CALLS.join(", ")}` }], messageId, callType);
  }
  const kindOfCall = callType as SegmentCall;
  const name = kindOfCall === "track" ? c.event : kindOfCall === "page" || kindOfCall === "screen" ? c.name : undefined;
  if (kindOfCall === "track" && (typeof name !== "string" || name.trim() === "")) {
    return drop("unnamed_event", [{ path: at(prefix, "event"), message: "a track call needs an event name" }], messageId, callType);
  }
  const kind: Extract<RecordKind, { format: "segment" }> = { format: "segment", call: kindOfCall, event: typeof name === "string" ? name : null };
  // A batch-level context (rare) is merged under the call's own; without one the call is read as sent.
  const own = isObject(c.context) ? c.context : {};
  const context = Object.keys(input.batchContext).length > 0 ? { ...input.batchContext, ...own } : own;
  const record = context === c.context ? c : { ...c, context };
  const mapping = findMapping(set, kind, record);
  const fields = extractFields(mapping ?? defaultFieldsOf("segment"), record);
  if (fields.learner === undefined) {
    return drop("no_user", [{ path: at(prefix, "userId"), message: "a call needs a userId or an anonymousId (a string of 1–128 characters)" }], messageId, callType);
  }
  const type = mapping?.eventType ?? (kindOfCall === "track" ? normalizeEventName(name as string) : CALL_TYPES[kindOfCall]);
  if (type === null) {
    return drop(
      "invalid",
      [{ path: at(prefix, "event"), message: `"${String(name).slice(0, 100)}" cannot become an event type (^[a-z][a-z0-9_.]{0,63}$); add a mapping for it` }],
      messageId,
      callType,
    );
  }
  // Field by field, not by conditional spreads: this runs for every call of a batch.
  const raw = { id: messageId ?? derivedMessageId(c), type, learnerId: fields.learner } as EventInput;
  if (fields.course !== undefined) raw.courseId = fields.course;
  if (fields.module !== undefined) raw.moduleId = fields.module;
  raw.occurredAt = firstString(c.timestamp, c.originalTimestamp) ?? input.receivedAt.toISOString();
  raw.properties = propertiesOf(kindOfCall, c, fields);
  const learner = learnerOf(kindOfCall, c, context);
  if (learner) raw.learner = learner;
  // A malformed sentAt of the call's own is ignored, as the batch's is: it would skew the time to nothing.
  const sentAt = input.batchSentAt ?? firstTime(c.sentAt);
  // An ordinary call's event is built directly; any other goes through eventSchema, which names its problems.
  // Either way from a call already measured and checked for unstorable text.
  let event = viaSchema ? null : quickEvent(raw, sentAt, input.receivedAt);
  if (!event) {
    const parsed = parseOneEvent(raw, { prefix, batchSentAt: sentAt, receivedAt: input.receivedAt, measure: false, checkText: false });
    if ("errors" in parsed) return drop("invalid", toSegmentPaths(parsed.errors, prefix), messageId, callType);
    event = parsed.event;
  }
  return { ok: true, event, mappingKey: mapping?.key ?? `segment.${kindOfCall === "track" ? "object-action" : kindOfCall}`, kind, body: c };
}

function drop(reason: DropReason, errors: FieldError[], messageId: string | null, callType: string | null): ConvertedCall {
  return { ok: false, reason, errors, messageId, callType };
}

/** A call without a messageId gets one from its content, so a retried identical call is still a duplicate. */
function derivedMessageId(call: Json): string {
  return `seg-${createHash("sha256").update(JSON.stringify(call)).digest("hex").slice(0, 40)}`;
}

const COURSE_KEYS = new Set(["courseId", "course_id", "moduleId", "module_id"]);

/** The event's properties: a new object (the call is stored as the original), less the keys that became courseId / moduleId. */
function propertiesOf(call: SegmentCall, c: Json, fields: { course?: string; module?: string }): Json {
  const own: Json = isObject(c.properties) ? c.properties : {};
  const properties: Json = {};
  for (const key of Object.keys(own)) {
    const value = own[key];
    if (value !== undefined && (value === fields.course || value === fields.module) && COURSE_KEYS.has(key)) continue;
    setOwn(properties, key, value);
  }
  if (call === "page" || call === "screen") {
    if (typeof c.name === "string") setOwn(properties, "name", c.name);
    if (typeof c.category === "string") setOwn(properties, "category", c.category);
  } else if (call === "group") {
    if (c.groupId !== undefined) setOwn(properties, "groupId", c.groupId);
    if (isObject(c.traits)) setOwn(properties, "traits", c.traits);
  } else if (call === "alias") {
    if (c.previousId !== undefined) setOwn(properties, "previousId", c.previousId);
  }
  return properties;
}

/** `target[key] = value` as a spread would do it: a key "__proto__" (JSON.parse makes it an own key) stays a key. */
function setOwn(target: Json, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * The learner's profile from the call: traits (identify's own, else context.traits), and the device's
 * context.timezone and context.locale, which Segment's libraries send. A value the profile cannot hold (an
 * unknown zone, a name over 200 characters) is left out rather than costing the event. Undefined when the call
 * says nothing of the learner.
 */
function learnerOf(call: SegmentCall, c: Json, context: Json): Json | undefined {
  const contextTraits = isObject(context.traits) ? context.traits : undefined;
  const ownTraits = call === "identify" && isObject(c.traits) ? c.traits : undefined;
  const traits: Json = contextTraits && ownTraits ? { ...contextTraits, ...ownTraits } : (ownTraits ?? contextTraits ?? {});
  const profile: Json = {};
  const { name, firstName, lastName } = traits;
  const fullName = typeof name === "string" ? name : [firstName, lastName].filter((x) => typeof x === "string").join(" ");
  if (fullName && fullName.length <= 200) profile.name = fullName;
  const locale = firstString(context.locale, traits.locale);
  if (locale && LOCALE_PATTERN.test(locale)) profile.locale = locale;
  const timezone = firstString(context.timezone, traits.timezone);
  if (timezone && isValidTimeZone(timezone)) profile.timezone = timezone;
  let attributes: Json | undefined;
  for (const key of Object.keys(traits)) {
    const value = traits[key];
    if (PROFILE_TRAITS.has(key) || key.length > 128 || value === undefined) continue;
    setOwn((attributes ??= {}), key, value);
  }
  if (attributes) profile.attributes = attributes;
  return profile.name !== undefined || profile.locale !== undefined || profile.timezone !== undefined || attributes ? profile : undefined;
}

/** Traits that are the profile's own fields, not attributes. */
const PROFILE_TRAITS = new Set(["name", "firstName", "lastName", "locale", "timezone"]);

const FIELD_BACK: Record<string, string> = {
  id: "messageId",
  type: "event",
  learnerId: "userId",
  occurredAt: "timestamp",
  courseId: "properties.courseId",
  moduleId: "properties.moduleId",
  learner: "context.traits",
};

/** Our field names in an error path (`batch[2].learnerId`) as the caller's Segment names (`batch[2].userId`). */
function toSegmentPaths(errors: FieldError[], prefix: string): FieldError[] {
  return errors.map(({ path, message }) => {
    const rest = prefix && path.startsWith(prefix) ? path.slice(prefix.length).replace(/^\./, "") : path;
    const m = /^([A-Za-z]+)(.*)$/.exec(rest);
    const mapped = m ? (FIELD_BACK[m[1]] ?? m[1]) + m[2] : rest;
    return { path: prefix && mapped ? `${prefix}.${mapped}` : prefix || mapped, message };
  });
}

/** A path under the call's own (`batch[2].event`, or `event` for a single call). */
function at(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

function firstTime(value: unknown): string | undefined {
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === "string" && v.length > 0) return v;
  return undefined;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
