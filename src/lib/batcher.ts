/**
 * Gathers single requests that arrive while a batch is being worked into the next batch: no timer and no
 * added latency when idle (the first request runs at once), but under load one batch serves many requests.
 * Each caller still gets its own answer.
 */
export class Batcher<K, V> {
  private queue: Array<{ key: K; resolve: (value: V) => void; reject: (error: unknown) => void }> = [];
  private running = 0;

  /** `work` answers a batch of distinct keys, with an entry for every key. */
  constructor(private readonly work: (keys: K[]) => Promise<Map<K, V>>, private readonly options: { maxBatch: number; maxInFlight: number }) {}

  submit(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.running < this.options.maxInFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      try {
        const answers = await this.work([...new Set(batch.map((b) => b.key))]);
        for (const b of batch) {
          if (answers.has(b.key)) b.resolve(answers.get(b.key)!);
          else b.reject(new Error(`batch gave no answer for ${String(b.key)}`));
        }
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running--;
  }
}
