/**
 * Fails when prisma/schema.prisma and the database built by our hand-written migrations disagree:
 * tables, columns, nullability, column types and enum values. The generated client's runtime data model
 * gives the model → table and field → column mapping; the schema text gives optionality and native types.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { openDatabase } from "../../src/db/client";
import { listMigrations, migrate } from "../../src/db/migrator";
import { ADMIN_URL } from "../setup/databases";

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string;
}
interface RuntimeModel {
  dbName: string | null;
  fields: RuntimeField[];
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Boolean: "boolean",
  DateTime: "timestamp with time zone",
  Json: "jsonb",
};

/** Per model, per field: optional?, list?, native type attribute; enums with their values. */
function parseSchemaText(text: string) {
  const models = new Map<string, Map<string, { optional: boolean; list: boolean; native: string | null }>>();
  const enums = new Map<string, string[]>();
  for (const block of text.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, kind, name, body] = block;
    const lines = body
      .split("\n")
      .map((l) => l.replace(/\/\/.*$/, "").trim())
      .filter((l) => l && !l.startsWith("@@"));
    if (kind === "enum") {
      enums.set(
        name,
        lines.map((l) => l.split(/\s+/)[0]),
      );
      continue;
    }
    const fields = new Map<string, { optional: boolean; list: boolean; native: string | null }>();
    for (const line of lines) {
      const [field, type] = line.split(/\s+/);
      fields.set(field, { optional: type.endsWith("?"), list: type.endsWith("[]"), native: /@db\.(\w+)/.exec(line)?.[1] ?? null });
    }
    models.set(name, fields);
  }
  return { models, enums };
}

describe("migrations and schema drift", () => {
  const dbName = `coach_drift_${process.env.JEST_WORKER_ID ?? "1"}_${Date.now()}`;
  const url = (() => {
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  });

  it("applies every migration to an empty database, records them as Prisma does, and is a no-op the second time", async () => {
    const first = await migrate(url);
    expect(first.applied).toEqual(listMigrations());
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(listMigrations());
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`);
    await client.end();
    expect(rows.map((r) => r.migration_name)).toEqual(listMigrations());
    for (const r of rows) {
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
    }
  });

  it("lets only one of several concurrent migrators apply each migration", async () => {
    const other = `${dbName}_c`;
    await admin.query(`CREATE DATABASE "${other}"`);
    const u = new URL(url);
    u.pathname = `/${other}`;
    try {
      const results = await Promise.all([migrate(u.toString()), migrate(u.toString()), migrate(u.toString())]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(listMigrations().sort());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${other}" WITH (FORCE)`);
    }
  });

  it("matches schema.prisma: every table, column, nullability, type and enum value", async () => {
    await migrate(url);
    const db = openDatabase(url);
    const runtime = (db.prisma as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel;
    const schema = parseSchemaText(readFileSync(join(__dirname, "../../prisma/schema.prisma"), "utf8"));
    const columns = await db.pool.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string }>(
      `SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const enumRows = await db.pool.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    await db.close();

    const actual = new Map<string, Map<string, { nullable: boolean; type: string }>>();
    for (const c of columns.rows) {
      const table = actual.get(c.table_name) ?? new Map();
      const type = c.data_type === "USER-DEFINED" ? c.udt_name : c.data_type === "ARRAY" ? `${c.udt_name.replace(/^_/, "")}[]` : c.data_type;
      table.set(c.column_name, { nullable: c.is_nullable === "YES", type });
      actual.set(c.table_name, table);
    }

    const expected = new Map<string, Map<string, { nullable: boolean; type: string }>>();
    for (const [modelName, model] of Object.entries(runtime.models)) {
      const text = schema.models.get(modelName)!;
      const table = new Map<string, { nullable: boolean; type: string }>();
      for (const f of model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum")) {
        const t = text.get(f.name)!;
        let type = f.kind === "enum" ? f.type : SCALAR_TYPES[f.type];
        if (t.native === "Uuid") type = "uuid";
        if (t.native === "Json") type = "json";
        if (t.list) type = `${type}[]`;
        // Prisma leaves list columns nullable in SQL even when required in the schema.
        table.set(f.dbName ?? f.name, { nullable: t.optional || t.list, type });
      }
      expected.set(model.dbName ?? modelName, table);
    }

    const toObject = (m: Map<string, Map<string, unknown>>) => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));
    expect(toObject(actual)).toEqual(toObject(expected));
    expect(Object.fromEntries(enumRows.rows.map((r) => [r.typname, r.labels]))).toEqual(Object.fromEntries(schema.enums));
  });
});
