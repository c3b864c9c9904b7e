import { KeyCache } from "../../../src/auth/key-cache";
import type { Principal } from "../../../src/auth/principal";

const ADMIN: Principal = { kind: "key", keyId: "k-admin", name: "admin", role: "admin" };

/** A store with one valid key that counts how often each hash is asked for. */
function countingStore(validHash = "valid") {
  const asked = new Map<string, number>();
  const lookup = async (hash: string) => {
    asked.set(hash, (asked.get(hash) ?? 0) + 1);
    return hash === validHash ? ADMIN : null;
  };
  return { lookup, asked };
}

/** Resolves a hash as the credential guard does: the cache first, the store only on a miss. */
async function resolve(cache: KeyCache, hash: string): Promise<Principal | null> {
  const known = cache.peek(hash);
  return known === undefined ? cache.load(hash) : known;
}

describe("the API-key cache", () => {
  it("never asks the store again for a valid key while 25,000 unknown keys pour through its 10,000-entry unknown side", async () => {
    const store = countingStore();
    let now = 0;
    const cache = new KeyCache(store.lookup, { ttlMs: 10_000, monotonicMs: () => now });
    expect(await resolve(cache, "valid")).toEqual(ADMIN);
    for (let i = 0; i < 25_000; i++) {
      expect(await resolve(cache, `random-${i}`)).toBeNull();
      if (i % 100 === 0) expect(await resolve(cache, "valid")).toEqual(ADMIN);
      now += 0.1; // 2.5 s of flood in all: within the TTL
    }
    expect(store.asked.get("valid")).toBe(1);
    expect(cache.stats().unknownEntries).toBe(10_000);
    expect(cache.stats().validEntries).toBe(1);
  });

  it("keeps the unknown keys seen most recently (LRU) and answers them without the store", async () => {
    const store = countingStore();
    const cache = new KeyCache(store.lookup, { ttlMs: 60_000, maxUnknown: 3, monotonicMs: () => 0 });
    for (const hash of ["a", "b", "c"]) await resolve(cache, hash);
    await resolve(cache, "a"); // a is now the most recently seen
    await resolve(cache, "d"); // evicts b, the least recently seen
    expect(cache.peek("a")).toBeNull();
    expect(cache.peek("b")).toBeUndefined();
    expect(cache.peek("c")).toBeNull();
    expect(cache.peek("d")).toBeNull();
    expect(store.asked.get("a")).toBe(1);
  });

  it("asks the store once however many requests wait for the same key at once", async () => {
    const store = countingStore();
    const cache = new KeyCache(store.lookup, { ttlMs: 10_000, monotonicMs: () => 0 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.load("valid")));
    expect(answers.every((a) => a === ADMIN)).toBe(true);
    expect(store.asked.get("valid")).toBe(1);
  });

  it("remembers unknown secrets for their own, longer TTL", async () => {
    const store = countingStore();
    let now = 0;
    const cache = new KeyCache(store.lookup, { ttlMs: 10_000, unknownTtlMs: 300_000, monotonicMs: () => now });
    await resolve(cache, "stale");
    now = 299_999;
    expect(cache.peek("stale")).toBeNull();
    now = 300_001;
    expect(cache.peek("stale")).toBeUndefined();
  });

  it("asks again once the TTL has passed, so a key revoked elsewhere stops working, and forgets everything on clear", async () => {
    let valid = true;
    let asked = 0;
    let now = 0;
    const cache = new KeyCache(async () => (asked++, valid ? ADMIN : null), { ttlMs: 10_000, monotonicMs: () => now });
    expect(await resolve(cache, "k")).toEqual(ADMIN);
    valid = false;
    now = 9_999;
    expect(await resolve(cache, "k")).toEqual(ADMIN);
    now = 10_001;
    expect(await resolve(cache, "k")).toBeNull();
    expect(asked).toBe(2);
    valid = true;
    cache.clear();
    expect(await resolve(cache, "k")).toEqual(ADMIN);
    expect(asked).toBe(3);
  });
});
