/**
 * The request bodies of the standards' endpoints, for /openapi.json only: each handler reads its own body
 * (gzip, size limits, one bad call dropped rather than the batch refused), so these describe, not validate.
 */
import { z } from "zod";

const call = z
  .object({
    type: z.enum(["track", "identify", "page", "screen", "group", "alias"]).optional(),
    messageId: z.string().optional(),
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    event: z.string().optional(),
    name: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    timestamp: z.string().optional(),
    originalTimestamp: z.string().optional(),
    groupId: z.string().optional(),
    previousId: z.string().optional(),
  })
  .loose()
  .meta({ description: "A Segment-spec call; at most 32 KB" });

/** A single Segment-spec call (/v1/track, /v1/identify, …). */
export const segmentCallBody = call;

/** A Segment batch (/v1/batch): at most 500 KB. */
export const segmentBatchBody = z
  .object({ batch: z.array(call), sentAt: z.string().optional(), context: z.record(z.string(), z.unknown()).optional(), writeKey: z.string().optional() })
  .loose()
  .meta({ description: "A Segment batch; at most 500 KB, gzip accepted whatever the content type" });

const statement = z
  .object({
    id: z.string().optional(),
    actor: z.record(z.string(), z.unknown()),
    verb: z.object({ id: z.string() }).loose(),
    object: z.record(z.string(), z.unknown()),
    result: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    timestamp: z.string().optional(),
  })
  .loose()
  .meta({ description: "An xAPI statement (1.0.3 or 2.0)" });

/** POST /xapi/statements: one statement or an array. */
export const xapiStatementsBody = z.union([statement, z.array(statement)]);
/** PUT /xapi/statements: one statement. */
export const xapiStatementBody = statement;

/** POST /caliper: a Caliper envelope. */
export const caliperEnvelopeBody = z
  .object({
    sensor: z.string(),
    sendTime: z.string(),
    dataVersion: z.enum(["http://purl.imsglobal.org/ctx/caliper/v1p1", "http://purl.imsglobal.org/ctx/caliper/v1p2"]),
    data: z.array(z.record(z.string(), z.unknown())),
  })
  .loose()
  .meta({ description: "A Caliper 1.1 or 1.2 envelope" });
