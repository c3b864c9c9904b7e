/**
 * Resolves `Authorization: Bearer <secret>` (or HTTP Basic with the secret as user name, as Segment's
 * libraries send it) to a principal. Key lookups are cached briefly so ingest does not pay a query per
 * request; a revoked key stops working within KEY_CACHE_MS.
 */
import type { Request } from "express";
import { UnauthorizedError } from "../../lib/errors";
import { findKeyPrincipal } from "../../auth/api-keys";
import { isLearnerToken, verifyLearnerToken } from "../../auth/learner-tokens";
import type { Principal } from "../../auth/principal";
import type { AppContext } from "../app-context";

const KEY_CACHE_MS = 10_000;
const caches = new WeakMap<AppContext, Map<string, { principal: Principal | null; until: number }>>();

/** The caller's principal; throws 401 for a missing, unknown, revoked or expired credential. */
export async function authenticate(req: Request, ctx: AppContext): Promise<Principal> {
  const secret = readSecret(req.headers.authorization);
  if (!secret) throw new UnauthorizedError("Missing credentials: send Authorization: Bearer <key>");
  const now = ctx.clock.now();
  if (isLearnerToken(secret)) {
    const claims = verifyLearnerToken(ctx.tokenKey, secret, now);
    if (!claims) throw new UnauthorizedError("The learner token is invalid or expired");
    return { kind: "learner", learnerId: claims.learnerId, expiresAt: claims.expiresAt };
  }
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  const cached = cache.get(secret);
  let principal: Principal | null;
  if (cached && cached.until > Date.now()) {
    principal = cached.principal;
  } else {
    principal = await findKeyPrincipal(ctx.prisma, secret);
    if (cache.size > 10_000) cache.clear();
    cache.set(secret, { principal, until: Date.now() + KEY_CACHE_MS });
  }
  if (!principal) throw new UnauthorizedError("Unknown or revoked API key");
  return principal;
}

/** Forgets cached lookups (after a key is revoked through this process). */
export function forgetCachedKeys(ctx: AppContext): void {
  caches.get(ctx)?.clear();
}

function readSecret(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(" ", 2);
  if (!value) return null;
  if (scheme.toLowerCase() === "bearer") return value.trim();
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const user = decoded.split(":")[0];
    return user || null;
  }
  return null;
}
