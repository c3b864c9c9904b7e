/**
 * A template as the editor holds it (the contract's definition), and what the editor derives from it: the
 * copy of one variant in one locale, the body a PUT sends, every Handlebars source with its body path, and a
 * plain-text form for diffs.
 */

export interface Cta {
  label: string;
  url: string;
}

export interface LocalizedCopy {
  title: string;
  body: string;
  cta?: Cta;
}

export interface Variant extends LocalizedCopy {
  key: string;
  weight: number;
  locales?: Record<string, LocalizedCopy>;
}

export type ResponseSpec = null | { type: "text"; maxLength: number } | { type: "scale"; min: number; max: number; labels?: Record<string, string> };

export interface TemplateDefinition {
  key: string;
  name: string;
  kind: "nudge" | "goal_prompt" | "goal_reminder" | "self_assessment";
  locale: string;
  essential?: boolean;
  variants: Variant[];
  response: ResponseSpec;
}

/** GET /v1/templates/{key}: the definition with its version state. */
export interface TemplateView extends TemplateDefinition {
  version: number;
  latestVersion: number;
  publishedVersion: number | null;
  author: string;
  createdAt: string;
  pausedVariants: string[];
}

export const KINDS: ReadonlyArray<{ kind: TemplateDefinition["kind"]; label: string; response: ResponseSpec }> = [
  { kind: "nudge", label: "Nudge", response: null },
  { kind: "goal_prompt", label: "Goal prompt (asks for a goal)", response: { type: "text", maxLength: 500 } },
  { kind: "goal_reminder", label: "Goal reminder", response: null },
  { kind: "self_assessment", label: "Self-assessment (asks for a rating)", response: { type: "scale", min: 1, max: 5, labels: { "1": "Not at all", "5": "Very" } } },
];

/** What "New template" starts from: one variant that already greets the learner by name. */
export function newTemplate(): TemplateDefinition {
  return {
    key: "", name: "", kind: "nudge", locale: "en", response: null,
    variants: [{ key: "A", weight: 1, title: "Keep going, {{default learner.firstName \"there\"}}", body: "You're making progress in {{course.id}}." }],
  };
}

/** The definition part of a GET answer (what PUT and POST take), deep-copied. */
export function definitionOf(view: TemplateDefinition): TemplateDefinition {
  const { key, name, kind, locale, essential, variants, response } = view;
  return JSON.parse(JSON.stringify({ key, name, kind, locale, ...(essential ? { essential } : {}), variants, response: response ?? null }));
}

/** The copy of a variant in `locale` ("" = the template's own language), or null when it has no such translation. */
export function copyOf(variant: Variant, locale: string): LocalizedCopy | null {
  if (!locale) return variant;
  return variant.locales?.[locale] ?? null;
}

/** The body path of a copy's field, as the API's errors name it. */
export function fieldPath(variantIndex: number, locale: string, field: "title" | "body" | "cta.label" | "cta.url"): string {
  return `variants[${variantIndex}]${locale ? `.locales.${locale}` : ""}.${field}`;
}

/** Every copy (variant × language) of a definition with where it sits. */
export function everyCopy(def: TemplateDefinition): Array<{ variantIndex: number; variantKey: string; locale: string; copy: LocalizedCopy }> {
  return def.variants.flatMap((variant, variantIndex) => [
    { variantIndex, variantKey: variant.key, locale: "", copy: variant as LocalizedCopy },
    ...Object.entries(variant.locales ?? {}).map(([locale, copy]) => ({ variantIndex, variantKey: variant.key, locale, copy })),
  ]);
}

/** The next free variant key: B after A, and so on. */
export function nextVariantKey(variants: Variant[]): string {
  const used = new Set(variants.map((v) => v.key));
  for (let i = 0; i < 26; i++) {
    const key = String.fromCharCode(65 + i);
    if (!used.has(key)) return key;
  }
  return `V${variants.length + 1}`;
}

/** A definition as lines of text, for a line diff between versions. */
export function definitionText(def: TemplateDefinition): string[] {
  const lines = [`name: ${def.name}`, `kind: ${def.kind}`, `language: ${def.locale}`];
  if (def.response) lines.push(`response: ${JSON.stringify(def.response)}`);
  for (const { variantKey, locale, copy } of everyCopy(def)) {
    const variant = def.variants.find((v) => v.key === variantKey)!;
    lines.push("", locale ? `— variant ${variantKey}, ${locale}` : `— variant ${variantKey} (weight ${variant.weight})`);
    lines.push(`title: ${copy.title}`, "body:", ...copy.body.split("\n").map((l) => `  ${l}`));
    if (copy.cta) lines.push(`call to action: ${copy.cta.label} → ${copy.cta.url}`);
  }
  return lines;
}
