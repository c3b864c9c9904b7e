/**
 * The throttling policy's storage: one row (id 1) holding the JSON the contract describes. Delivery reads
 * the policy for every message and staff change it rarely, so it is cached on the context under the policy
 * revision: a change through any process is in force everywhere within POLL_MS.
 */
import type { EngineContext } from "../context";
import { cacheArea } from "../db/content-cache";
import { UNLIMITED_POLICY, parsePolicy, type Policy } from "../throttle/policy";

type PolicyContext = Pick<EngineContext, "prisma" | "cache">;

const POLICY = cacheArea<Policy>({ name: "policy", kind: "policy" });

/** The current policy (defaults for anything never set). */
export async function loadPolicy(ctx: PolicyContext): Promise<Policy> {
  return ctx.cache.get(POLICY, "1", async () => {
    const row = await ctx.prisma.policy.findUnique({ where: { id: 1 } });
    return parsePolicy(row?.config ?? {});
  });
}

/** The policy throttle decisions use: the stored one, or with the throttle switched off, one that never limits. */
export async function loadPolicyInForce(ctx: PolicyContext, throttle: boolean): Promise<Policy> {
  return throttle ? loadPolicy(ctx) : UNLIMITED_POLICY;
}

/** Replaces the policy; returns what is now in force. Audit-logged in the same transaction. */
export async function savePolicy(ctx: PolicyContext, policy: Policy, actor: string, now: Date): Promise<Policy> {
  const db = ctx.prisma;
  await db.$transaction([
    db.policy.upsert({ where: { id: 1 }, create: { id: 1, config: policy as object, updatedBy: actor, updatedAt: now }, update: { config: policy as object, updatedBy: actor, updatedAt: now } }),
    db.auditLog.create({ data: { actor, action: "policy.updated", entityType: "policy", entityKey: "1", details: policy as object } }),
  ]);
  ctx.cache.changed("policy");
  return policy;
}
