/**
 * IMS Caliper envelopes (1.1 and 1.2) as a Caliper endpoint receives them: `{sensor, sendTime, dataVersion,
 * data: [...]}`. Each item of `data` is an event (it has an `action`) or an entity description, which carries
 * no learner activity and is acknowledged without being stored. An envelope with any malformed event is
 * refused whole, naming the event and field.
 */
import { z } from "zod";
import { ValidationError, type FieldError } from "../lib/errors";
import { zodFieldErrors } from "../lib/zod-errors";
import { findUnsafeText } from "../lib/unsafe-text";
import type { RecordKind } from "./mapping-set";

export const CALIPER_CONTEXTS = ["http://purl.imsglobal.org/ctx/caliper/v1p1", "http://purl.imsglobal.org/ctx/caliper/v1p2"] as const;

const isoDate = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone" });

const envelopeSchema = z
  .object({
    sensor: z.string().min(1, "must name the sensor").max(2_048),
    sendTime: isoDate,
    dataVersion: z.enum(CALIPER_CONTEXTS, { message: `must be ${CALIPER_CONTEXTS.join(" or ")}` }),
    data: z.array(z.unknown(), { message: "must be an array of events" }),
  })
  .loose();

/** An entity may be given by its IRI alone, or as an object with an id and a type. */
const entity = z.union([z.string().min(1).max(2_048), z.object({ id: z.string().min(1).max(2_048), type: z.string().min(1) }).loose()]);

const eventSchema = z
  .object({
    id: z.string().min(1).max(128, "must be at most 128 characters (urn:uuid:… is 45)"),
    type: z.string().min(1).max(100),
    actor: entity,
    action: z.string().min(1).max(100),
    object: entity,
    eventTime: isoDate,
  })
  .loose();

export interface CaliperEvent {
  id: string;
  body: Record<string, unknown>;
  kind: Extract<RecordKind, { format: "caliper" }>;
  eventTime: string;
}

export interface CheckedEnvelope {
  sendTime: string;
  events: CaliperEvent[];
  /** Entity descriptions in `data`: acknowledged, not stored. */
  entities: number;
}

/**
 * Checks an envelope; throws ValidationError (400) naming every problem, e.g. `data[3].actor`. `checkText:
 * false` skips the walk for NUL and lone surrogates when the body's text is known to hold none.
 */
export function checkEnvelope(body: unknown, options: { checkText?: boolean } = {}): CheckedEnvelope {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ValidationError("The body must be a Caliper envelope {sensor, sendTime, dataVersion, data: [...]}", [{ path: "", message: "must be a JSON object" }]);
  }
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) throw new ValidationError("The Caliper envelope is invalid; nothing was stored", zodFieldErrors(envelope.error));
  const errors: FieldError[] = [];
  const events: CaliperEvent[] = [];
  const seen = new Set<string>();
  let entities = 0;
  envelope.data.data.forEach((item, index) => {
    const prefix = `data[${index}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      errors.push({ path: prefix, message: "must be an event or entity object" });
      return;
    }
    if (!("action" in item) && !/Event$/.test(String((item as { type?: unknown }).type ?? ""))) {
      entities++;
      return;
    }
    const unsafe = options.checkText === false ? [] : findUnsafeText(item, prefix);
    if (unsafe.length > 0) {
      errors.push(...unsafe);
      return;
    }
    const parsed = eventSchema.safeParse(item);
    if (!parsed.success) {
      errors.push(...zodFieldErrors(parsed.error, prefix));
      return;
    }
    const e = parsed.data;
    if (seen.has(e.id)) {
      errors.push({ path: `${prefix}.id`, message: `repeats the id of an earlier event in this envelope (${e.id})` });
      return;
    }
    seen.add(e.id);
    const object = e.object as { type?: unknown } | string;
    const objectType = typeof object === "object" && typeof object.type === "string" ? object.type : null;
    events.push({ id: e.id, body: item as Record<string, unknown>, eventTime: e.eventTime, kind: { format: "caliper", type: e.type, action: e.action, objectType } });
  });
  if (errors.length > 0) throw new ValidationError(`${new Set(errors.map((e) => e.path.split(".")[0])).size} item(s) of the envelope are invalid; nothing was stored`, errors);
  return { sendTime: envelope.data.sendTime, events, entities };
}
