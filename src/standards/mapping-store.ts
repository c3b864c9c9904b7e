/**
 * The one mapping store: the shipped defaults (in code, so an upgrade improves them) overlaid with the mappings
 * staff saved (table event_mappings; a saved mapping with a shipped key overrides it, `enabled: false` switches
 * it off). Ingest reads the compiled set from the context's cache, reloaded when the mappings' revision moves,
 * so a change through any process is in force everywhere within a second.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import { NotFoundError } from "../lib/errors";
import { DEFAULT_FIELDS, DEFAULT_MAPPINGS } from "./default-mappings";
import { mappingSchema, type Mapping, type MappingSource } from "./mapping.schema";
import { compileMappingSet, type MappingOrigin, type MappingSet } from "./mapping-set";

type StoreContext = Pick<EngineContext, "prisma" | "cache" | "log">;

export type ListedMapping = Mapping & { origin: MappingOrigin; updatedAt?: string; updatedBy?: string };

const MAPPING_SET = cacheArea<MappingSet>({ name: "mapping-set", kind: "mappings" });
const BUILTIN_BY_KEY = new Map(DEFAULT_MAPPINGS.map((m) => [m.key, m]));

/** The compiled mappings in force, for ingest. */
export async function loadMappingSet(ctx: StoreContext): Promise<MappingSet> {
  return ctx.cache.get(MAPPING_SET, "all", async () => {
    const { mappings, origins } = effective(await readCustom(ctx));
    return compileMappingSet(mappings, origins);
  });
}

/** Every mapping in force (shipped, overridden and custom), with where each came from; for GET /v1/mappings. */
export async function listMappings(ctx: StoreContext, source?: MappingSource): Promise<{ mappings: ListedMapping[]; defaults: typeof DEFAULT_FIELDS }> {
  const custom = await readCustom(ctx);
  const byKey = new Map(custom.map((c) => [c.mapping.key, c]));
  const listed: ListedMapping[] = [];
  for (const builtin of DEFAULT_MAPPINGS) {
    const own = byKey.get(builtin.key);
    listed.push(own ? { ...own.mapping, origin: "override", updatedAt: own.updatedAt, updatedBy: own.updatedBy } : { ...builtin, origin: "builtin" });
  }
  for (const c of custom) if (!BUILTIN_BY_KEY.has(c.mapping.key)) listed.push({ ...c.mapping, origin: "custom", updatedAt: c.updatedAt, updatedBy: c.updatedBy });
  return { mappings: source ? listed.filter((m) => m.source === source) : listed, defaults: DEFAULT_FIELDS };
}

/**
 * Makes `mappings` the complete set of saved mappings: keys not listed lose their saved version (a shipped one
 * is then as shipped), and a listed mapping identical to the shipped one is not saved at all, so reading the
 * list, editing one entry and writing it all back saves exactly the edit. Audit-logged in the same transaction.
 */
export async function replaceMappings(ctx: StoreContext, mappings: Mapping[], actor: string, now: Date): Promise<void> {
  const toSave = mappings.filter((m) => !sameAsBuiltin(m));
  await ctx.prisma.$transaction([
    lockMappings(ctx),
    ctx.prisma.eventMapping.deleteMany({}),
    ctx.prisma.eventMapping.createMany({ data: toSave.map((m) => row(m, actor, now)) }),
    ctx.prisma.auditLog.create({ data: { actor, action: "mappings.replaced", entityType: "mappings", entityKey: "*", details: { saved: toSave.map((m) => m.key) } } }),
  ]);
  ctx.cache.changed("mappings");
}

/** Saves one mapping (a shipped key: an override; identical to the shipped one: the override is removed). */
export async function saveMapping(ctx: StoreContext, mapping: Mapping, actor: string, now: Date): Promise<ListedMapping> {
  const audit = ctx.prisma.auditLog.create({ data: { actor, action: "mapping.saved", entityType: "mapping", entityKey: mapping.key, details: mapping as object } });
  if (sameAsBuiltin(mapping)) {
    await ctx.prisma.$transaction([lockMappings(ctx), ctx.prisma.eventMapping.deleteMany({ where: { key: mapping.key } }), audit]);
    ctx.cache.changed("mappings");
    return { ...BUILTIN_BY_KEY.get(mapping.key)!, origin: "builtin" };
  }
  const data = row(mapping, actor, now);
  await ctx.prisma.$transaction([lockMappings(ctx), ctx.prisma.eventMapping.upsert({ where: { key: mapping.key }, create: data, update: data }), audit]);
  ctx.cache.changed("mappings");
  return { ...mapping, origin: BUILTIN_BY_KEY.has(mapping.key) ? "override" : "custom", updatedAt: now.toISOString(), updatedBy: actor };
}

