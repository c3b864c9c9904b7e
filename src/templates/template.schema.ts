/**
 * The template definition content staff post (`POST /v1/templates`, `PUT /v1/templates/{key}`) and the
 * built-in library is written in. Only the shape is checked here; the Handlebars sources inside are
 * checked by validate-template.ts, which needs the parser and reports line and column.
 */
import { z } from "zod";

/** The four kinds of message the inbox knows (contract: "The learner's inbox"). */
export const TEMPLATE_KINDS = ["nudge", "goal_prompt", "goal_reminder", "self_assessment"] as const;

/** A scale has at most this many points: 0–10 is the widest scale people answer reliably (NPS). */
export const MAX_SCALE_POINTS = 11;

/** BCP 47-ish tag: "en", "pt-BR", "zh-Hant-TW". Intl decides the rest. */
const localeTag = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, "Expected a locale tag such as \"en\" or \"pt-BR\"")
  .refine(isKnownToIntl, "Unknown locale tag");

function isKnownToIntl(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const nonEmpty = z.string().min(1, "Must not be empty");

/** A call to action: the button label and where it goes (rendered too, then checked to be http(s) or relative). */
export const ctaSchema = z.strictObject({ label: nonEmpty, url: nonEmpty });

/** The text of a variant in one language. */
export const localizedContentSchema = z.strictObject({
  title: nonEmpty,
  body: nonEmpty,
  cta: ctaSchema.optional(),
});

/** One variant of a template: copy in the default locale, optional translations, and its split weight. */
export const variantSchema = z.strictObject({
  key: z.string().min(1).max(16),
  title: nonEmpty,
  body: nonEmpty,
  cta: ctaSchema.optional(),
  weight: z.number().finite().min(0).default(1),
  locales: z.record(localeTag, localizedContentSchema).optional(),
});

const textResponseSchema = z.strictObject({
  type: z.literal("text"),
  maxLength: z.number().int().min(1).max(500).default(500),
});

const scaleResponseSchema = z
  .strictObject({
    type: z.literal("scale"),
    min: z.number().int(),
    max: z.number().int(),
    labels: z.record(z.string(), nonEmpty).optional(),
  })
  .superRefine((scale, ctx) => {
    if (scale.min >= scale.max) {
      ctx.addIssue({ code: "custom", path: ["max"], message: "max must be greater than min" });
      return;
    }
    if (scale.max - scale.min + 1 > MAX_SCALE_POINTS) {
      ctx.addIssue({ code: "custom", path: ["max"], message: `A scale has at most ${MAX_SCALE_POINTS} points` });
    }
    // A label for a point outside the scale would never be shown: almost certainly a typo.
    for (const key of Object.keys(scale.labels ?? {})) {
      const point = Number(key);
      if (!/^-?\d+$/.test(key) || point < scale.min || point > scale.max) {
        ctx.addIssue({ code: "custom", path: ["labels", key], message: `Label keys must be points of the scale (${scale.min}–${scale.max})` });
      }
    }
  });

/**
 * What a message asks of the learner: nothing (null, the default), a free-text answer (a goal) or a
 * point on a scale. Nullable rather than a union with null, so a bad scale reports its own field.
 */
export const responseSchema = z.discriminatedUnion("type", [textResponseSchema, scaleResponseSchema]).nullable().default(null);

/** Which response each kind requires: the feedback endpoint relies on it to store goals and ratings. */
const RESPONSE_BY_KIND: Record<(typeof TEMPLATE_KINDS)[number], "text" | "scale" | null> = {
  nudge: null,
  goal_prompt: "text",
  goal_reminder: null,
  self_assessment: "scale",
};

/** The whole template definition as posted by staff. */
export const templateDefinitionSchema = z
  .strictObject({
    key: z.string().regex(/^[a-z0-9][a-z0-9\-_.]{0,63}$/, "Lowercase letters, digits, '-', '_' and '.', at most 64"),
    name: z.string().trim().min(1).max(200),
    kind: z.enum(TEMPLATE_KINDS),
    locale: localeTag.default("en"),
    essential: z.boolean().optional(),
    variants: z.array(variantSchema).min(1).max(10),
    response: responseSchema,
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.variants.forEach((variant, index) => {
      if (seen.has(variant.key)) ctx.addIssue({ code: "custom", path: ["variants", index, "key"], message: `Duplicate variant key "${variant.key}"` });
      seen.add(variant.key);
    });
    // All-zero weights would leave the split nothing to choose from.
    if (def.variants.every((variant) => variant.weight === 0)) {
      ctx.addIssue({ code: "custom", path: ["variants"], message: "At least one variant needs a weight above 0" });
    }
    const expected = RESPONSE_BY_KIND[def.kind];
    const actual = def.response?.type ?? null;
    if (expected !== actual) {
      const want = expected === null ? "no response (null)" : `a ${expected} response`;
      ctx.addIssue({ code: "custom", path: ["response"], message: `A ${def.kind} template needs ${want}` });
    }
  });

/** A template definition after defaults are applied (locale "en", weight 1, maxLength 500). */
export type TemplateDefinition = z.infer<typeof templateDefinitionSchema>;
/** A template definition as posted, before defaults. */
export type TemplateDefinitionInput = z.input<typeof templateDefinitionSchema>;
/** One of `nudge`, `goal_prompt`, `goal_reminder`, `self_assessment`. */
export type TemplateKind = TemplateDefinition["kind"];
/** One variant after defaults. */
export type TemplateVariant = z.infer<typeof variantSchema>;
/** Title, body and optional CTA in one language. */
export type LocalizedContent = z.infer<typeof localizedContentSchema>;
/** `{label, url}`. */
export type Cta = z.infer<typeof ctaSchema>;
/** `null`, `{type: "text", maxLength}` or `{type: "scale", min, max, labels?}`. */
export type TemplateResponse = z.infer<typeof responseSchema>;
