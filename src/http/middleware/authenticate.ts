/**
 * Resolves `Authorization: Bearer <secret>` (or HTTP Basic with the secret as user name, as Segment's
 * libraries send it; or, where a route allows it, a learner token as `?access_token=`) to a principal through
 * the process's CredentialGuard (src/auth/credential-guard.ts): cached key lookups, failed attempts counted
 * per client address in Redis, 429 once an address is over the limit, and `lastUsedAt` kept.
 */
import type { Request } from "express";
import { UnauthorizedError } from "../../lib/errors";
import { CredentialGuard } from "../../auth/credential-guard";
import { isLearnerToken } from "../../auth/learner-tokens";
import type { Principal } from "../../auth/principal";
import type { AppContext } from "../app-context";
import { clientAddressKey } from "../client-address";

const guards = new WeakMap<AppContext, CredentialGuard>();

/**
 * The caller's principal; throws 401 for a missing, unknown, revoked or expired credential and 429 while the
 * caller's address is blocked for failing too often. `queryToken` also admits a learner token as
 * `?access_token=` (an EventSource cannot send headers); an API key is never taken from the URL.
 */
export async function authenticate(req: Request, ctx: AppContext, options: { queryToken?: boolean } = {}): Promise<Principal> {
  const secret = readSecret(req.headers.authorization) ?? (options.queryToken ? readQueryToken(req) : null);
  if (!secret) throw new UnauthorizedError("Missing credentials: send Authorization: Bearer <key>");
  return credentialGuard(ctx).authenticate(secret, clientAddressKey(req.ip), ctx.clock.now());
}

/** The process's guard for this context (created on first use; it shares the queues' Redis connection). */
export function credentialGuard(ctx: AppContext): CredentialGuard {
  let guard = guards.get(ctx);
  if (!guard) {
    guard = new CredentialGuard({
      db: ctx.prisma,
      redis: ctx.queues.connection,
      keyPrefix: `${ctx.config.queuePrefix}:auth-failures`,
      limits: ctx.config.authFailures,
      keyCacheMs: ctx.config.keyCacheSeconds * 1000,
      maxUnknownKeys: ctx.config.unknownKeysRemembered,
      tokenKey: ctx.tokenKey,
      log: ctx.log,
    });
    guards.set(ctx, guard);
  }
  return guard;
}

/** Forgets cached lookups (after a key is revoked through this process). */
export function forgetCachedKeys(ctx: AppContext): void {
  guards.get(ctx)?.forgetKeys();
}

function readSecret(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(" ", 2);
  if (!value) return null;
  if (scheme.toLowerCase() === "bearer") return value.trim() || null;
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const user = decoded.split(":")[0];
    return user || null;
  }
  return null;
}

/** `?access_token=`, taken only when it is a learner token: server keys must not travel in URLs (and logs). */
function readQueryToken(req: Request): string | null {
  const token = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof token === "string" && isLearnerToken(token) ? token : null;
}
