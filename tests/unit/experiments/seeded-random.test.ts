/**
 * Recorded bandit decisions are replayed from their seed, so the seeded stream must give the numbers it gave
 * when it built `@stdlib/random-base-beta`'s public factory on every call (the reference below, the code it
 * replaced): same seed and calls → the same uniforms and Beta draws, bit for bit, on every branch of the
 * sampler, past the twister's first 624 outputs, interleaved with uniforms, and for invalid parameters.
 */
import { createHash } from "node:crypto";
import betaRandom from "@stdlib/random-base-beta";
import fc from "fast-check";
import { seededRandom, type Random } from "../../../src/analytics/stats/random";
import { thompsonChoose } from "../../../src/experiments/thompson";
import { hashToUnit } from "../../../src/experiments/split";

function referenceRandom(seed: string): Random {
  const h = createHash("sha1").update(seed).digest();
  let a = h.readUInt32BE(0),
    b = h.readUInt32BE(4),
    c = h.readUInt32BE(8),
    d = h.readUInt32BE(12);
  const uniform = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const out = (t + d) | 0;
    c = (c + out) | 0;
    return (out >>> 0) / 4_294_967_296;
  };
  for (let i = 0; i < 12; i++) uniform();
  const prng = Object.assign(uniform, { NAME: "sfc32", seed: null, seedLength: 0, state: null, stateLength: 0, byteLength: 0, MIN: 0, MAX: 1, normalized: uniform });
  const drawBeta = betaRandom.factory({ prng: prng as never });
  return { uniform, beta: (alpha, beta) => drawBeta(alpha, beta) };
}

type Call = { kind: "uniform" } | { kind: "beta"; alpha: number; beta: number };

function replay(random: Random, calls: Call[]): number[] {
  return calls.map((call) => (call.kind === "uniform" ? random.uniform() : random.beta(call.alpha, call.beta)));
}

// Parameters reaching each of the sampler's branches: alpha = beta > 1.5, both > 1, both < 1, the gamma pair
// (one side ≤ 1, including exactly 1), posterior-like counts, and the invalid ones that give NaN.
const parameter = fc.oneof(
  fc.integer({ min: 1, max: 5_000 }),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  fc.double({ min: 1.01, max: 40, noNaN: true }),
  fc.constantFrom(1, 1.5, 2, 0, -1, Number.NaN),
);
const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "uniform" as const }) },
  { weight: 3, arbitrary: fc.tuple(parameter, parameter).map(([alpha, beta]) => ({ kind: "beta" as const, alpha, beta })) },
  { weight: 1, arbitrary: parameter.map((alpha) => ({ kind: "beta" as const, alpha, beta: alpha })) },
);

describe("seeded randomness", () => {
  it("gives the reference's numbers for any seed and sequence of calls", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(call, { maxLength: 40 }), (seed, calls) => {
        expect(replay(seededRandom(seed), calls)).toEqual(replay(referenceRandom(seed), calls));
      }),
      { numRuns: 500 },
    );
  });

  it("still agrees after thousands of draws (the twister regenerates its state every 624 outputs)", () => {
    const calls: Call[] = Array.from({ length: 3_000 }, (_, i) => (i % 7 === 3 ? { kind: "uniform" } : { kind: "beta", alpha: 1 + (i % 13) * 3, beta: 1 + (i % 5) * 40 }));
    for (const seed of ["long-a", "long-b", "long-c"]) expect(replay(seededRandom(seed), calls)).toEqual(replay(referenceRandom(seed), calls));
  });

  it("hashes split buckets and holdouts as before (SHA-1 of the UTF-8 text, first word), for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(hashToUnit(text)).toBe((createHash("sha1").update(text).digest().readUInt32BE(0) + 1) / 4_294_967_297);
      }),
      { numRuns: 300 },
    );
  });

  it("makes the same bandit choices as before on 2,000 decisions", () => {
    const arms = [
      { key: "A", successes: 30, failures: 20 },
      { key: "B", successes: 28, failures: 21 },
      { key: "C", successes: 1, failures: 0 },
    ];
    for (let i = 0; i < 2_000; i++) {
      const seed = `rule|L${i}|evt-${i % 17}`;
      const random = referenceRandom(seed);
      const explored = random.uniform() < 0.05;
      const expected = explored ? null : arms.map((a) => Number(random.beta(1 + a.successes, 1 + a.failures).toFixed(6)));
      const choice = thompsonChoose(arms, 0.05, seed);
      expect(choice.explored).toBe(explored);
      if (expected) expect(choice.arms.map((a) => a.draw)).toEqual(expected);
    }
  });
});
