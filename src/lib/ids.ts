/** Identifier helpers. */
import { randomUUID } from "node:crypto";

/** A random v4 UUID, used for message and API key ids. */
export function newId(): string {
  return randomUUID();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `text` is a UUID as PostgreSQL's uuid type reads it in our ids. An id from a path that is not one
 * names nothing (404): sent to a uuid column as is, PostgreSQL would refuse the query (22P02) and the answer be 500.
 */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