/** Removes a saved mapping; a shipped one reverts to as shipped. 404 when nothing was saved under the key. */
export async function deleteMapping(ctx: StoreContext, key: string, actor: string): Promise<void> {
  // The audit row only when a mapping was deleted: a 404 stores nothing (found by the HTTP fuzz suite).
  const deleted = await ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`LOCK TABLE event_mappings IN SHARE ROW EXCLUSIVE MODE`;
    const { count } = await tx.eventMapping.deleteMany({ where: { key } });
    if (count > 0) await tx.auditLog.create({ data: { actor, action: "mapping.deleted", entityType: "mapping", entityKey: key } });
    return { count };
  });
  if (deleted.count === 0) throw new NotFoundError(BUILTIN_BY_KEY.has(key) ? `The mapping ${key} is as shipped; there is no saved version to delete` : `No saved mapping ${key}`);
  ctx.cache.changed("mappings");
}

/** One mapping in force by key, or 404. */
export async function getMapping(ctx: StoreContext, key: string): Promise<ListedMapping> {
  const found = (await listMappings(ctx)).mappings.find((m) => m.key === key);
  if (!found) throw new NotFoundError(`No mapping ${key}`);
  return found;
}

/**
 * Writes to the saved mappings take turns: two concurrent replacements would otherwise each delete what the
 * other had not yet committed and then insert the same keys (a unique violation, a 500).
 */
function lockMappings(ctx: StoreContext) {
  return ctx.prisma.$executeRaw`LOCK TABLE event_mappings IN SHARE ROW EXCLUSIVE MODE`;
}

interface SavedMapping {
  mapping: Mapping;
  updatedAt: string;
  updatedBy: string;
}

async function readCustom(ctx: StoreContext): Promise<SavedMapping[]> {
  const rows = await ctx.prisma.eventMapping.findMany({ orderBy: { key: "asc" } });
  const out: SavedMapping[] = [];
  for (const r of rows) {
    const parsed = mappingSchema.safeParse({
      key: r.key,
      source: r.source,
      eventType: r.eventType,
      match: r.match,
      fields: r.fields,
      enabled: r.enabled,
      ...(r.description !== null ? { description: r.description } : {}),
    });
    // Rows are validated on save; one that no longer parses (a schema change) is skipped, never a failed ingest.
    if (parsed.success) out.push({ mapping: parsed.data, updatedAt: r.updatedAt.toISOString(), updatedBy: r.updatedBy });
    else ctx.log.warn({ key: r.key, issues: parsed.error.issues.length }, "a saved mapping no longer validates; it is ignored");
  }
  return out;
}

function effective(custom: SavedMapping[]): { mappings: Mapping[]; origins: Map<string, MappingOrigin> } {
  const origins = new Map<string, MappingOrigin>();
  const byKey = new Map<string, Mapping>();
  for (const m of DEFAULT_MAPPINGS) {
    byKey.set(m.key, m);
    origins.set(m.key, "builtin");
  }
  for (const c of custom) {
    origins.set(c.mapping.key, byKey.has(c.mapping.key) ? "override" : "custom");
    byKey.set(c.mapping.key, c.mapping);
  }
  return { mappings: [...byKey.values()], origins };
}

function row(m: Mapping, actor: string, now: Date) {
  return {
    key: m.key,
    source: m.source,
    eventType: m.eventType,
    match: m.match as object,
    fields: (m.fields ?? {}) as object,
    enabled: m.enabled ?? true,
    description: m.description ?? null,
    updatedAt: now,
    updatedBy: actor,
  };
}

function sameAsBuiltin(m: Mapping): boolean {
  const builtin = BUILTIN_BY_KEY.get(m.key);
  return builtin !== undefined && canonical({ ...m, enabled: m.enabled ?? true }) === canonical({ ...builtin, enabled: builtin.enabled ?? true });
}

/** JSON with sorted keys and no undefined members, so two equal mappings compare equal however written. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  });
}
