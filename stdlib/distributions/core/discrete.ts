/**
 * Shared pieces of the discrete distributions: support masks and categorical draws.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "./random.js";

/** x is an integer in [lo, hi] (hi may be a tensor), as a boolean tensor. */
export function integerIn(x: tf.Tensor, lo: number, hi?: tf.Tensor | number): tf.Tensor {
  let ok = tf.logicalAnd(tf.equal(tf.floor(x), x), tf.greaterEqual(x, lo));
  if (hi !== undefined) ok = tf.logicalAnd(ok, tf.lessEqual(x, hi));
  return ok;
}

/**
 * Categorical draws by inversion: `probs` [...batch, K] (rows need not be normalised), output
 * shape `[...shape, ...batch]` of 0-based indices as float32.
 */
export function categoricalDraws(probs: tf.Tensor, shape: readonly number[], rng: Rng): tf.Tensor {
  const k = probs.shape[probs.rank - 1]!;
  const batch = probs.shape.slice(0, -1);
  const p = probs.dataSync();
  const rows = p.length / k;
  const cum = new Float64Array(p.length);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      s += p[r * k + j]!;
      cum[r * k + j] = s;
    }
  }
  const n = shape.reduce((a, b) => a * b, 1) * rows;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i % rows;
    const u = rng.nextUniform() * cum[r * k + k - 1]!;
    let j = 0;
    // Skip zero-probability categories at the end too: stop at the last positive one.
    while (j < k - 1 && !(u < cum[r * k + j]!)) j++;
    while (j > 0 && p[r * k + j]! === 0) j--;
    out[i] = j;
  }
  return tf.tensor(out, [...shape, ...batch], "float32");
}

/** One-hot float32 encoding of indices x (any float tensor of valid indices) over K classes. */
export function oneHot(x: tf.Tensor, k: number): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(x, "int32"), k), "float32");
}
