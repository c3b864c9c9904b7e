/**
 * A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp dir, on its own port), for faults
 * the shared server must never see: crashes, restarts, recovery. Runs the server as the `postgres` OS user when
 * the test runs as root (PostgreSQL refuses root). `findInitdb()` is null when PostgreSQL's binaries are absent.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export interface PrivatePostgres {
  url: string;
  dataDir: string;
  /** pg_ctl stop with `mode` (immediate = a crash: the next start replays the WAL). */
  stop(mode: "fast" | "immediate"): Promise<void>;
  /** pg_ctl start; without `wait` it returns at once, while the server is still starting or recovering. */
  start(options?: { wait?: boolean }): Promise<void>;
  /** Stops the server (if running) and deletes its directory. */
  destroy(): void;
}

/** The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function findInitdb(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const bin = join(root, version, "bin");
      if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
    }
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? join(which.stdout.trim(), "..") : null;
}

/** initdb + start on `port`; the server listens on 127.0.0.1 with trust authentication for user postgres. */
export async function startPrivatePostgres(port: number, settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const bin = findInitdb();
  if (!bin) throw new Error("initdb not found");
  const asRoot = userInfo().uid === 0;
  const base = mkdtempSync(join(tmpdir(), "coach-pg-"));
  const dataDir = join(base, "data");
  // Asynchronous, so the engine under test keeps serving while pg_ctl works.
  const run = async (command: string, args: string[]) => {
    const full = join(bin, command);
    if (asRoot) await execFileAsync("runuser", ["-u", "postgres", "--", full, ...args]);
    else await execFileAsync(full, args);
  };
  if (asRoot) {
    chmodSync(base, 0o755);
    const { uid, gid } = postgresUser();
    chownSync(base, uid, gid);
  }
  try {
    await run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const options = Object.entries({ port: String(port), listen_addresses: "127.0.0.1", unix_socket_directories: base, fsync: "off", ...settings })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(" ");
  let running = false;
  const server: PrivatePostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    async stop(mode) {
      await run("pg_ctl", ["stop", "-D", dataDir, "-m", mode, "-w"]);
      running = false;
    },
    async start({ wait = true } = {}) {
      await run("pg_ctl", ["start", "-D", dataDir, "-o", options, "-l", join(base, "server.log"), wait ? "-w" : "-W"]);
      running = true;
    },
    destroy() {
      if (running) {
        const args = ["stop", "-D", dataDir, "-m", "immediate", "-w"];
        const full = join(bin, "pg_ctl");
        spawnSync(asRoot ? "runuser" : full, asRoot ? ["-u", "postgres", "--", full, ...args] : args, { stdio: "ignore" });
        running = false;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    server.destroy();
    throw error;
  }
  return server;
}

const execFileAsync = promisify(execFile);

function postgresUser(): { uid: number; gid: number } {
  const out = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
  const gid = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
  return { uid: Number(out), gid: Number(gid) };
}
