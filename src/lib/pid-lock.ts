/**
 * A lock file holding its owner's pid, for what one process at a time may own under the data directory (the
 * embedded database's files, the private Redis's): a second process gets a clear message naming the owner, and
 * a lock left by a process that died (kill -9, power loss) is taken over instead of blocking forever.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

/**
 * Takes `lockFile` for this process and returns its release; when a live process holds it, throws the
 * error `inUse(ownerPid)` builds.
 */
export function acquirePidLock(lockFile: string, inUse: (owner: number) => Error): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockFile, "utf8"));
      if (isAlive(owner)) throw inUse(owner);
      rmSync(lockFile, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${lockFile}`);
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
