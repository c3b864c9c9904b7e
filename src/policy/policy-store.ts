/**
 * The throttling policy's storage: one row (id 1) holding the JSON the contract describes. Reads are
 * cached for a second: delivery reads the policy for every message, staff change it rarely.
 */
import type { Db } from "../db/client";
import { UNLIMITED_POLICY, parsePolicy, type Policy } from "../throttle/policy";

const CACHE_MS = 1_000;
const cache = new WeakMap<Db, { policy: Policy; until: number }>();

/** The current policy (defaults for anything never set). */
export async function loadPolicy(db: Db): Promise<Policy> {
  const hit = cache.get(db);
  if (hit && hit.until > Date.now()) return hit.policy;
  const row = await db.policy.findUnique({ where: { id: 1 } });
  const policy = parsePolicy(row?.config ?? {});
  cache.set(db, { policy, until: Date.now() + CACHE_MS });
  return policy;
}

/** The policy throttle decisions use: the stored one, or with the throttle switched off, one that never limits. */
export async function loadPolicyInForce(db: Db, throttle: boolean): Promise<Policy> {
  return throttle ? loadPolicy(db) : UNLIMITED_POLICY;
}

/** Replaces the policy; returns what is now in force. Audit-logged. */
export async function savePolicy(db: Db, policy: Policy, actor: string, now: Date): Promise<Policy> {
  await db.$transaction([
    db.policy.upsert({ where: { id: 1 }, create: { id: 1, config: policy as object, updatedBy: actor, updatedAt: now }, update: { config: policy as object, updatedBy: actor, updatedAt: now } }),
    db.auditLog.create({ data: { actor, action: "policy.updated", entityType: "policy", entityKey: "1", details: policy as object } }),
  ]);
  cache.delete(db);
  return policy;
}
