/**
 * Stored templates: every create or update is a new immutable version (with author and time); rules send
 * the published version. Version 1 is published on create so a new template works at once; later versions
 * are published explicitly (POST …/publish, or `"publish": true` on the update). Each change commits with its
 * audit row; an update may be conditional on the latest version its author read (409 when another landed).
 */
import { createHash } from "node:crypto";
import type { EngineContext } from "../context";
import type { Db } from "../db/client";
import { conflictOnDuplicate } from "../db/database-errors";
import { NotFoundError, ValidationError, VersionConflictError } from "../lib/errors";
import { assertSameKey, expectedVersion } from "../lib/expected-version";
import { parseTemplateDefinition } from "../templates/validate-template";
import type { TemplateDefinition } from "../templates/template.schema";
import { forgetPublishedTemplate } from "./published-templates";

export interface TemplateView extends TemplateDefinition {
  version: number;
  latestVersion: number;
  publishedVersion: number | null;
  author: string;
  createdAt: Date;
  pausedVariants: string[];
  /** Why and since when each paused variant is paused (auto-pause records its numbers). */
  pauses: Array<{ variant: string; reason: string; details: unknown; pausedBy: string; pausedAt: Date }>;
}

type TemplateContext = Pick<EngineContext, "prisma" | "cache">;

/** Creates a template as version 1 (published); 409 when the key exists. */
export async function createTemplate(ctx: TemplateContext, input: unknown, actor: string, now: Date): Promise<TemplateView> {
  const def = parseTemplateDefinition(input);
  const db = ctx.prisma;
  await conflictOnDuplicate(
    () =>
      db.$transaction([
        db.template.create({ data: { key: def.key, name: def.name, kind: def.kind, publishedVersion: 1, latestVersion: 1, createdAt: now, updatedAt: now } }),
        db.templateVersion.create({ data: versionData(def, 1, actor, now) }),
        db.auditLog.create({ data: { actor, action: "template.created", entityType: "template", entityKey: def.key, details: { version: 1 } } }),
      ]),
    `Template ${def.key} already exists`,
  );
  forgetPublishedTemplate(ctx);
  return getTemplate(db, def.key);
}

/** What GET returns beside the definition: accepted back on PUT and ignored (`latestVersion` is a precondition). */
const READ_ONLY_FIELDS = ["version", "latestVersion", "publishedVersion", "author", "createdAt", "updatedAt", "pausedVariants", "pauses"] as const;

/**
 * Adds version N+1; publishes it when `publish` is true. With `ifMatch` (or the `latestVersion` GET
 * returned), only if N is still that version — else 409 with the current latest version.
 */
export async function updateTemplate(ctx: TemplateContext, key: string, input: unknown, actor: string, now: Date, ifMatch?: number): Promise<TemplateView> {
  const body = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const { publish, latestVersion, ...rest } = body;
  if (publish !== undefined && typeof publish !== "boolean") throw new ValidationError("publish must be a boolean", [{ path: "publish", message: "must be true or false" }]);
  if (latestVersion !== undefined && !(Number.isInteger(latestVersion) && (latestVersion as number) >= 1)) {
    throw new ValidationError("latestVersion must be a version number", [{ path: "latestVersion", message: "must be the latestVersion GET returned, or left out" }]);
  }
  assertSameKey(key, rest.key);
  for (const field of READ_ONLY_FIELDS) delete rest[field];
  const expected = expectedVersion(ifMatch, latestVersion as number | undefined, "latestVersion");
  const def = parseTemplateDefinition({ ...rest, key });
  const db = ctx.prisma;
  await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ latest_version: number }[]>`SELECT latest_version FROM templates WHERE key = ${key} FOR UPDATE`;
    if (!rows[0]) throw new NotFoundError(`No template ${key}`);
    if (expected !== undefined && rows[0].latest_version !== expected) {
      throw new VersionConflictError(`Template ${key} is at version ${rows[0].latest_version}, not ${expected}: read it again and reapply your change`, rows[0].latest_version);
    }
    const version = rows[0].latest_version + 1;
    await tx.templateVersion.create({ data: versionData(def, version, actor, now) });
    await tx.template.update({ where: { key }, data: { name: def.name, kind: def.kind, latestVersion: version, updatedAt: now, ...(publish ? { publishedVersion: version } : {}) } });
    await tx.auditLog.create({ data: { actor, action: "template.updated", entityType: "template", entityKey: key, details: { version, published: Boolean(publish) } } });
  });
  forgetPublishedTemplate(ctx);
  return getTemplate(db, key);
}

