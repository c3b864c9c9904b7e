/** API keys: create (secret shown once), list, revoke, authenticate, and the admin bootstrap. */
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { NotFoundError } from "../lib/errors";
import { isUuid, newId } from "../lib/ids";
import type { Logger } from "../lib/logger";
import type { Principal, Role } from "./principal";
import { generateSecret, hashSecret, secretPrefix } from "./secrets";

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Creates a key; the returned `secret` is the only time it is ever visible. */
export async function createApiKey(db: Db, input: { name: string; role: Role }, actor: string): Promise<ApiKeyView & { secret: string }> {
  const secret = generateSecret(input.role);
  const row = await db.apiKey.create({
    data: { id: newId(), name: input.name, role: input.role, secretHash: hashSecret(secret), prefix: secretPrefix(secret) },
  });
  await db.auditLog.create({ data: { actor, action: "api_key.created", entityType: "api_key", entityKey: row.id, details: { name: row.name, role: row.role } } });
  return { ...toView(row), secret };
}

/** Lists keys that are not revoked, newest first. */
export async function listApiKeys(db: Db): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { revokedAt: null }, orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

/** Revokes a key; 404 when it does not exist or is already revoked. */
export async function revokeApiKey(db: Db, id: string, actor: string, now: Date): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError(`No API key ${id.slice(0, 64)}`);
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  if (count === 0) throw new NotFoundError(`No API key ${id}`);
  await db.auditLog.create({ data: { actor, action: "api_key.revoked", entityType: "api_key", entityKey: id } });
}

/** The principal for a secret, or null when it is unknown or revoked. */
export async function findKeyPrincipal(db: Db, secret: string): Promise<Principal | null> {
  return findKeyPrincipalByHash(db, hashSecret(secret));
}

/** The principal for a stored secret hash (what the key cache holds instead of secrets), or null. */
export async function findKeyPrincipalByHash(db: Db, secretHash: string): Promise<Principal | null> {
  const row = await db.apiKey.findUnique({ where: { secretHash }, select: { id: true, name: true, role: true, revokedAt: true } });
  if (!row || row.revokedAt) return null;
  return { kind: "key", keyId: row.id, name: row.name, role: row.role };
}

/**
 * Sets a key's `lastUsedAt` to `now` unless it is already within `withinMs` of it: several processes touching
 * the same key in the same minute write once between them. Returns whether a row changed.
 */
export async function touchApiKey(db: Db, keyId: string, now: Date, withinMs: number): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({
    where: { id: keyId, revokedAt: null, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - withinMs) } }] },
    data: { lastUsedAt: now },
  });
  return count > 0;
}

/** Serializes the first-start admin bootstrap across processes (any constant; the same in every process). */
const ADMIN_BOOTSTRAP_LOCK_ID = 72_017_002;

/**
 * Makes sure an admin can get in. With COACH_ADMIN_KEY set, that secret becomes an admin key.
 * Otherwise, on the very first start (no admin key at all), a secret is generated and printed once.
 * A fleet starts at once: inserts that may meet another process's are insert-if-absent, and the
 * count-then-create of the generated key runs under a transaction-scoped advisory lock, so exactly one
 * process creates (and prints) it; the others find it when the lock is theirs.
 */
export async function bootstrapAdminKey(db: Db, configuredSecret: string | undefined, log: Logger): Promise<void> {
  if (configuredSecret) {
    const secretHash = hashSecret(configuredSecret);
    await db.apiKey.createMany({
      data: [{ id: newId(), name: "admin (COACH_ADMIN_KEY)", role: "admin", secretHash, prefix: secretPrefix(configuredSecret) }],
      skipDuplicates: true,
    });
    return;
  }
  const created = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_BOOTSTRAP_LOCK_ID}::bigint)`;
    const existing = await tx.apiKey.count({ where: { role: "admin", revokedAt: null } });
    if (existing > 0) return null;
    const secret = generateSecret("admin");
    const row = await tx.apiKey.create({
      data: { id: newId(), name: "admin (generated on first start)", role: "admin", secretHash: hashSecret(secret), prefix: secretPrefix(secret) },
    });
    await tx.auditLog.create({ data: { actor: "system", action: "api_key.created", entityType: "api_key", entityKey: row.id, details: { name: row.name, role: row.role } } });
    return { id: row.id, secret };
  });
  if (!created) return;
  // Printed once (after the commit), on purpose outside the JSON log stream so it is easy to copy.
  process.stdout.write(`\n  Admin API key (shown once, stored hashed): ${created.secret}\n\n`);
  log.info({ keyId: created.id }, "generated the first admin API key");
}

/**
 * The learner-token signing key: from config, else created once and kept in `settings`. Every process of a
 * fleet starting at once offers its own; the first insert wins (insert-if-absent, no unique-key collision)
 * and all of them read back the one stored.
 */
export async function loadTokenSigningKey(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const fresh = randomBytes(32).toString("base64url");
  await db.setting.createMany({ data: [{ key: "learner_token_key", value: fresh }], skipDuplicates: true });
  const row = await db.setting.findUniqueOrThrow({ where: { key: "learner_token_key" } });
  return row.value;
}

function toView(row: { id: string; name: string; role: Role; prefix: string; createdAt: Date; lastUsedAt: Date | null }): ApiKeyView {
  return { id: row.id, name: row.name, role: row.role, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}
