/**
 * "A message was delivered" notifications over Redis pub/sub, for the SSE stream. Only ids travel:
 * the stream loads the message from PostgreSQL, which stays the record.
 */
import type { RedisClient } from "../queue/connection";

/** The channel for one learner's deliveries, inside the engine's queue prefix (so test runs stay apart). */
export function deliveryChannel(prefix: string, learnerId: string): string {
  return `${prefix}:delivered:${learnerId}`;
}

/** Announces deliveries in one Redis round trip; best effort (a missed notification only delays the stream, never the inbox). */
export async function publishDeliveries(redis: RedisClient, prefix: string, deliveries: Array<{ learnerId: string; messageId: string }>): Promise<void> {
  if (deliveries.length === 0) return;
  const pipeline = redis.pipeline();
  for (const { learnerId, messageId } of deliveries) pipeline.publish(deliveryChannel(prefix, learnerId), JSON.stringify({ learnerId, messageId }));
  await pipeline.exec();
}
