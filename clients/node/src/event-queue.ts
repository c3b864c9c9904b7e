/**
 * Events waiting to be sent: flushed when `flushAt` events are queued, every `flushIntervalMs`, on demand and
 * on close. A batch that fails with a retryable answer (429, 5xx, a network error) is retried with backoff;
 * the engine deduplicates by event id, so a retry after a lost answer stores nothing twice.
 */
import { isRetryableStatus, retryDelayMs, sleep } from "./backoff";

export interface QueuedEvent {
  id: string;
  type: string;
  learnerId: string;
  occurredAt: string;
  [field: string]: unknown;
}

export interface SendResult {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

export interface EventQueueOptions {
  flushAt: number;
  flushIntervalMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Sends one batch; resolves with the answer, rejects on a network error. */
  send(events: QueuedEvent[], sentAt: string): Promise<SendResult>;
  /** Events given up on: rejected by the engine (400) or still failing after maxRetries. */
  onError(error: DeliveryError): void;
}

/** Why a batch of events was given up on, with the events, so the caller can log or store them. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly events: QueuedEvent[],
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

const MAX_BATCH = 500;
const MAX_BATCH_BYTES = 900 * 1024; // under the engine's 1 MiB body limit, with room for the envelope

export class EventQueue {
  private queue: QueuedEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: EventQueueOptions) {}

  /** Queues one event; a full batch starts a flush. */
  push(event: QueuedEvent): void {
    if (this.closed) throw new Error("the client is closed");
    this.queue.push(event);
    if (this.queue.length >= this.options.flushAt) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs).unref();
  }

  /** Sends everything queued so far; resolves when it is stored or given up on. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const taken = this.queue;
    this.queue = [];
    // Batches go one after another, in order.
    this.inFlight = this.inFlight.then(async () => {
      for (const batch of splitBatches(taken)) await this.sendWithRetry(batch);
    });
    return this.inFlight;
  }

  /** Flushes and refuses further events. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  get pending(): number {
    return this.queue.length;
  }

  private async sendWithRetry(batch: QueuedEvent[]): Promise<void> {
    const { maxRetries, retryBaseMs, retryMaxMs } = this.options;
    let last: SendResult | null = null;
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      try {
        last = await this.options.send(batch, new Date().toISOString());
        if (last.status < 300) return;
        if (!isRetryableStatus(last.status)) break;
      } catch {
        last = null; // a network error: retry
      }
      if (attempt <= maxRetries) await sleep(retryDelayMs(attempt, last?.retryAfter ?? null, retryBaseMs, retryMaxMs));
    }
    const status = last?.status ?? 0;
    this.options.onError(new DeliveryError(status ? `the engine answered ${status}` : "the engine could not be reached", batch, status, last?.body));
  }
}

function splitBatches(events: QueuedEvent[]): QueuedEvent[][] {
  const batches: QueuedEvent[][] = [];
  let current: QueuedEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (current.length && (current.length >= MAX_BATCH || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}
