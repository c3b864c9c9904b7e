/**
 * Preview: what a named learner (or a sample context) would receive today from a stored version or from
 * unsaved text, with warnings for variables the context lacks and the data that went into it.
 */
import { z } from "zod";
import type { EngineContext } from "../context";
import { ValidationError } from "../lib/errors";
import { countJsonValues } from "../lib/json-value-count";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { buildSampleContext, toRenderData } from "../templates/render-context";
import { renderMessage, renderTemplateSource, safeCtaUrl } from "../templates/render";
import { findUnknownVariables, inspectVariables } from "../templates/unknown-variables";
import { inspectTemplateSource, type TemplateIssue } from "../templates/validate-template";
import { getTemplate } from "./template-store";

/** Values (of any kind, nested ones included) a preview's sample `context` may hold. */
export const MAX_PREVIEW_CONTEXT_VALUES = 5_000;

/**
 * The sample context: counted, so a megabyte of it is refused in time proportional to the limit. Its values
 * are not walked again by zod (`z.json()` costs about a microsecond per value, as much as the rest of a
 * large preview): the body was parsed from JSON, so every value in it is JSON already. The document
 * (`previewDocumentedSchema`) still says they are JSON values.
 */
function previewContextSchema<V extends z.ZodType>(values: V) {
  return z.preprocess(
    (value, ctx) => {
      if (countJsonValues(value, MAX_PREVIEW_CONTEXT_VALUES) > MAX_PREVIEW_CONTEXT_VALUES) {
        ctx.addIssue({ code: "custom", message: `A preview context may hold at most ${MAX_PREVIEW_CONTEXT_VALUES} values`, input: value });
      }
      return value;
    },
    z.record(z.string(), values),
  );
}

function previewBodySchema<V extends z.ZodType>(contextValues: V) {
  return z
    .strictObject({
      templateKey: z.string().min(1).optional(),
      version: z.number().int().min(1).optional(),
      variant: z.string().min(1).optional(),
      learnerId: z.string().min(1).optional(),
      courseId: z.string().min(1).optional(),
      /** Unsaved copy: a variant's title, body and call to action as the editor holds them. */
      source: z.strictObject({ title: z.string().optional(), body: z.string(), cta: z.strictObject({ label: z.string(), url: z.string() }).optional() }).optional(),
      context: previewContextSchema(contextValues).optional(),
    })
    .refine((p) => p.templateKey || p.source, { message: "give templateKey or source", path: ["templateKey"] });
}

/** What the route validates a preview's body with. */
export const previewSchema = previewBodySchema(z.unknown());
/** What the OpenAPI document says of it: the same, with the context's values as JSON values. */
export const previewDocumentedSchema = previewBodySchema(z.json());
export type PreviewInput = z.infer<typeof previewSchema>;

/** The fields of unsaved copy a preview renders; a CTA's URL is rendered unescaped and then checked, as on delivery. */
type SourceField = "body" | "title" | "cta.label" | "cta.url";

/**
 * Renders the preview. With `source`, the answer also lists each unknown variable and each object printed as
 * text per field (`problems`, with line and column) and the render context itself (`context`), so an editor
 * can flag them in place and show the variables a learner really has.
 */
export async function previewTemplate(ctx: EngineContext, input: PreviewInput) {
  const now = ctx.clock.now();
  let context: Record<string, unknown>;
  let usedData: Record<string, unknown> = { sample: true };
  if (input.learnerId) {
    const snapshot = await loadLearnerSnapshot(ctx.database.pool, input.learnerId, input.courseId ?? null, now);
    if (!snapshot.learner) throw new ValidationError(`No learner ${input.learnerId}`, [{ path: "learnerId", message: "no such learner" }]);
    const { rows } = await ctx.database.pool.query<{ segment_key: string }>(`SELECT segment_key FROM segment_members WHERE learner_id = $1 ORDER BY segment_key`, [input.learnerId]);
    context = {
      learner: snapshot.learner,
      course: { id: input.courseId ?? null },
      module: { id: null },
      event: { type: null, properties: {} },
      goal: snapshot.goal,
      assessments: snapshot.assessments,
      insights: snapshot.insights,
      message: { id: null },
      ...(input.context ?? {}),
    };
    usedData = { sample: false, segments: rows.map((r) => r.segment_key), insights: Object.keys(snapshot.insights), goal: snapshot.goal, state: snapshot.state };
  } else {
    context = { ...(buildSampleContext(now) as unknown as Record<string, unknown>), ...(input.context ?? {}) };
  }

  const data = toRenderData(context); // converted once, for every field and check below

  if (input.source) {
    // Each source is parsed once: the checks, the variable walk and the compiler share the AST.
    const sources: Array<[SourceField, string]> = [
      ["body", input.source.body],
      ["title", input.source.title ?? ""],
    ];
    if (input.source.cta) sources.push(["cta.label", input.source.cta.label], ["cta.url", input.source.cta.url]);
    const inspected = sources.map(([field, text]) => ({ field, ...inspectTemplateSource(text) }));
    const located = (field: string, list: TemplateIssue[]) =>
      list.map((i) => ({ path: `source.${field}`, message: `${i.message} (line ${i.line}, column ${i.column})`, line: i.line, column: i.column }));
    const issues = inspected.flatMap((f) => located(f.field, [...f.issues, ...f.rawOutput]));
    if (issues.length || inspected.some((f) => !f.ast)) throw new ValidationError("The template source is invalid", issues);
    const problems = inspected.flatMap((f) => {
      const { unknown, objects } = inspectVariables(f.ast!, data);
      return [...unknown.map((u) => ({ field: f.field, kind: "unknown" as const, ...u })), ...objects.map((u) => ({ field: f.field, kind: "object" as const, ...u }))];
    });
    const warnings = problems.map((p) =>
      p.kind === "unknown"
        ? `unknown variable ${p.variable} (line ${p.line}, column ${p.column})`
        : `${p.variable} is an object: it would print as text like [object Object] (${p.field}, line ${p.line}, column ${p.column})`,
    );
    const [body, title, label, url] = inspected.map((f) => renderTemplateSource(f, data, f.field));
    let cta: { label: string; url: string } | null = null;
    if (input.source.cta) {
      const safe = safeCtaUrl(url);
      if (!label.trim()) warnings.push("The CTA label rendered empty; the CTA was dropped");
      else if (safe === null) warnings.push("The CTA URL did not render to an http(s) or relative URL; the CTA was dropped");
      else cta = { label: label.trim(), url: safe };
    }
    return { title, body, cta, variant: null, warnings, problems, context: data, data: usedData };
  }
  const template = await getTemplate(ctx.prisma, input.templateKey as string, input.version ?? undefined);
  const variantKey = input.variant ?? template.variants[0].key;
  const variant = template.variants.find((v) => v.key === variantKey);
  if (!variant) throw new ValidationError(`Template ${template.key} has no variant ${variantKey}`, [{ path: "variant", message: `must be one of ${template.variants.map((v) => v.key).join(", ")}` }]);
  const rendered = renderMessage({ templateKey: template.key, version: template.version, locale: template.locale, variants: template.variants }, variantKey, data);
  const unknown = [...findUnknownVariables(variant.body, data), ...findUnknownVariables(variant.title, data)].map((u) => `unknown variable ${u.variable} (line ${u.line}, column ${u.column})`);
  return {
    title: rendered.title,
    body: rendered.body,
    cta: rendered.cta,
    variant: variantKey,
    locale: rendered.locale,
    version: template.version,
    warnings: [...unknown, ...rendered.warnings],
    data: usedData,
  };
}
