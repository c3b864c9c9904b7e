/**
 * The output of a spawned process (stdout and stderr, interleaved as they arrive), kept in memory so a caller can
 * wait for a line ("listening on …") and show the tail when something fails. Shared by the fault suite's engines
 * (scripts/chaos/engine-process.ts) and the tests' (tests/setup/engine-process.ts).
 */
import type { ChildProcess } from "node:child_process";

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface ProcessOutput {
  /** The output so far (only the recent part when `keepChars` is set). */
  text(): string;
  /** The first match of `pattern` in the output (checked as output arrives); rejects when the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  running(): boolean;
}

/**
 * Captures `child`'s piped stdout and stderr; `name` labels the errors, `onChunk` sees every chunk (a log file),
 * `keepChars` bounds the memory of a long run (past twice that, only the last `keepChars` are kept).
 */
export function captureOutput(child: ChildProcess, name: string, options: { onChunk?: (chunk: Buffer) => void; keepChars?: number } = {}): ProcessOutput {
  let text = "";
  let gone = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const onData = (chunk: Buffer) => {
    options.onChunk?.(chunk);
    text += chunk.toString("utf8");
    if (options.keepChars !== undefined && text.length > 2 * options.keepChars) text = text.slice(-options.keepChars);
    notify();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      gone = true;
      notify();
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 120_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${name}: no ${pattern} after ${timeoutMs} ms:\n${text.slice(-4000)}`)), timeoutMs);
      const check = () => {
        const match = pattern.exec(text);
        if (match) return finish(null, match);
        if (gone) finish(new Error(`${name} exited before printing ${pattern}:\n${text.slice(-4000)}`));
      };
      const finish = (error: Error | null, match?: RegExpMatchArray) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve(match!);
      };
      listeners.add(check);
      check();
    });
  return { text: () => text, waitFor, exited, running: () => !gone };
}
