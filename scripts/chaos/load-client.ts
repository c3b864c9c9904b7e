/**
 * A course player's backend under faults: it posts batches of events and retries each batch until it gets a
 * 2xx (the contract's promise: 202 means stored), switching API process on connection errors and honouring
 * Retry-After (capped, so the run keeps its pressure). It records what it sent, what was acknowledged and when,
 * every 5xx, every reset with the time its request was sent, and any request that hung.
 */
import { Agent, request } from "node:http";

export interface LoadEvent {
  id: string;
  type: string;
  learnerId: string;
  courseId: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}

export interface LoadOptions {
  /** Event ids start with this (unique per run). */
  idPrefix: string;
  /** The API base URLs to post to right now (read before every attempt, so scenarios can add and remove processes). */
  targets: () => string[];
  apiKey: string;
  concurrency: number;
  batchSize: number;
  /** Pause between one acknowledged batch and the next, per sender. */
  pauseMs: number;
  /** The event type of the n-th event (one rule per type). */
  typeOf?: (n: number) => string;
  /** A request with no answer after this counts as hung (and is retried). */
  requestTimeoutMs?: number;
  /** A batch still unacknowledged after this is given up on (counted, never silently dropped). */
  giveUpMs?: number;
}

/** A request that failed without an HTTP answer. */
export interface FailedRequest {
  target: string;
  /** When the request was handed to the socket (ms, this process's clock). */
  sentAt: number;
  at: number;
  code: string;
}

export interface LoadStats {
  sent: number;
  acknowledged: number;
  requests: number;
  status5xx: number;
  /** 503s without a Retry-After header (the contract wants one). */
  missingRetryAfter: number;
  /** Requests with no answer within requestTimeoutMs. */
  hung: number;
  resets: FailedRequest[];
  refused: number;
  givenUp: number;
  statuses: Record<string, number>;
  maxLatencyMs: number;
}

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "HPE_INVALID_EOF_STATE"]);

/** Posts one JSON body on a keep-alive agent; resolves with the status and Retry-After, rejects with a coded error. */
function post(target: string, agent: Agent, apiKey: string, body: string, timeoutMs: number): Promise<{ status: number; retryAfter: string | undefined; sentAt: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL("/v1/events", target);
    const sentAt = Date.now();
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] as string | undefined, sentAt }));
        res.once("error", (error) => reject(Object.assign(error, { sentAt })));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("no answer"), { code: "CHAOS_TIMEOUT" })));
    req.once("error", (error) => reject(Object.assign(error, { sentAt })));
    req.end(body);
  });
}

/** Runs senders until stop(); each batch is retried until 2xx. */
export class LoadClient {
  readonly stats: LoadStats = { sent: 0, acknowledged: 0, requests: 0, status5xx: 0, missingRetryAfter: 0, hung: 0, resets: [], refused: 0, givenUp: 0, statuses: {}, maxLatencyMs: 0 };
  /** Every event id sent, with when it was first sent. */
  readonly sentAt = new Map<string, number>();
  /** Every acknowledged event id, with when its 2xx arrived. */
  readonly ackedAt = new Map<string, number>();
  private readonly agents = new Map<string, Agent>();
  private running = false;
  private senders: Promise<void>[] = [];
  private n = 0;
  private turn = 0;

  constructor(private readonly options: LoadOptions) {}

  start(): void {
    this.running = true;
    this.senders = Array.from({ length: this.options.concurrency }, () => this.sender());
  }

  /** Stops making new batches and waits until every batch already made is acknowledged (or given up). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.senders);
    for (const agent of this.agents.values()) agent.destroy();
  }

  acknowledged(): string[] {
    return [...this.ackedAt.keys()];
  }

  sentIds(): string[] {
    return [...this.sentAt.keys()];
  }

  /** Acknowledged ids whose 2xx came before `time`. */
  acknowledgedBefore(time: number): string[] {
    return [...this.ackedAt].filter(([, at]) => at < time).map(([id]) => id);
  }

