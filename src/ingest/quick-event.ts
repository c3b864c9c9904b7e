/**
 * An event a route built itself (a converted Segment call), accepted without running eventSchema over it when
 * it is ordinary: every field checked as the schema checks it, the event built as parseOneEvent builds it.
 * Null when anything is out of the ordinary (an invalid field, a value that is not JSON, a `__proto__` key, a
 * time out of bounds after skew correction): the caller then parses it with the schema, which names the
 * problem. Held to eventSchema by a property test (tests/unit/standards/segment-quick-event.test.ts). Pure.
 */
import { correctClockSkew, correctedTimeProblem } from "./clock-skew";
import { EVENT_TYPE_PATTERN, isoDate, LOCALE_PATTERN, type LearnerProfile } from "./event.schema";
import type { NormalizedEvent } from "./parse-events";
import { isValidTimeZone } from "../lib/timezones";

type Json = Record<string, unknown>;

/** The native event as a route builds it, before validation (the shape eventSchema parses). */
export interface EventInput {
  id: string;
  type: string;
  learnerId: string;
  courseId?: string;
  moduleId?: string;
  occurredAt: string;
  properties: Json;
  learner?: Json;
}

const MAX_ID = 128;
const MAX_KEY = 128;
const MAX_DEPTH = 64;
const PROFILE_KEYS = new Set(["name", "locale", "timezone", "attributes"]);

/** The event `raw` is, skew-corrected by `sentAt` (not validated: the caller's), or null when it is not ordinary. */
export function quickEvent(raw: EventInput, sentAtText: string | undefined, receivedAt: Date): NormalizedEvent | null {
  if (!isId(raw.id) || !isId(raw.learnerId) || !EVENT_TYPE_PATTERN.test(raw.type)) return null;
  if ((raw.courseId !== undefined && !isId(raw.courseId)) || (raw.moduleId !== undefined && !isId(raw.moduleId))) return null;
  if (!isPlainObject(raw.properties) || !isJsonRecord(raw.properties)) return null;
  if (raw.type === "quiz.submitted" && !quizPropertiesOk(raw.properties)) return null;
  if (raw.learner !== undefined && !isProfile(raw.learner)) return null;
  if (!isoDate.safeParse(raw.occurredAt).success) return null;
  const sentAt = sentAtText ? new Date(sentAtText) : null;
  const occurredAt = correctClockSkew(new Date(raw.occurredAt), sentAt, receivedAt);
  if (correctedTimeProblem(occurredAt, receivedAt)) return null;
  return {
    id: raw.id,
    type: raw.type,
    learnerId: raw.learnerId,
    courseId: raw.courseId ?? null,
    moduleId: raw.moduleId ?? null,
    occurredAt,
    sentAt,
    properties: raw.properties,
    learner: (raw.learner as LearnerProfile | undefined) ?? null,
  };
}

function isId(value: unknown): boolean {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID;
}

/** eventSchema's refinement for the built-in templates' fields. */
function quizPropertiesOk(properties: Json): boolean {
  const { score, passed } = properties;
  return (score === undefined || (typeof score === "number" && score >= 0 && score <= 1)) && (passed === undefined || typeof passed === "boolean");
}

/** learnerProfileSchema's checks: known keys only, each value of its kind. */
function isProfile(profile: Json): boolean {
  for (const key in profile) if (!PROFILE_KEYS.has(key)) return false;
  const { name, locale, timezone, attributes } = profile;
  if (name !== undefined && !(typeof name === "string" && name.length <= 200)) return false;
  if (locale !== undefined && !(typeof locale === "string" && LOCALE_PATTERN.test(locale))) return false;
  if (timezone !== undefined && !(typeof timezone === "string" && isValidTimeZone(timezone))) return false;
  return attributes === undefined || (isPlainObject(attributes) && isJsonRecord(attributes));
}

/** z.record(z.string().max(128), z.json()). */
function isJsonRecord(value: Json): boolean {
  for (const key in value) {
    if (key.length > MAX_KEY || key === "__proto__" || !isJson(value[key], 1)) return false;
  }
  return true;
}

/** z.json(): strings, finite numbers, booleans, null, arrays and objects of them. A `__proto__` key, which zod's copy leaves out, is not ordinary. */
function isJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isJson(item, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) if (key === "__proto__" || !isJson((value as Json)[key], depth + 1)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
