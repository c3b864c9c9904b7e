/**
 * Renders a scheduled message with the learner's current data (profile, latest goal for the course,
 * assessments, insights) and the triggering event. Template versions are cached by (key, version) on the
 * context under the templates revision (immutable, but an emptied database may reuse a number).
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import type { LearnerSnapshot } from "../learners/learner-snapshot";
import { renderMessage, type RenderableTemplate } from "../templates/render";
import type { Cta } from "../templates/template.schema";
import type { ScheduledMessage } from "./scheduled-message";

export type RenderOutcome = { ok: true; title: string; body: string; cta: Cta | null } | { ok: false; error: string };

const RENDERABLE_VERSIONS = cacheArea<RenderableTemplate | null>({ name: "renderable-template-versions", kind: "templates", maxEntries: 5_000 });

/** Renders the message's template version and variant for the learner, or says why it cannot. */
export async function renderScheduledMessage(ctx: EngineContext, message: ScheduledMessage, snapshot: LearnerSnapshot): Promise<RenderOutcome> {
  const template = await loadTemplateVersion(ctx, message.templateKey, message.templateVersion);
  if (!template) return { ok: false, error: `template ${message.templateKey} v${message.templateVersion} does not exist` };
  try {
    const rendered = renderMessage(template, message.variant, {
      learner: snapshot.learner ?? { id: message.learnerId, attributes: {} },
      course: { id: message.courseId },
      module: { id: message.moduleId },
      event: message.event ?? { type: null, properties: {} },
      goal: snapshot.goal,
      assessments: snapshot.assessments,
      insights: snapshot.insights,
      message: { id: message.id },
    });
    return { ok: true, title: rendered.title, body: rendered.body, cta: rendered.cta };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** A template version as rendering needs it, read once per templates revision. */
export async function loadTemplateVersion(ctx: EngineContext, key: string, version: number): Promise<RenderableTemplate | null> {
  return ctx.cache.get(RENDERABLE_VERSIONS, `${key}@${version}`, async () => {
    const row = await ctx.prisma.templateVersion.findUnique({ where: { templateKey_version: { templateKey: key, version } } });
    if (!row) return null;
    return { templateKey: key, version, locale: row.locale, variants: row.variants as unknown as RenderableTemplate["variants"] };
  });
}
