/**
 * A mapping from the outside world to our events, as zod schemas (GET/PUT /v1/mappings): which xAPI verb and
 * object type, Caliper type and action, or Segment call and name it applies to, the event `type` it gives, and
 * where the learner, course, module, score, pass/fail and completion come from.
 */
import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../ingest/event.schema";
import { compilePath } from "./record-path";

export const MAPPING_SOURCES = ["xapi", "caliper", "segment"] as const;
export type MappingSource = (typeof MAPPING_SOURCES)[number];

export const SEGMENT_CALLS = ["track", "page", "screen", "identify", "group", "alias"] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

const pathText = z.string().superRefine((text, ctx) => {
  try {
    compilePath(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `is not a valid path: ${(error as Error).message}` });
  }
});

/** Nested quantifiers ("(a+)+") can take exponential time on a crafted statement: refused on save. */
const NESTED_QUANTIFIER = /\([^()]*[+*}][^()]*\)\s*[+*{]/;

const patternText = z
  .string()
  .min(1)
  .max(200)
  .superRefine((text, ctx) => {
    try {
      new RegExp(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `is not a valid regular expression: ${(error as Error).message}` });
      return;
    }
    if (NESTED_QUANTIFIER.test(text)) ctx.addIssue({ code: "custom", message: "must not repeat a group that itself repeats (e.g. (a+)+): it could stall ingest" });
  });

/**
 * Where one field comes from: a path (with an optional regular expression the value must match; its first
 * captured group, or the whole match, is used: "(course-v1:[^/?#]+)" turns an Open edX course IRI into its key),
 * a ratio of two numbers (a score from raw and max), or a constant (passed: false for a "failed" verb).
 */
export const fieldSourceSchema = z.union([
  z.strictObject({ path: pathText, pattern: patternText.optional() }),
  z.strictObject({ ratio: z.tuple([pathText, pathText]) }),
  z.strictObject({ value: z.union([z.string().min(1).max(128), z.number(), z.boolean()]) }),
]);
export type FieldSource = z.infer<typeof fieldSourceSchema>;

/** Tried in order; the first that gives a usable value wins. An empty list: the field is never set. */
const sources = z.array(fieldSourceSchema).max(12);

export const FIELD_NAMES = ["learner", "course", "module", "score", "passed", "completed"] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

export const mappingFieldsSchema = z.strictObject({
  learner: sources.optional(),
  course: sources.optional(),
  module: sources.optional(),
  score: sources.optional(),
  passed: sources.optional(),
  completed: sources.optional(),
});
export type MappingFields = z.infer<typeof mappingFieldsSchema>;

const condition = z.strictObject({ path: pathText, equals: z.union([z.string().max(500), z.number(), z.boolean()]) });
const where = z.array(condition).min(1).max(5).optional();
const iri = z.string().min(1).max(500);

export const xapiMatchSchema = z.strictObject({
  /** The verb's id, e.g. http://adlnet.gov/expapi/verbs/completed. */
  verb: iri,
  /** object.definition.type; absent: any object. */
  objectType: iri.optional(),
  objectIdPrefix: iri.optional(),
  where,
});

export const caliperMatchSchema = z.strictObject({
  /** The event's type, e.g. AssessmentEvent. */
  type: z.string().min(1).max(100),
  /** e.g. Submitted; absent: any action. */
  action: z.string().min(1).max(100).optional(),
  /** object.type, e.g. VideoObject; absent: any. */
  objectType: z.string().min(1).max(100).optional(),
  objectIdPrefix: iri.optional(),
  where,
});

export const segmentMatchSchema = z
  .strictObject({
    /** The call; track when absent. */
    call: z.enum(SEGMENT_CALLS).optional(),
    /** track's `event`, page's and screen's `name`, compared without regard to case. */
    event: z.string().min(1).max(200).optional(),
    where,
  })
  .refine((m) => m.call !== undefined || m.event !== undefined, { message: "needs a call, an event name or both" });

const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, "must be 1–100 lower-case letters, digits and . _ : - (starting with a letter or digit)")
  .refine((k) => k !== "unmapped", "is reserved");

const common = {
  key,
  eventType: z.string().regex(EVENT_TYPE_PATTERN, "must match ^[a-z][a-z0-9_.]{0,63}$"),
  fields: mappingFieldsSchema.optional(),
  enabled: z.boolean().optional(),
  description: z.string().max(500).optional(),
};

export const mappingSchema = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("xapi"), match: xapiMatchSchema, ...common }),
  z.strictObject({ source: z.literal("caliper"), match: caliperMatchSchema, ...common }),
  z.strictObject({ source: z.literal("segment"), match: segmentMatchSchema, ...common }),
]);
export type Mapping = z.infer<typeof mappingSchema>;
export type XapiMatch = z.infer<typeof xapiMatchSchema>;
export type CaliperMatch = z.infer<typeof caliperMatchSchema>;
export type SegmentMatch = z.infer<typeof segmentMatchSchema>;

export const MAX_CUSTOM_MAPPINGS = 1_000;

/** PUT /v1/mappings: the complete set of custom mappings (shipped ones not listed stay as shipped). */
export const customMappingsSchema = z.strictObject({ mappings: z.array(mappingSchema).max(MAX_CUSTOM_MAPPINGS) }).superRefine((body, ctx) => {
  const seen = new Set<string>();
  body.mappings.forEach((m, i) => {
    if (seen.has(m.key)) ctx.addIssue({ code: "custom", path: ["mappings", i, "key"], message: `repeats the key ${m.key}` });
    seen.add(m.key);
  });
});

/** PUT /v1/mappings/{key}: one mapping; its key comes from the path. */
export const oneMappingSchema = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("xapi"), match: xapiMatchSchema, ...common, key: key.optional() }),
  z.strictObject({ source: z.literal("caliper"), match: caliperMatchSchema, ...common, key: key.optional() }),
  z.strictObject({ source: z.literal("segment"), match: segmentMatchSchema, ...common, key: key.optional() }),
]);
