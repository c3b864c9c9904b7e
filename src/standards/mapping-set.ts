/**
 * The mappings in force, compiled for ingest: indexed by xAPI verb, Caliper type and Segment name, with every
 * path and pattern compiled once, so finding a record's mapping and reading its fields costs a few lookups.
 * Pure: no database, no HTTP. The most specific mapping wins (object type, id prefix and conditions each count);
 * among equals, staff's own mapping beats a shipped one.
 */
import { DEFAULT_FIELDS } from "./default-mappings";
import { FIELD_NAMES, type FieldName, type FieldSource, type Mapping, type MappingSource, type SegmentCall } from "./mapping.schema";
import { compilePath, readPath, type PathStep } from "./record-path";

/** What a record is, for matching and for counting what arrived unmapped. */
export type RecordKind =
  | { format: "xapi"; verb: string; objectType: string | null }
  | { format: "caliper"; type: string; action: string; objectType: string | null }
  | { format: "segment"; call: SegmentCall; event: string | null };

export type MappingOrigin = "builtin" | "custom" | "override";

type CompiledSource =
  { kind: "path"; steps: PathStep[]; pattern: RegExp | null } | { kind: "ratio"; numerator: PathStep[]; denominator: PathStep[] } | { kind: "value"; value: string | number | boolean };

export interface CompiledMapping {
  key: string;
  source: MappingSource;
  eventType: string;
  origin: MappingOrigin;
  specificity: number;
  objectType: string | null;
  objectIdPrefix: string | null;
  action: string | null;
  where: Array<{ steps: PathStep[]; equals: string | number | boolean }>;
  fields: Record<FieldName, CompiledSource[]>;
}

export interface MappingSet {
  /** xAPI verb id → candidates, most specific first. */
  xapi: Map<string, CompiledMapping[]>;
  /** Caliper event type → candidates. */
  caliper: Map<string, CompiledMapping[]>;
  /** `${call} ${lower-case name}` (or `${call} *` for any name) → candidates. */
  segment: Map<string, CompiledMapping[]>;
}

/** Extracted values; absent when no source gave a usable one. */
export interface MappedFields {
  learner?: string;
  course?: string;
  module?: string;
  score?: number;
  passed?: boolean;
  completed?: boolean;
}

const MAX_ID_LENGTH = 128;
/** A pattern only ever looks at this much of a value, so no crafted statement can make it slow. */
const MAX_PATTERN_INPUT = 2_048;

/** Compiles the effective mappings (enabled ones only). `origins` says where each key came from. */
export function compileMappingSet(mappings: readonly Mapping[], origins: ReadonlyMap<string, MappingOrigin>): MappingSet {
  const set: MappingSet = { xapi: new Map(), caliper: new Map(), segment: new Map() };
  for (const m of mappings) {
    if (m.enabled === false) continue;
    const compiled = compileMapping(m, origins.get(m.key) ?? "builtin");
    const indexKey = m.source === "xapi" ? m.match.verb : m.source === "caliper" ? m.match.type : `${m.match.call ?? "track"} ${m.match.event?.toLowerCase() ?? "*"}`;
    const list = set[m.source].get(indexKey) ?? [];
    list.push(compiled);
    set[m.source].set(indexKey, list);
  }
  for (const index of [set.xapi, set.caliper, set.segment]) {
    for (const list of index.values()) list.sort((a, b) => b.specificity - a.specificity || rank(a.origin) - rank(b.origin) || (a.key < b.key ? -1 : 1));
  }
  return set;
}

function rank(origin: MappingOrigin): number {
  return origin === "builtin" ? 1 : 0;
}

function compileMapping(m: Mapping, origin: MappingOrigin): CompiledMapping {
  const match = m.match as { objectType?: string; objectIdPrefix?: string; action?: string; where?: Array<{ path: string; equals: string | number | boolean }> };
  const fields = {} as Record<FieldName, CompiledSource[]>;
  for (const name of FIELD_NAMES) fields[name] = (m.fields?.[name] ?? DEFAULT_FIELDS[m.source][name] ?? []).map(compileSource);
  return {
    key: m.key,
    source: m.source,
    eventType: m.eventType,
    origin,
    specificity: (match.objectType ? 4 : 0) + (match.objectIdPrefix ? 2 : 0) + (match.where?.length ?? 0) + (match.action ? 8 : 0),
    objectType: match.objectType ?? null,
    objectIdPrefix: match.objectIdPrefix ?? null,
    action: match.action ?? null,
    where: (match.where ?? []).map((w) => ({ steps: compilePath(w.path), equals: w.equals })),
    fields,
  };
}

