/**
 * Seeded randomness for decisions that must be reproducible (bandit draws, probability-best, the simulator):
 * the same seed string always gives the same stream, so a decision can be replayed from what was recorded.
 */
import { createHash } from "node:crypto";
import betaRandom from "@stdlib/random-base-beta";

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** A draw from Beta(alpha, beta). */
  beta(alpha: number, beta: number): number;
}

/** sfc32 seeded from SHA-1 of the seed string: fast, good enough statistically, tiny state. */
export function seededRandom(seed: string): Random {
  const h = createHash("sha1").update(seed).digest();
  let a = h.readUInt32BE(0), b = h.readUInt32BE(4), c = h.readUInt32BE(8), d = h.readUInt32BE(12);
  const uniform = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
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
  const prng = Object.assign(uniform, { NAME: "sfc32", seed: null, seedLength: 0, state: null, stateLength: 0, byteLength: 0, MIN: 0, MAX: 1, normalized: uniform });
  const drawBeta = betaRandom.factory({ prng: prng as never });
  return { uniform, beta: (alpha, beta) => drawBeta(alpha, beta) };
}
