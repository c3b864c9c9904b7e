/** API key secrets: random, high-entropy, stored only as SHA-256 (a slow hash buys nothing at 256 bits). */
import { createHash, randomBytes } from "node:crypto";

/** A new secret, e.g. `coach_ingest_3vQ…`; the role in it helps people tell keys apart in config files. */
export function generateSecret(role: string): string {
  return `coach_${role}_${randomBytes(24).toString("base64url")}`;
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * `coach_<role>_` and the first 4 random characters: enough to tell keys apart in a listing, far too
 * little to guess the rest. (The random part is base64url and may itself contain "_", so the prefix is
 * measured from the role's underscore, not the last one.)
 */
export function secretPrefix(secret: string): string {
  const roleEnd = secret.startsWith("coach_") ? secret.indexOf("_", "coach_".length) : -1;
  return roleEnd > 0 ? secret.slice(0, roleEnd + 5) : secret.slice(0, 4);
}
