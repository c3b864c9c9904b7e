/**
 * Short-lived learner tokens for browser-side course players: an HMAC-signed `{learnerId, exp}`.
 * Stateless so every API process can verify them; the signing key lives in `settings` (or config).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "lt1.";

export interface LearnerTokenClaims {
  learnerId: string;
  expiresAt: Date;
}

/** Signs a token for one learner that expires at `expiresAt`. */
export function signLearnerToken(key: string, claims: LearnerTokenClaims): string {
  const payload = Buffer.from(JSON.stringify({ sub: claims.learnerId, exp: Math.floor(claims.expiresAt.getTime() / 1000) })).toString("base64url");
  return `${PREFIX}${payload}.${sign(key, payload)}`;
}

/** Returns the claims of a valid, unexpired token, or null (bad signature, malformed or expired). */
export function verifyLearnerToken(key: string, token: string, now: Date): LearnerTokenClaims | null {
  const read = readLearnerToken(key, token, now);
  return read.outcome === "valid" ? read.claims : null;
}

/**
 * Like verifyLearnerToken, but tells an expired token (our signature: someone we issued it to, late) from an
 * invalid one (a forgery or garbage): only the latter is a guess worth counting against the sender.
 */
export function readLearnerToken(key: string, token: string, now: Date): { outcome: "valid"; claims: LearnerTokenClaims } | { outcome: "expired" | "invalid" } {
  if (!token.startsWith(PREFIX)) return { outcome: "invalid" };
  const [payload, signature] = token.slice(PREFIX.length).split(".");
  if (!payload || !signature) return { outcome: "invalid" };
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { outcome: "invalid" };
  try {
    const { sub, exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown; exp?: unknown };
    if (typeof sub !== "string" || typeof exp !== "number") return { outcome: "invalid" };
    if (exp * 1000 <= now.getTime()) return { outcome: "expired" };
    return { outcome: "valid", claims: { learnerId: sub, expiresAt: new Date(exp * 1000) } };
  } catch {
    return { outcome: "invalid" }; // a payload that is not JSON is simply an invalid token
  }
}

/** True when the string looks like a learner token (so the caller can skip the API key lookup). */
export function isLearnerToken(secret: string): boolean {
  return secret.startsWith(PREFIX);
}

function sign(key: string, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}