/** Publishes a version (default: the latest). */
export async function publishTemplate(ctx: TemplateContext, key: string, version: number | undefined, actor: string, now: Date): Promise<TemplateView> {
  const db = ctx.prisma;
  const template = await db.template.findUnique({ where: { key } });
  if (!template) throw new NotFoundError(`No template ${key}`);
  const target = version ?? template.latestVersion;
  const exists = await db.templateVersion.findUnique({ where: { templateKey_version: { templateKey: key, version: target } } });
  if (!exists) throw new ValidationError(`Template ${key} has no version ${target}`, [{ path: "version", message: `must be between 1 and ${template.latestVersion}` }]);
  await db.$transaction([
    db.template.update({ where: { key }, data: { publishedVersion: target, updatedAt: now } }),
    db.auditLog.create({ data: { actor, action: "template.published", entityType: "template", entityKey: key, details: { version: target } } }),
  ]);
  forgetPublishedTemplate(ctx);
  return getTemplate(db, key, target);
}

/** A version of a template (default: the latest) with its publication state. */
export async function getTemplate(db: Db, key: string, version?: number): Promise<TemplateView> {
  const template = await db.template.findUnique({ where: { key } });
  if (!template) throw new NotFoundError(`No template ${key}`);
  const v = await db.templateVersion.findUnique({ where: { templateKey_version: { templateKey: key, version: version ?? template.latestVersion } } });
  if (!v) throw new NotFoundError(`Template ${key} has no version ${version}`);
  const paused = await db.variantPause.findMany({ where: { templateKey: key, unpausedAt: null }, orderBy: { variantKey: "asc" } });
  return {
    key,
    name: v.name,
    kind: v.kind,
    locale: v.locale,
    essential: v.essential,
    variants: v.variants as unknown as TemplateDefinition["variants"],
    response: (v.response as TemplateDefinition["response"]) ?? null,
    version: v.version,
    latestVersion: template.latestVersion,
    publishedVersion: template.publishedVersion,
    author: v.author,
    createdAt: v.createdAt,
    pausedVariants: paused.map((p) => p.variantKey),
    pauses: paused.map((p) => ({ variant: p.variantKey, reason: p.reason, details: p.details, pausedBy: p.pausedBy, pausedAt: p.pausedAt })),
  };
}

/** Every template's latest state. */
export async function listTemplates(db: Db): Promise<Array<{ key: string; name: string; kind: string; latestVersion: number; publishedVersion: number | null; updatedAt: Date }>> {
  const rows = await db.template.findMany({ orderBy: { key: "asc" } });
  return rows.map((t) => ({ key: t.key, name: t.name, kind: t.kind, latestVersion: t.latestVersion, publishedVersion: t.publishedVersion, updatedAt: t.updatedAt }));
}

/** The version history: number, author, time. */
export async function listTemplateVersions(db: Db, key: string): Promise<Array<{ version: number; author: string; createdAt: Date; checksum: string }>> {
  const rows = await db.templateVersion.findMany({ where: { templateKey: key }, orderBy: { version: "desc" }, select: { version: true, author: true, createdAt: true, checksum: true } });
  if (rows.length === 0) throw new NotFoundError(`No template ${key}`);
  return rows;
}

function versionData(def: TemplateDefinition, version: number, author: string, now: Date) {
  const content = { name: def.name, kind: def.kind, locale: def.locale, essential: def.essential ?? false, variants: def.variants, response: def.response };
  return {
    templateKey: def.key,
    version,
    name: def.name,
    kind: def.kind,
    locale: def.locale,
    essential: def.essential ?? false,
    variants: def.variants as object,
    response: def.response === null ? undefined : (def.response as object),
    author,
    checksum: createHash("sha256").update(JSON.stringify(content)).digest("hex"),
    createdAt: now,
  };
}
