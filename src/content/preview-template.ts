/**
 * Preview: what a named learner (or a sample context) would receive today from a stored version or from
 * unsaved text, with warnings for variables the context lacks and the data that went into it.
 */
import { z } from "zod";
import type { EngineContext } from "../context";
import { ValidationError } from "../lib/errors";
import { loadLearnerSnapshot } from "../learners/learner-snapshot";
import { buildSampleContext } from "../templates/render-context";
import { renderMessage, renderTemplateSource } from "../templates/render";
import { findUnknownVariables } from "../templates/unknown-variables";
import { validateTemplateSource } from "../templates/validate-template";
import { getTemplate } from "./template-store";

export const previewSchema = z.strictObject({
  templateKey: z.string().min(1).optional(),
  version: z.number().int().min(1).optional(),
  variant: z.string().min(1).optional(),
  learnerId: z.string().min(1).optional(),
  courseId: z.string().min(1).optional(),
  source: z.strictObject({ title: z.string().optional(), body: z.string() }).optional(),
  context: z.record(z.string(), z.json()).optional(),
}).refine((p) => p.templateKey || p.source, { message: "give templateKey or source", path: ["templateKey"] });
export type PreviewInput = z.infer<typeof previewSchema>;

/** Renders the preview. */
export async function previewTemplate(ctx: EngineContext, input: PreviewInput) {
  const now = ctx.clock.now();
  let context: Record<string, unknown>;
  let usedData: Record<string, unknown> = { sample: true };
  if (input.learnerId) {
    const snapshot = await loadLearnerSnapshot(ctx.database.pool, input.learnerId, input.courseId ?? null, now);
    if (!snapshot.learner) throw new ValidationError(`No learner ${input.learnerId}`, [{ path: "learnerId", message: "no such learner" }]);
    const { rows } = await ctx.database.pool.query<{ segment_key: string }>(`SELECT segment_key FROM segment_members WHERE learner_id = $1 ORDER BY segment_key`, [input.learnerId]);
    context = {
      learner: snapshot.learner, course: { id: input.courseId ?? null }, module: { id: null }, event: { type: null, properties: {} },
      goal: snapshot.goal, assessments: snapshot.assessments, insights: snapshot.insights, message: { id: null }, ...(input.context ?? {}),
    };
    usedData = { sample: false, segments: rows.map((r) => r.segment_key), insights: Object.keys(snapshot.insights), goal: snapshot.goal, state: snapshot.state };
  } else {
    context = { ...(buildSampleContext(now) as unknown as Record<string, unknown>), ...(input.context ?? {}) };
  }

  if (input.source) {
    const issues = [...validateTemplateSource(input.source.body).map((i) => ({ path: "source.body", ...i })), ...validateTemplateSource(input.source.title ?? "").map((i) => ({ path: "source.title", ...i }))];
    if (issues.length) throw new ValidationError("The template source is invalid", issues.map((i) => ({ path: i.path, message: `${i.message} (line ${i.line}, column ${i.column})` })));
    const warnings = [...findUnknownVariables(input.source.body, context), ...findUnknownVariables(input.source.title ?? "", context)].map((u) => `unknown variable ${u.variable} (line ${u.line}, column ${u.column})`);
    return { title: renderTemplateSource(input.source.title ?? "", context, "title"), body: renderTemplateSource(input.source.body, context), cta: null, variant: null, warnings, data: usedData };
  }
  const template = await getTemplate(ctx.prisma, input.templateKey as string, input.version ?? undefined);
  const variantKey = input.variant ?? template.variants[0].key;
  const variant = template.variants.find((v) => v.key === variantKey);
  if (!variant) throw new ValidationError(`Template ${template.key} has no variant ${variantKey}`, [{ path: "variant", message: `must be one of ${template.variants.map((v) => v.key).join(", ")}` }]);
  const rendered = renderMessage({ templateKey: template.key, version: template.version, locale: template.locale, variants: template.variants }, variantKey, context);
  const unknown = [...findUnknownVariables(variant.body, context), ...findUnknownVariables(variant.title, context)].map((u) => `unknown variable ${u.variable} (line ${u.line}, column ${u.column})`);
  return { title: rendered.title, body: rendered.body, cta: rendered.cta, variant: variantKey, locale: rendered.locale, version: template.version, warnings: [...unknown, ...rendered.warnings], data: usedData };
}
