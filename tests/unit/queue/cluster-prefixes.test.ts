/**
 * Queue prefixes: a single Redis keeps the one `{prefix}` hash tag of every existing deployment; a cluster gets a
 * tag per queue, so BullMQ's keys of one queue share a slot while the queues spread. And the words for a
 * single-node client that reached a cluster node.
 */
import { clusterMisconfiguration, queuePrefix } from "../../../src/queue/connection";

describe("queuePrefix", () => {
  it("on a single Redis, is the engine's hash-tagged prefix for every queue, as before", () => {
    expect(queuePrefix("coach", "match", false)).toBe("{coach}");
    expect(queuePrefix("coach", "deliver", false)).toBe("{coach}");
    expect(queuePrefix("{coach}", "maintenance", false)).toBe("{coach}");
  });

  it("in a cluster, is one hash tag per queue, whether or not the configured prefix was already tagged", () => {
    expect(queuePrefix("coach", "match", true)).toBe("{coach:match}");
    expect(queuePrefix("coach", "deliver", true)).toBe("{coach:deliver}");
    expect(queuePrefix("{coach}", "maintenance", true)).toBe("{coach:maintenance}");
  });

  it("drops braces inside a prefix, which would end the tag early and put every queue in one slot again", () => {
    expect(queuePrefix("a{b}c", "match", true)).toBe("{abc:match}");
    expect(queuePrefix("a{b}c", "deliver", true)).toBe("{abc:deliver}");
  });
});

describe("clusterMisconfiguration", () => {
  it("explains MOVED, ASK and CROSSSLOT replies in an operator's words", () => {
    expect(clusterMisconfiguration(new Error("MOVED 1071 127.0.0.1:7001"))).toBe("REDIS_URL names a node of a Redis Cluster (it answered MOVED): set REDIS_CLUSTER_NODES to the cluster's nodes");
    expect(clusterMisconfiguration(new Error("ASK 1071 127.0.0.1:7001"))).toMatch(/answered ASK/);
    expect(clusterMisconfiguration(new Error("CROSSSLOT Keys in request don't hash to the same slot"))).toMatch(/answered CROSSSLOT/);
  });

  it("says nothing of other errors", () => {
    expect(clusterMisconfiguration(new Error("connect ECONNREFUSED 127.0.0.1:6379"))).toBeNull();
    expect(clusterMisconfiguration(new Error("ERR unknown command, with MOVED in the text"))).toBeNull();
    expect(clusterMisconfiguration("MOVED 1 x:1")).toMatch(/answered MOVED/);
  });
});
