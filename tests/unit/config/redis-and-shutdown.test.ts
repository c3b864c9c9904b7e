/**
 * The configuration tells "REDIS_URL unset" from "REDIS_URL set to the default address": only the first may
 * lead to a private redis-server. And the shutdown deadline the contract names has its documented default.
 */
import { loadConfig } from "../../../src/config";

describe("REDIS_URL and COACH_SHUTDOWN_TIMEOUT_MS", () => {
  it("when REDIS_URL is unset, uses the default address and says it was not chosen", () => {
    const config = loadConfig({});
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.redisUrlExplicit).toBe(false);
  });

  it("when REDIS_URL is set, even to the default address, marks it explicit (never a private Redis then)", () => {
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" })).toMatchObject({ redisUrl: "redis://127.0.0.1:6379", redisUrlExplicit: true });
    expect(loadConfig({ REDIS_URL: "redis://cache.internal:6380" })).toMatchObject({ redisUrl: "redis://cache.internal:6380", redisUrlExplicit: true });
  });

  it("waits 10 s for in-flight work by default, and rejects a deadline that is not a positive number of ms", () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ COACH_SHUTDOWN_TIMEOUT_MS: "30000" }).shutdownTimeoutMs).toBe(30_000);
    expect(() => loadConfig({ COACH_SHUTDOWN_TIMEOUT_MS: "-1" })).toThrow(/COACH_SHUTDOWN_TIMEOUT_MS/);
    expect(() => loadConfig({ COACH_SHUTDOWN_TIMEOUT_MS: "soon" })).toThrow(/COACH_SHUTDOWN_TIMEOUT_MS/);
  });
});
