/**
 * The published version of a template, as matching needs it. The published version number is re-read at
 * most once a second; versions themselves are immutable, so their content is cached by (key, version).
 */
import type { Db } from "../db/client";
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

const CHECK_MS = 1_000;
const published = new WeakMap<Db, Map<string, { version: number | null; checkedAt: number }>>();
const versions = new Map<string, PublishedTemplate>();

/** The published version of `key`, or null when the template does not exist or has none published. */
export async function loadPublishedTemplate(db: Db, key: string): Promise<PublishedTemplate | null> {
  let byKey = published.get(db);
  if (!byKey) published.set(db, (byKey = new Map()));
  let entry = byKey.get(key);
  if (!entry || Date.now() - entry.checkedAt > CHECK_MS) {
    const row = await db.template.findUnique({ where: { key }, select: { publishedVersion: true } });
    entry = { version: row?.publishedVersion ?? null, checkedAt: Date.now() };
    byKey.set(key, entry);
  }
  if (entry.version === null) return null;
  return loadTemplateVersion(db, key, entry.version);
}

/** One immutable version of a template (cached forever). */
export async function loadTemplateVersion(db: Db, key: string, version: number): Promise<PublishedTemplate | null> {
  const cacheKey = `${key}@${version}`;
  const hit = versions.get(cacheKey);
  if (hit) return hit;
  const row = await db.templateVersion.findUnique({ where: { templateKey_version: { templateKey: key, version } } });
  if (!row) return null;
  const template: PublishedTemplate = {
    key, version, kind: row.kind, locale: row.locale, essential: row.essential,
    response: (row.response as TemplateResponse) ?? null, variants: row.variants as unknown as TemplateVariant[],
  };
  if (versions.size > 5_000) versions.clear();
  versions.set(cacheKey, template);
  return template;
}

/** Forgets the cached published version of a template after it changed in this process. */
export function forgetPublishedTemplate(db: Db, key: string): void {
  published.get(db)?.delete(key);
}
