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

/** The first characters of a secret, safe to show in key listings. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, secret.lastIndexOf("_") + 5);
}