  /** When the first 2xx at or after `time` came (null: none yet). */
  firstAckAfter(time: number): number | null {
    let first: number | null = null;
    for (const at of this.ackedAt.values()) if (at >= time && (first === null || at < first)) first = at;
    return first;
  }

  /** Sends one batch of `events` (built by the caller) until 2xx; for scenarios that need a batch of their own. */
  async sendBatch(events: LoadEvent[]): Promise<boolean> {
    const now = Date.now();
    for (const e of events) if (!this.sentAt.has(e.id)) this.sentAt.set(e.id, now);
    this.stats.sent = this.sentAt.size;
    return this.deliver(events);
  }

  private agentFor(target: string): Agent {
    let agent = this.agents.get(target);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 64 });
      this.agents.set(target, agent);
    }
    return agent;
  }

  private nextBatch(): LoadEvent[] {
    const typeOf = this.options.typeOf ?? (() => "chaos.now");
    return Array.from({ length: this.options.batchSize }, () => {
      const n = this.n++;
      return {
        id: `${this.options.idPrefix}-${n}`,
        type: typeOf(n),
        learnerId: `${this.options.idPrefix}-L${n % 997}`,
        courseId: "chaos-101",
        occurredAt: new Date().toISOString(),
        properties: { n },
      };
    });
  }

  private async sender(): Promise<void> {
    while (this.running) {
      await this.sendBatch(this.nextBatch());
      if (this.options.pauseMs > 0) await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }

  private async deliver(events: LoadEvent[]): Promise<boolean> {
    const body = JSON.stringify({ events });
    const giveUpAt = Date.now() + (this.options.giveUpMs ?? 180_000);
    for (let attempt = 0; ; attempt++) {
      const targets = this.options.targets();
      let waitMs = Math.min(1_000, 100 * 2 ** Math.min(attempt, 4));
      if (targets.length > 0) {
        const target = targets[this.turn++ % targets.length];
        this.stats.requests++;
        const started = Date.now();
        try {
          const res = await post(target, this.agentFor(target), this.options.apiKey, body, this.options.requestTimeoutMs ?? 15_000);
          this.stats.maxLatencyMs = Math.max(this.stats.maxLatencyMs, Date.now() - started);
          this.stats.statuses[res.status] = (this.stats.statuses[res.status] ?? 0) + 1;
          if (res.status >= 200 && res.status < 300) {
            const at = Date.now();
            for (const e of events) if (!this.ackedAt.has(e.id)) this.ackedAt.set(e.id, at);
            this.stats.acknowledged = this.ackedAt.size;
            return true;
          }
          if (res.status >= 500) this.stats.status5xx++;
          if (res.status === 503 && res.retryAfter === undefined) this.stats.missingRetryAfter++;
          if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408) throw new Error(`the engine rejected a valid batch with ${res.status}`);
          if (res.retryAfter !== undefined) waitMs = Math.min(1_000, Math.max(100, Number(res.retryAfter) * 1_000 || waitMs));
        } catch (error) {
          const e = error as NodeJS.ErrnoException & { sentAt?: number };
          if (/rejected a valid batch/.test(e.message)) throw e;
          this.stats.maxLatencyMs = Math.max(this.stats.maxLatencyMs, Date.now() - started);
          const code = e.code ?? e.message;
          if (code === "CHAOS_TIMEOUT") this.stats.hung++;
          else if (code === "ECONNREFUSED") this.stats.refused++;
          else if (RESET_CODES.has(code) || /socket hang up/.test(e.message)) this.stats.resets.push({ target, sentAt: e.sentAt ?? started, at: Date.now(), code });
          this.stats.statuses[code] = (this.stats.statuses[code] ?? 0) + 1;
        }
      }
      if (Date.now() > giveUpAt) {
        this.stats.givenUp += events.length;
        return false;
      }
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
