/**
 * SHA-1 of a string (UTF-8) as hex, for the hashes decisions are made from (split buckets, holdouts, seeded
 * streams). The one-shot crypto.hash (Node ≥ 20.12) costs a fraction of createHash().update().digest() per
 * call, which these do thousands of times per batch; older Node takes the long way. Same digest either way.
 */
import * as crypto from "node:crypto";

const oneShot = typeof crypto.hash === "function" ? (text: string) => crypto.hash("sha1", text, "hex") : null;

export function sha1Hex(text: string): string {
  return oneShot ? oneShot(text) : crypto.createHash("sha1").update(text).digest("hex");
}

/** The digest's first four big-endian 32-bit words (of five). */
export function sha1Words(text: string): [number, number, number, number] {
  const hex = sha1Hex(text);
  return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8, 16), 16), parseInt(hex.slice(16, 24), 16), parseInt(hex.slice(24, 32), 16)];
}
