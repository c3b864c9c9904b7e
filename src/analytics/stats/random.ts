/**
 * Seeded randomness for decisions that must be reproducible (bandit draws, probability-best, the simulator):
 * the same seed string always gives the same stream, so a decision can be replayed from what was recorded.
 *
 * Beta draws are `@stdlib/random-base-beta`'s, with the numbers its `factory({ prng })` gives on this stream
 * (recorded decisions depend on them), assembled here from the same stdlib functions because the factory's
 * setup cost more than the draws: on every call it seeds a Mersenne Twister for the normal sampler's block
 * index (taking one uniform from the stream to do it) and defines a dozen properties. Here the seed is taken
 * from the stream at the same point, and the twister is built only when a first Beta draw needs it.
 * tests/unit/experiments/seeded-random.test.ts checks draw for draw that the two agree.
 */
import sampleBeta from "@stdlib/random-base-beta/lib/beta.js";
import improvedZiggurat from "@stdlib/random-base-improved-ziggurat/lib/improved_ziggurat.js";
import { sha1Words } from "../../lib/sha1";

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** A draw from Beta(alpha, beta). */
  beta(alpha: number, beta: number): number;
}

const UINT32_MAX = 4_294_967_295;

/** sfc32 seeded from SHA-1 of the seed string: fast, good enough statistically, tiny state. */
export function seededRandom(seed: string): Random {
  let [a, b, c, d] = sha1Words(seed);
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
  for (let i = 0; i < 12; i++) uniform(); // let the seed's bits mix before the first draw
  // What stdlib's improved-ziggurat factory does when given a PRNG: seed its block-index twister from it, now.
  const twisterSeed = Math.floor(1.0 + UINT32_MAX * uniform());
  let normal: (() => number) | null = null;
  return {
    uniform,
    beta: (alpha, beta) => {
      // random-base-beta's guard, then its sampler.
      if (Number.isNaN(alpha) || Number.isNaN(beta) || alpha <= 0 || beta <= 0) return NaN;
      normal ??= improvedZiggurat(uniform, mt19937(twisterSeed));
      return sampleBeta(uniform, normal, alpha, beta);
    },
  };
}

const N = 624;
const M = 397;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/**
 * MT19937 seeded with one 32-bit integer (init_genrand), raw uint32 outputs: the generator
 * `@stdlib/random-base-mt19937` builds for `{ seed }`, without its state serialization.
 */
function mt19937(seed: number): () => number {
  const state = new Uint32Array(N);
  state[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const s = state[i - 1] ^ (state[i - 1] >>> 30);
    state[i] = (Math.imul(s, 1812433253) >>> 0) + i;
  }
  let index = N;
  return () => {
    if (index >= N) {
      twist(state);
      index = 0;
    }
    let r = state[index++];
    r ^= r >>> 11;
    r ^= (r << 7) & 0x9d2c5680;
    r ^= (r << 15) & 0xefc60000;
    r ^= r >>> 18;
    return r >>> 0;
  };
}

function twist(state: Uint32Array): void {
  let i = 0;
  for (; i < N - M; i++) {
    const w = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
    state[i] = state[i + M] ^ (w >>> 1) ^ (w & 1 ? MATRIX_A : 0);
  }
  for (; i < N - 1; i++) {
    const w = (state[i] & UPPER_MASK) | (state[i + 1] & LOWER_MASK);
    state[i] = state[i - (N - M)] ^ (w >>> 1) ^ (w & 1 ? MATRIX_A : 0);
  }
  const w = (state[N - 1] & UPPER_MASK) | (state[0] & LOWER_MASK);
  state[N - 1] = state[M - 1] ^ (w >>> 1) ^ (w & 1 ? MATRIX_A : 0);
}
