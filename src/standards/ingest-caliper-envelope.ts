/**
 * A Caliper sensor's envelope: every event mapped and stored with its original (or stored alone when no
 * mapping applies), `sendTime` correcting the sensor's clock as Segment's `sentAt` does. An event id seen
 * before is a duplicate. Entity descriptions in `data` are acknowledged and not stored.
 */
import type { EngineContext } from "../context";
import { displayName, mapRecord } from "./map-record";
import { loadMappingSet } from "./mapping-store";
import { recordStandardRecords } from "./record-standard-records";
import { checkEnvelope } from "./caliper-envelope";

type CaliperContext = Pick<EngineContext, "database" | "queues" | "log" | "metrics" | "prisma" | "cache" | "clock">;

export interface CaliperAnswer {
  /** Events stored as events now. */
  accepted: number;
  duplicates: number;
  /** Events stored as originals only: no mapping applies, or the mapping's event was invalid. */
  unmapped: number;
  /** Entity descriptions acknowledged, not stored. */
  entities: number;
}

/** Checks (400 for any malformed event, nothing stored), maps and stores an envelope. */
export async function ingestCaliperEnvelope(ctx: CaliperContext, body: unknown, facts: { mayHoldUnsafeText: boolean }): Promise<CaliperAnswer> {
  const receivedAt = ctx.clock.now();
  const envelope = checkEnvelope(body, { checkText: facts.mayHoldUnsafeText });
  const set = await loadMappingSet(ctx);
  const records = envelope.events.map((e) => {
    const object = e.body.object as { id?: unknown; type?: unknown; name?: unknown } | string;
    const objectId = typeof object === "string" ? object : typeof object.id === "string" ? object.id : undefined;
    const objectName = typeof object === "object" ? displayName(object.name) : undefined;
    return mapRecord(
      set,
      {
        id: e.id,
        kind: e.kind,
        body: e.body,
        occurredAt: e.eventTime,
        sentAt: envelope.sendTime,
        properties: {
          source: "caliper",
          action: e.kind.action,
          ...(objectId ? { objectId: objectId.slice(0, 500) } : {}),
          ...(e.kind.objectType ? { objectType: e.kind.objectType } : {}),
          ...(objectName ? { objectName } : {}),
        },
      },
      receivedAt,
    );
  });
  const recorded = await recordStandardRecords(ctx, records, receivedAt, { format: "caliper", detectConflicts: false });
  return { accepted: recorded.accepted, duplicates: recorded.duplicates, unmapped: recorded.storedAlone, entities: envelope.entities };
}
