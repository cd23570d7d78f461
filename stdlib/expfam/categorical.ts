/**
 * The Categorical over {0..K-1} as an exponential family: sufficient statistics the one-hot
 * indicator, natural parameters log pi_k. Plain float64; rows of a flat array.
 */

/** Normalises the log potentials of one row in place into probabilities (softmax). */
export function softmaxRow(logits: Float64Array, off: number, k: number): void {
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (logits[off + j]! > m) m = logits[off + j]!;
  let s = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(logits[off + j]! - m);
    logits[off + j] = e;
    s += e;
  }
  for (let j = 0; j < k; j++) logits[off + j]! /= s;
}

/** Entropy of one row of probabilities, nats. */
export function categoricalEntropy(p: ArrayLike<number>, off: number, k: number): number {
  let h = 0;
  for (let j = 0; j < k; j++) {
    const x = p[off + j]!;
    if (x > 0) h -= x * Math.log(x);
  }
  return h;
}
