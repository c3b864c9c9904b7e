/**
 * The live side of the learner's stream: one Redis subscriber per process fans "delivered" notifications out
 * to every open stream, instead of a Redis connection per stream (a course with 10,000 learners online would
 * otherwise hold 10,000 connections). A channel is subscribed while at least one stream follows its learner.
 *
 * Notifications are best effort (see inbox-notifications.ts): a stream that missed some — Redis down, the
 * browser reconnecting, this process shutting down — catches up from PostgreSQL with `deliveredSince`.
 */
import { createSubscriberConnection, withTimeout, type RedisClient, type RedisTarget } from "../queue/connection";
import { deliveryChannel } from "./inbox-notifications";

/** What a follower is told: a message id was delivered to its learner, or the feed is closing. */
export interface Follower {
  delivered(messageId: string): void;
  closed(): void;
}

/** How long opening a stream waits for its subscription before going on (Redis down: it subscribes on return). */
const SUBSCRIBE_WAIT_MS = 2_000;

export class DeliveryFeed {
  private subscriber: RedisClient | null = null;
  /** Set by close(): a stream opened while the process stops is ended at once instead of holding it up. */
  private closing = false;
  private readonly followers = new Map<string, Set<Follower>>();

  constructor(
    private readonly redis: RedisTarget,
    private readonly prefix: string,
  ) {}

  /** Follows one learner's deliveries until the returned function is called (or the feed closes). */
  async follow(learnerId: string, follower: Follower): Promise<() => Promise<void>> {
    if (this.closing) {
      follower.closed();
      return async () => undefined;
    }
    const channel = deliveryChannel(this.prefix, learnerId);
    const set = this.followers.get(channel) ?? new Set<Follower>();
    const first = set.size === 0;
    set.add(follower); // before waiting, so that another stream of this learner ending meanwhile keeps the channel
    this.followers.set(channel, set);
    // Not subscribed in time (Redis down): the stream opens anyway and ioredis subscribes once Redis is back.
    if (first) await withTimeout(this.connection().subscribe(channel), SUBSCRIBE_WAIT_MS, "subscribe").catch(() => undefined);
    return () => this.unfollow(channel, follower);
  }

  /** Ends every stream (they reconnect elsewhere and catch up) and disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.followers.values()].flatMap((set) => [...set]);
    this.followers.clear();
    for (const follower of all) follower.closed();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private async unfollow(channel: string, follower: Follower): Promise<void> {
    const set = this.followers.get(channel);
    if (!set?.delete(follower) || set.size > 0) return;
    this.followers.delete(channel);
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    // Lazily: API processes that never serve a stream, and workers, open no subscriber.
    // In a cluster, regular (not sharded) pub/sub: a PUBLISH on any node reaches every node, so one subscriber
    // connection hears all channels whichever node it landed on, and resubscribes elsewhere after a failover.
    // Notifications are one small message per delivery, well within what the cluster bus carries.
    const subscriber = createSubscriberConnection(this.redis); // reconnects by itself and resubscribes its channels
    subscriber.on("message", (channel: string, payload: string) => {
      const { messageId } = JSON.parse(payload) as { messageId: string };
      for (const follower of this.followers.get(channel) ?? []) follower.delivered(messageId);
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}
