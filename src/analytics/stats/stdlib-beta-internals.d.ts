/**
 * The stdlib functions behind `@stdlib/random-base-beta`'s sampler, imported directly so that a sampler can be
 * assembled per seed without the factory's per-call setup (src/analytics/stats/random.ts). Same code, same
 * numbers: tests/unit/experiments/seeded-random.test.ts compares the result with the public factory.
 */
declare module "@stdlib/random-base-beta/lib/beta.js" {
  /** One Beta(alpha, beta) draw from a uniform source on [0, 1) and a standard normal source; alpha, beta > 0. */
  export default function sampleBeta(randu: () => number, randn: () => number, alpha: number, beta: number): number;
}

declare module "@stdlib/random-base-improved-ziggurat/lib/improved_ziggurat.js" {
  /** A standard normal sampler over a uniform source on [0, 1) and a uint32 source (for the block index). */
  export default function improvedZiggurat(randu: () => number, randi: () => number): () => number;
}
