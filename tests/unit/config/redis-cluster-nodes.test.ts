/**
 * REDIS_CLUSTER_NODES: seed nodes as `host:port` (or a redis:// URL carrying credentials), checked at start so a
 * typo fails there rather than as a client that never connects.
 */
import { loadConfig } from "../../../src/config";
import { createLogger } from "../../../src/lib/logger";
import { withRedis } from "../../../src/queue/private-redis";

describe("REDIS_CLUSTER_NODES", () => {
  it("is empty when unset or blank: a single Redis at REDIS_URL", () => {
    expect(loadConfig({}).redisClusterNodes).toEqual([]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: "  " }).redisClusterNodes).toEqual([]);
  });

  it("takes comma-separated host:port pairs, IPv6 in brackets and redis:// URLs, trimming spaces and empty entries", () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: " redis-1:7000, 10.0.0.2:7001 ,,[::1]:7002,rediss://user:s3cret@redis-4.internal:6380" });
    expect(config.redisClusterNodes).toEqual(["redis-1:7000", "10.0.0.2:7001", "[::1]:7002", "rediss://user:s3cret@redis-4.internal:6380"]);
  });

  it.each(["redis-1", "redis-1:", ":7000", "redis-1:70000", "redis-1:7000/0", "http://redis-1:7000", "redis 1:7000", "redis-1:7000;redis-2:7000"])("refuses %j", (value) => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: value })).toThrow(/REDIS_CLUSTER_NODES: must be comma-separated host:port pairs/);
  });

  it("never starts a private redis-server in cluster mode, even with REDIS_URL unset and nothing at the default address", async () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: "127.0.0.1:1", COACH_DEFAULT_REDIS_URL: "redis://127.0.0.1:1", COACH_DATA_DIR: "/nonexistent/coach" });
    const { config: used, redis } = await withRedis(config, createLogger("silent"));
    expect(redis).toBeNull();
    expect(used).toBe(config);
  });
});
