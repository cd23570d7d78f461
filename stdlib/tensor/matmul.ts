/**
 * Matrix products on the fast path of every backend.
 *
 * wasm's fast matmul covers only non-transposed, non-batched inputs; a transpose flag or a batch
 * axis drops it to ~2 GFLOP/s (against 26-30 on the fast path). So `matmul` transposes
 * explicitly, never passes transpose flags to the kernel, and folds a batched left operand times
 * a plain matrix into one 2-D product. Its gradient is the re-registered BatchMatMul gradient of
 * gradients.ts, which follows the same rules.
 */
import * as tf from "@tensorflow/tfjs";

export interface MatmulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/** Swap the last two axes (an explicit, materialised transpose). */
export function transposeLast2(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  if (r < 2) throw new Error(`transposeLast2: argument 'x' must have rank >= 2, got shape [${x.shape.join(", ")}]`);
  if (r === 2) return tf.transpose(x);
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/**
 * The product of two operands of rank >= 2 with no transpose flags, folding what can be folded
 * to a single 2-D product.
 */
export function matmulNoFlags(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
  if (a.rank > 2 && b.rank === 2) {
    // [..., M, K] @ [K, N] = reshape([... * M, K] @ [K, N]).
    const k = a.shape[a.rank - 1]!;
    const n = b.shape[1]!;
    const flat = tf.reshape(a, [-1, k]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(flat, b as tf.Tensor2D), [...a.shape.slice(0, -1), n]);
  }
  if (a.rank === 2 && b.rank > 2) {
    // [M, K] @ [..., K, N]: put K first, fold the batch into the columns, multiply, unfold.
    const r = b.rank;
    const batch = b.shape.slice(0, -2);
    const k = b.shape[r - 2]!;
    const n = b.shape[r - 1]!;
    const m = a.shape[0]!;
    const perm = [r - 2, ...batch.map((_, i) => i), r - 1];
    const bk = tf.reshape(tf.transpose(b, perm), [k, -1]) as tf.Tensor2D;
    const out = tf.reshape(tf.matMul(a as tf.Tensor2D, bk), [m, ...batch, n]);
    const back = [...batch.map((_, i) => i + 1), 0, r - 1];
    return tf.transpose(out, back);
  }
  // Both batched. tfjs 4.22's broadcasting of unequal batch shapes is wrong (a [2,1,M,K] by
  // [3,K,N] product returns half its elements), so broadcast explicitly and multiply rank-3.
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const m = a.shape[a.rank - 2]!;
  const k = a.shape[a.rank - 1]!;
  const n = b.shape[b.rank - 1]!;
  const count = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);
  if (count(bBatch) === 1) return tf.reshape(matmulNoFlags(a, tf.reshape(b, [k, n])), [...outBatch, m, n]);
  if (count(aBatch) === 1) return tf.reshape(matmulNoFlags(tf.reshape(a, [m, k]), b), [...outBatch, m, n]);
  const a3 = tf.reshape(sameShape(aBatch, outBatch) ? a : tf.broadcastTo(a, [...outBatch, m, k]), [-1, m, k]);
  const b3 = tf.reshape(sameShape(bBatch, outBatch) ? b : tf.broadcastTo(b, [...outBatch, k, n]), [-1, k, n]);
  return tf.reshape(tf.matMul(a3, b3), [...outBatch, m, n]);
}

const sameShape = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * `a @ b` with NumPy's rules: rank-1 operands are promoted (a vector on the left is a row, on the
 * right a column) and the promoted axis is dropped from the result; batch axes broadcast.
 */
export function matmul(a: tf.Tensor, b: tf.Tensor, options: MatmulOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    if (a.rank === 0 || b.rank === 0) throw new Error("matmul: arguments 'a' and 'b' must have rank >= 1 (use mul for scalars)");
    const aVec = a.rank === 1;
    const bVec = b.rank === 1;
    let x = aVec ? tf.reshape(a, [1, -1]) : a;
    let y = bVec ? tf.reshape(b, [-1, 1]) : b;
    if (options.transposeA && !aVec) x = transposeLast2(x);
    if (options.transposeB && !bVec) y = transposeLast2(y);
    const kx = x.shape[x.rank - 1];
    const ky = y.shape[y.rank - 2];
    if (kx !== ky) {
      throw new Error(`matmul: inner dimensions differ: a is [${a.shape.join(", ")}]${options.transposeA ? "ᵀ" : ""}, b is [${b.shape.join(", ")}]${options.transposeB ? "ᵀ" : ""}`);
    }
    let out = matmulNoFlags(x, y);
    if (aVec) out = tf.squeeze(out, [out.rank - 2]);
    if (bVec) out = tf.squeeze(out, [out.rank - 1]);
    return out;
  });
}
