/** Identifier helpers. */
import { randomUUID } from "node:crypto";

/** A random v4 UUID, used for message and API key ids. */
export function newId(): string {
  return randomUUID();
}