function compileSource(source: FieldSource): CompiledSource {
  if ("ratio" in source) return { kind: "ratio", numerator: compilePath(source.ratio[0]), denominator: compilePath(source.ratio[1]) };
  if ("value" in source) return { kind: "value", value: source.value };
  return { kind: "path", steps: compilePath(source.path), pattern: source.pattern ? new RegExp(source.pattern) : null };
}

const defaults = new Map<MappingSource, CompiledMapping>();

/**
 * The source's default fields as a mapping with no key, for records whose type comes from elsewhere (a Segment
 * name without a mapping becomes `object.action`; the fields are still read as the defaults say).
 */
export function defaultFieldsOf(source: MappingSource): CompiledMapping {
  let found = defaults.get(source);
  if (!found) {
    const match = source === "segment" ? { call: "track" as const } : source === "xapi" ? { verb: "*" } : { type: "*" };
    defaults.set(source, (found = compileMapping({ key: "default", source, eventType: "default", match } as Mapping, "builtin")));
  }
  return found;
}

/** The mapping for a record, or null: it is then stored as unmapped. */
export function findMapping(set: MappingSet, kind: RecordKind, record: unknown): CompiledMapping | null {
  let candidates: CompiledMapping[] | undefined;
  let objectId: unknown;
  if (kind.format === "xapi") {
    candidates = set.xapi.get(kind.verb);
    objectId = readPath(record, OBJECT_ID);
  } else if (kind.format === "caliper") {
    candidates = set.caliper.get(kind.type);
    const object = (record as { object?: unknown }).object;
    objectId = typeof object === "string" ? object : readPath(record, OBJECT_ID);
  } else {
    const named = kind.event ? set.segment.get(`${kind.call} ${kind.event.toLowerCase()}`) : undefined;
    const any = set.segment.get(`${kind.call} *`);
    candidates = named && any ? [...named, ...any] : (named ?? any);
  }
  if (!candidates) return null;
  for (const m of candidates) {
    if (m.action !== null && kind.format === "caliper" && m.action !== kind.action) continue;
    if (m.objectType !== null && kind.format !== "segment" && m.objectType !== kind.objectType) continue;
    if (m.objectIdPrefix !== null && !(typeof objectId === "string" && objectId.startsWith(m.objectIdPrefix))) continue;
    if (!m.where.every((w) => readPath(record, w.steps) === w.equals)) continue;
    return m;
  }
  return null;
}

const OBJECT_ID = compilePath("object.id");

/** Reads every field the mapping (or the source's defaults) names. */
export function extractFields(mapping: CompiledMapping, record: unknown): MappedFields {
  const out: MappedFields = {};
  const learner = firstId(mapping.fields.learner, record);
  if (learner !== undefined) out.learner = learner;
  const course = firstId(mapping.fields.course, record);
  if (course !== undefined) out.course = course;
  const module = firstId(mapping.fields.module, record);
  if (module !== undefined && module !== course) out.module = module;
  const score = firstValue(mapping.fields.score, record, toScore);
  if (score !== undefined) out.score = score;
  const passed = firstValue(mapping.fields.passed, record, toBoolean);
  if (passed !== undefined) out.passed = passed;
  const completed = firstValue(mapping.fields.completed, record, toBoolean);
  if (completed !== undefined) out.completed = completed;
  return out;
}

function firstId(sources: readonly CompiledSource[], record: unknown): string | undefined {
  return firstValue(sources, record, toId);
}

function firstValue<T>(sources: readonly CompiledSource[], record: unknown, convert: (raw: unknown) => T | undefined): T | undefined {
  for (const source of sources) {
    const value = convert(read(source, record));
    if (value !== undefined) return value;
  }
  return undefined;
}

function read(source: CompiledSource, record: unknown): unknown {
  if (source.kind === "value") return source.value;
  if (source.kind === "ratio") {
    const numerator = toNumber(readPath(record, source.numerator));
    const denominator = toNumber(readPath(record, source.denominator));
    return numerator !== undefined && denominator !== undefined && denominator > 0 ? numerator / denominator : undefined;
  }
  const raw = readPath(record, source.steps);
  if (!source.pattern) return raw;
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const text = String(raw);
  if (text.length > MAX_PATTERN_INPUT) return undefined;
  const found = source.pattern.exec(text);
  if (!found) return undefined;
  return found.slice(1).find((group) => group !== undefined) ?? found[0];
}

function toId(raw: unknown): string | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) raw = String(raw);
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  return text.length > 0 && text.length <= MAX_ID_LENGTH ? text : undefined;
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string" && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  return undefined;
}

/** Scores are 0–1 (the built-in templates read them so); anything else is left out rather than guessed. */
function toScore(raw: unknown): number | undefined {
  const n = toNumber(raw);
  return n !== undefined && n >= 0 && n <= 1 ? n : undefined;
}

function toBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === "boolean") return raw;
  if (raw === "true") return true;
  if (raw === "false") return false;
  return undefined;
}
