/**
 * CPU time spent by this process, in milliseconds, for measuring what one request costs on a busy machine
 * (other processes change wall-clock time, not CPU time). Two figures: the whole process
 * (process.cpuUsage: every thread, V8's background GC and compiler threads included) and the main thread
 * alone (Linux /proc schedstat, nanoseconds), which is the event loop a request can hold.
 */
import { readFileSync } from "node:fs";

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

function mainThreadNs(): number | null {
  try {
    return Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]);
  } catch {
    return null; // not Linux: only the process figure is available
  }
}

export interface CpuSpent {
  /** Every thread of the process. */
  processMs: number;
  /** The main thread (the event loop); the process figure where /proc is missing. */
  mainThreadMs: number;
}

/** Runs `work` and returns its result with the CPU time spent meanwhile. */
export async function measureCpu<T>(work: () => Promise<T>): Promise<{ result: T; spent: CpuSpent }> {
  const mainBefore = mainThreadNs();
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  const mainAfter = mainThreadNs();
  const processMs = (used.user + used.system) / 1000;
  const mainThreadMs = mainBefore !== null && mainAfter !== null ? (mainAfter - mainBefore) / 1e6 : processMs;
  return { result, spent: { processMs, mainThreadMs } };
}
