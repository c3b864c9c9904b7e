/** Prometheus metrics (prom-client), one registry per engine instance so tests can run several. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  events: Counter<"outcome">;
  messages: Counter<"outcome">;
  queueDepth: Gauge<"queue">;
  enqueueFailures: Counter<"job">;
  /** Poison marked failed by this process: events that would not match, messages that would not deliver. */
  isolatedFailures: Counter<"kind">;
  /** Failed events and messages in the database now, for the whole fleet (read at scrape time). */
  failedItems: Gauge<"kind">;
}

/** Creates the registry and every metric; `readQueueDepths` and `readFailures` are called at scrape time. */
export function createMetrics(readQueueDepths?: () => Promise<Record<string, number>>, readFailures?: () => Promise<Record<string, number>>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "coach_http_request_duration_seconds",
      help: "HTTP request duration by route and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    events: new Counter({ name: "coach_events_total", help: "Events by outcome: accepted, duplicate, rejected", labelNames: ["outcome"], registers: [registry] }),
    messages: new Counter({ name: "coach_messages_total", help: "Messages by outcome: scheduled, delivered, deferred, suppressed, failed", labelNames: ["outcome"], registers: [registry] }),
    queueDepth: new Gauge({
      name: "coach_queue_depth",
      help: "Jobs waiting, delayed or active per queue",
      labelNames: ["queue"],
      registers: [registry],
      async collect() {
        if (!readQueueDepths) return;
        try {
          for (const [queue, depth] of Object.entries(await readQueueDepths())) this.set({ queue }, depth);
        } catch {
          this.reset(); // Redis down: report nothing rather than stale numbers
        }
      },
    }),
    enqueueFailures: new Counter({ name: "coach_enqueue_failures_total", help: "Jobs that could not be enqueued (left to the sweeper)", labelNames: ["job"], registers: [registry] }),
    isolatedFailures: new Counter({
      name: "coach_isolated_failures_total",
      help: "Events (kind=event) and messages (kind=message) this process marked failed after they failed alone on every attempt",
      labelNames: ["kind"],
      registers: [registry],
    }),
    // The fleet-wide count, from the database: what is waiting for an operator (GET /v1/operations/failures).
    failedItems: new Gauge({
      name: "coach_failed_items",
      help: "Events whose matching failed (kind=event) and messages in status failed (kind=message), awaiting an operator",
      labelNames: ["kind"],
      registers: [registry],
      async collect() {
        if (!readFailures) return;
        try {
          for (const [kind, count] of Object.entries(await readFailures())) this.set({ kind }, count);
        } catch {
          this.reset(); // database down: report nothing rather than stale numbers
        }
      },
    }),
  };
}
