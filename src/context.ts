/** Everything a use case may need from the outside world, built once per process by src/main.ts. */
import type { Config } from "./config";
import type { Database, Db } from "./db/client";
import type { ContentCache } from "./db/content-cache";
import type { Clock } from "./lib/clock";
import type { Logger } from "./lib/logger";
import type { Metrics } from "./lib/metrics";
import type { JobQueues } from "./queue/job-queues";
import type { DeliveryFeed } from "./learners/delivery-feed";

export interface EngineContext {
  config: Config;
  database: Database;
  prisma: Db;
  queues: JobQueues;
  /** Live delivery notifications for the learners' streams (one Redis subscriber per process, opened on first use). */
  deliveryFeed: DeliveryFeed;
  clock: Clock;
  /** Cached content and figures; reloads when the database's revision moves (src/db/content-cache.ts). */
  cache: ContentCache;
  log: Logger;
  metrics: Metrics;
  /** Key that signs learner tokens (see src/auth/learner-tokens.ts). */
  tokenKey: string;
}
