/**
 * Gathers single requests that arrive while batches are being worked into the next batch: no timer and no
 * added latency when idle (the first request runs at once), but under load one batch serves many requests.
 * Each caller still gets its own answer — or its own error: `work` may answer one item with an ItemFailure,
 * and only that item's caller is rejected. Serves ingest's group commit (requests weighed by their events).
 */
export interface BatcherOptions<T, R> {
  /** Batches worked at once. */
  maxInFlight: number;
  /** The most a batch may weigh; a batch always takes at least one item, however heavy. */
  maxBatch: number;
  /** An item's weight (default 1). */
  weight?: (item: T) => number;
  /** Runs after a batch's callers have their answers (with the items that succeeded), before the next batch; it must not throw. */
  afterBatch?: (items: T[], answers: R[]) => Promise<void>;
}

/** One item's failure inside an answered batch: its caller is rejected with `error`, the others are answered. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

export class Batcher<T, R> {
  private queue: Array<{ item: T; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  private running = 0;

  /**
   * `work` answers a batch with one answer per item, in order: a value, an ItemFailure (that caller alone gets
   * its error) or undefined (that caller gets a generic error). A throw rejects every caller of the batch.
   */
  constructor(
    private readonly work: (items: T[]) => Promise<Array<R | ItemFailure | undefined>>,
    private readonly options: BatcherOptions<T, R>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running < this.options.maxInFlight) void this.drain();
    });
  }

  private next(): typeof this.queue {
    const weight = this.options.weight ?? (() => 1);
    const batch: typeof this.queue = [];
    let size = 0;
    while (this.queue.length > 0 && (batch.length === 0 || size + weight(this.queue[0].item) <= this.options.maxBatch)) {
      const entry = this.queue.shift()!;
      batch.push(entry);
      size += weight(entry.item);
    }
    return batch;
  }

  private async drain(): Promise<void> {
    this.running++;
    while (this.queue.length > 0) {
      const batch = this.next();
      const items = batch.map((b) => b.item);
      try {
        const answers = await this.work(items);
        const succeeded: T[] = [];
        const values: R[] = [];
        batch.forEach((b, i) => {
          const answer = answers[i];
          if (answer instanceof ItemFailure) b.reject(answer.error);
          else if (answer === undefined) b.reject(new Error(`batch gave no answer for ${String(b.item)}`));
          else {
            b.resolve(answer);
            succeeded.push(b.item);
            values.push(answer);
          }
        });
        await this.options.afterBatch?.(succeeded, values);
      } catch (error) {
        for (const b of batch) b.reject(error); // a no-op for callers already answered
      }
    }
    this.running--;
  }
}
