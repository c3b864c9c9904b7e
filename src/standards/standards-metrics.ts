/**
 * The learning-record standards' counters, registered on the engine's registry on first use (so /metrics shows
 * them beside the others without every engine paying for them):
 *
 * - coach_standard_records_total{format, outcome}: xAPI statements, Caliper events and Segment calls by what
 *   became of them: mapped, duplicate, unmapped, unusable, voiding, dropped, rejected;
 * - coach_standard_unmapped_total{format, kind}: what arrived with no mapping, per xAPI verb + object type,
 *   Caliper type + action + object type, or Segment call + name — the numbers GET /v1/mappings/unmapped lists;
 * - coach_ingest_dropped_total{source, reason}: Segment-compatible calls dropped one by one, by reason.
 *
 * `kind` comes from the senders, so its label values are capped per process: past MAX_KINDS distinct kinds,
 * new ones are counted under "other" (the database keeps every kind for the API).
 */
import { Counter } from "prom-client";
import type { Metrics } from "../lib/metrics";
import type { RecordKind } from "./mapping-set";

export type RecordOutcome = "mapped" | "duplicate" | "unmapped" | "unusable" | "voiding" | "dropped" | "rejected";

export interface StandardsMetrics {
  records: Counter<"format" | "outcome">;
  unmapped: Counter<"format" | "kind">;
  dropped: Counter<"source" | "reason">;
  /** Counts one unmapped record under its kind (or "other" past the cap). */
  countUnmapped(kind: RecordKind): void;
}

const MAX_KINDS = 200;
const byRegistry = new WeakMap<object, StandardsMetrics>();

/** The counters on this engine's registry, created on first use. */
export function standardsMetrics(metrics: Pick<Metrics, "registry">): StandardsMetrics {
  let found = byRegistry.get(metrics.registry);
  if (found) return found;
  const registers = [metrics.registry];
  const unmapped = new Counter({
    name: "coach_standard_unmapped_total",
    help: "Records that arrived with no mapping, per format and kind (verb + object type, type + action, call + name)",
    labelNames: ["format", "kind"],
    registers,
  });
  const seenKinds = new Set<string>();
  found = {
    records: new Counter({ name: "coach_standard_records_total", help: "xAPI statements, Caliper events and Segment calls by outcome", labelNames: ["format", "outcome"], registers }),
    unmapped,
    dropped: new Counter({
      name: "coach_ingest_dropped_total",
      help: "Segment-compatible calls dropped one by one (the rest of their batch stored), by reason",
      labelNames: ["source", "reason"],
      registers,
    }),
    countUnmapped(kind) {
      let label = describeKind(kind).slice(0, 300);
      if (!seenKinds.has(label)) {
        if (seenKinds.size >= MAX_KINDS) label = "other";
        else seenKinds.add(label);
      }
      unmapped.inc({ format: kind.format, kind: label });
    },
  };
  byRegistry.set(metrics.registry, found);
  return found;
}

/** A record kind as one line of text: "verb objectType", "type action objectType", "call name". */
export function describeKind(kind: RecordKind): string {
  if (kind.format === "xapi") return `${kind.verb} ${kind.objectType ?? "*"}`;
  if (kind.format === "caliper") return `${kind.type} ${kind.action} ${kind.objectType ?? "*"}`;
  return `${kind.call} ${kind.event ?? "*"}`;
}
