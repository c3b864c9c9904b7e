/**
 * One line of the security report: a scenario of issue 12, how many hostile requests were tried, how many
 * were refused as the contract says (a 4xx, a dropped call, a 503 with Retry-After during an outage, a
 * socket closed with 408), how many got an unexpected 5xx, and what else was checked.
 */
import type { ReportEngine, Role } from "./report-engine";

export interface ReportRow {
  item: string;
  scenario: string;
  tried: number;
  refused: number;
  fiveXX: number;
  /** The extra check, in words, with its figures. */
  check: string;
  /** Whether everything held (counts as intended and the check passed). */
  held: boolean;
  /** The engine's largest event-loop delay during the scenario, in ms. */
  loopMaxMs?: number;
}

/** Counts answers for a row. */
export class Tally {
  tried = 0;
  refused = 0;
  fiveXX = 0;
  readonly statuses = new Map<number, number>();

  /** `refused`: this answer is the refusal the contract asks for. `intended`: a 5xx that is the right answer (503 in an outage). */
  count(status: number, refused: boolean, intended = false): void {
    this.tried++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (refused) this.refused++;
    if (status >= 500 && !intended) this.fiveXX++;
  }

  /** "400×12 202×3". */
  describe(): string {
    return [...this.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n.toLocaleString("en")}`)
      .join(" ");
  }

  row(item: string, scenario: string, check: string, held: boolean): ReportRow {
    return { item, scenario, tried: this.tried, refused: this.refused, fiveXX: this.fiveXX, check, held: held && this.fiveXX === 0 };
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A JSON request to the engine (fetch); `body` a string is sent as is. Never throws on a status. */
export async function call(engine: ReportEngine, method: string, path: string, options: { role?: Role; key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const key = options.key ?? (options.role ? engine.keys[options.role] : undefined);
  const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers };
  const res = await fetch(`${engine.base}${path}`, { method, headers, body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Runs `count` tasks with at most `concurrency` in flight; results in call order. */
export async function inParallel<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** The 99th percentile of some durations. */
export function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]);
}
