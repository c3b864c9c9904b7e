/**
 * The embedded database in tests. It runs in a child process (embedded-child.ts), as `npm start` would run it
 * in its own: PGlite loads its WebAssembly with dynamic imports, which Jest's module sandbox does not allow.
 *
 * Creating a PGlite data directory (its initdb) is most of the cost of a first start: tens of seconds on a busy
 * machine, against a few for opening one that exists. Tests about something other than a first start from
 * nothing begin from a copy of a migrated one (`copyMigratedEmbedded`), as `scratchDatabase().createMigrated()`
 * does on the server. That one is built once, by whichever test needs it first (a lock file keeps a second
 * Jest worker waiting rather than building it too), under the temp folder, named by a hash of everything its
 * files depend on: the migrations, PGlite's version, and the code that creates and migrates it. A later run with
 * the same migrations finds it ready; a changed migration names another one.
 * embedded-database.test.ts still creates and migrates one from nothing and compares its schema to the server's.
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquirePidLock, isAlive } from "../../src/lib/pid-lock";
import { MIGRATIONS_DIR, listMigrations, migrate } from "../../src/db/migrator";
import type { Config } from "../../src/config";

/** What withDatabase sets in the configuration for the embedded database: a test's engine config spreads it. */
export type EmbeddedSettings = Pick<Config, "databasePoolSize" | "databaseWaitMs" | "databasePreparedStatements">;

export interface StartedEmbedded {
  url: string;
  settings: EmbeddedSettings;
  stop(): Promise<void>;
}

/** Starts the embedded database on `dataDir` in a child process; rejects with its error message. */
export function startEmbedded(dataDir: string): Promise<StartedEmbedded> {
  const child = fork(join(__dirname, "embedded-child.ts"), [dataDir], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string; settings: EmbeddedSettings } | { error: string }) => {
      if ("error" in m) return reject(new Error(m.error));
      resolve({
        ...m,
        stop: async () => {
          child.send("stop");
          await exited;
        },
      });
    });
  });
}

const ROOT = join(__dirname, "..", "..");
const PREFIX = "coach-pglite-migrated-";
/** How long a test waits for another process to finish building the migrated directory (initdb, busy machine). */
const BUILD_PATIENCE_MS = 150_000;
/** A migrated directory of other migrations, unused this long, is removed when a new one is built. */
const UNUSED_FOR_MS = 24 * 3600_000;

/** Puts a migrated embedded database under `dataDir` (where `COACH_DATA_DIR=dataDir` finds it), as of the current migrations. */
export async function copyMigratedEmbedded(dataDir: string): Promise<void> {
  const template = await migratedTemplate();
  cpSync(join(template, "pglite"), join(dataDir, "pglite"), { recursive: true });
}

/** The hash naming the migrated directory: it changes with anything that changes its files. */
function templateKey(): string {
  const hash = createHash("sha256");
  for (const name of listMigrations())
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(MIGRATIONS_DIR, name, "migration.sql")))
      .update("\0");
  hash.update(readFileSync(join(ROOT, "node_modules", "@electric-sql", "pglite", "package.json")));
  for (const file of ["src/db/embedded.ts", "src/db/migrator.ts"]) hash.update(readFileSync(join(ROOT, file)));
  return hash.digest("hex").slice(0, 16);
}

class BuiltElsewhere extends Error {
  constructor(readonly owner: number) {
    super(`process ${owner} is building it`);
  }
}

/** The migrated data directory's parent (its `pglite` folder is the database), built first when missing. */
async function migratedTemplate(): Promise<string> {
  const dir = join(tmpdir(), `${PREFIX}${templateKey()}`);
  const deadline = Date.now() + BUILD_PATIENCE_MS;
  for (;;) {
    if (existsSync(dir)) {
      const now = new Date();
      utimesSync(dir, now, now); // in use: not removed as unused
      return dir;
    }
    let release: () => void;
    try {
      release = acquirePidLock(`${dir}.lock`, (owner) => new BuiltElsewhere(owner));
    } catch (error) {
      if (!(error instanceof BuiltElsewhere)) throw error;
      if (Date.now() > deadline) throw new Error(`waited ${BUILD_PATIENCE_MS} ms for the migrated embedded database ${dir}: ${error.message}`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!existsSync(dir)) await build(dir);
    } finally {
      release();
    }
  }
}

/** Creates and migrates it beside `dir`, then renames it into place: `dir` exists only once complete. */
async function build(dir: string): Promise<void> {
  removeUnused(dir);
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    const embedded = await startEmbedded(building);
    try {
      await migrate(embedded.url);
    } finally {
      await embedded.stop();
    }
    renameSync(building, dir);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Removes what earlier runs left: half-built directories of dead processes, and migrated ones long unused. */
function removeUnused(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(tmpdir(), name);
    const builder = /\.building-(\d+)$/.exec(name);
    if (builder) {
      if (!isAlive(Number(builder[1]))) rmSync(path, { recursive: true, force: true });
    } else if (!name.endsWith(".lock") && path !== current && Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}
