/** API keys: create (secret shown once), list, revoke, authenticate, and the admin bootstrap. */
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { NotFoundError } from "../lib/errors";
import { newId } from "../lib/ids";
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
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  if (count === 0) throw new NotFoundError(`No API key ${id}`);
  await db.auditLog.create({ data: { actor, action: "api_key.revoked", entityType: "api_key", entityKey: id } });
}

/** The principal for a secret, or null when it is unknown or revoked. */
export async function findKeyPrincipal(db: Db, secret: string): Promise<Principal | null> {
  const row = await db.apiKey.findUnique({ where: { secretHash: hashSecret(secret) } });
  if (!row || row.revokedAt) return null;
  return { kind: "key", keyId: row.id, name: row.name, role: row.role };
}

/**
 * Makes sure an admin can get in. With COACH_ADMIN_KEY set, that secret becomes an admin key.
 * Otherwise, on the very first start (no admin key at all), a secret is generated and printed once.
 */
export async function bootstrapAdminKey(db: Db, configuredSecret: string | undefined, log: Logger): Promise<void> {
  if (configuredSecret) {
    const secretHash = hashSecret(configuredSecret);
    await db.apiKey.upsert({
      where: { secretHash },
      create: { id: newId(), name: "admin (COACH_ADMIN_KEY)", role: "admin", secretHash, prefix: secretPrefix(configuredSecret) },
      update: {},
    });
    return;
  }
  const existing = await db.apiKey.count({ where: { role: "admin", revokedAt: null } });
  if (existing > 0) return;
  const created = await createApiKey(db, { name: "admin (generated on first start)", role: "admin" }, "system");
  // Printed once, on purpose outside the JSON log stream so it is easy to copy.
  process.stdout.write(`\n  Admin API key (shown once, stored hashed): ${created.secret}\n\n`);
  log.info({ keyId: created.id }, "generated the first admin API key");
}

/** The learner-token signing key: from config, else created once and kept in `settings`. */
export async function loadTokenSigningKey(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const fresh = randomBytes(32).toString("base64url");
  await db.setting.upsert({ where: { key: "learner_token_key" }, create: { key: "learner_token_key", value: fresh }, update: {} });
  const row = await db.setting.findUniqueOrThrow({ where: { key: "learner_token_key" } });
  return row.value;
}

function toView(row: { id: string; name: string; role: Role; prefix: string; createdAt: Date; lastUsedAt: Date | null }): ApiKeyView {
  return { id: row.id, name: row.name, role: row.role, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}
