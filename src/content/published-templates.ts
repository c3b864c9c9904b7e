/**
 * The published version of a template, as matching needs it, cached on the context under the templates
 * revision: publishing (through any process) bumps it, so every process sends the new version within
 * POLL_MS. The content of a version is cached by (key, version) under the same revision — versions are
 * immutable, but an emptied database (tests, the simulator) may reuse a number.
 */
import type { Db } from "../db/client";
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import type { TemplateKind, TemplateResponse, TemplateVariant } from "../templates/template.schema";

export interface PublishedTemplate {
  key: string;
  version: number;
  kind: TemplateKind;
  locale: string;
  essential: boolean;
  response: TemplateResponse;
  variants: TemplateVariant[];
}

type TemplateContext = Pick<EngineContext, "prisma" | "cache">;

const PUBLISHED_VERSIONS = cacheArea<number | null>({ name: "published-template-versions", kind: "templates", maxEntries: 10_000 });
const TEMPLATE_VERSIONS = cacheArea<PublishedTemplate | null>({ name: "template-versions", kind: "templates", maxEntries: 5_000 });

/** The published version of `key`, or null when the template does not exist or has none published. */
export async function loadPublishedTemplate(ctx: TemplateContext, key: string): Promise<PublishedTemplate | null> {
  const version = await ctx.cache.get(PUBLISHED_VERSIONS, key, async () => {
    const row = await ctx.prisma.template.findUnique({ where: { key }, select: { publishedVersion: true } });
    return row?.publishedVersion ?? null;
  });
  if (version === null) return null;
  return ctx.cache.get(TEMPLATE_VERSIONS, `${key}@${version}`, () => readTemplateVersion(ctx.prisma, key, version));
}

/** The published version read from the database now (reports, which must not wait for a cache). */
export async function readPublishedTemplate(db: Db, key: string): Promise<PublishedTemplate | null> {
  const row = await db.template.findUnique({ where: { key }, select: { publishedVersion: true } });
  return row?.publishedVersion ? readTemplateVersion(db, key, row.publishedVersion) : null;
}

async function readTemplateVersion(db: Db, key: string, version: number): Promise<PublishedTemplate | null> {
  const row = await db.templateVersion.findUnique({ where: { templateKey_version: { templateKey: key, version } } });
  if (!row) return null;
  return {
    key,
    version,
    kind: row.kind,
    locale: row.locale,
    essential: row.essential,
    response: (row.response as TemplateResponse) ?? null,
    variants: row.variants as unknown as TemplateVariant[],
  };
}

/** After a template write committed through this process: the next match here uses the new state at once. */
export function forgetPublishedTemplate(ctx: Pick<EngineContext, "cache">): void {
  ctx.cache.changed("templates");
}
