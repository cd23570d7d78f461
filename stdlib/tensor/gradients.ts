/**
 * Gradient fixes for TensorFlow.js 4.22, registered once by `initBackend`.
 *
 * - BatchMatMul: the stock gradient multiplies with transpose flags, which drops wasm off its
 *   fast matmul path (151 ms vs 39.5 ms for a VAE step), and throws for `[B,M,K] @ [K,N]`
 *   (it never sums the broadcast batch axis). Ours transposes explicitly, multiplies without
 *   flags, folds rank-3 by rank-2 products to 2-D and sums broadcast batch axes.
 * - Comparisons and logical ops (and the All/Any reductions) have no gradient, so
 *   `where(x > 0, a, b)` under `tf.grad` throws; they get zero gradients (piecewise constant).
 * - GatherV2's gradient needs UnsortedSegmentSum, missing on wasm; ours scatters with ScatterNd
 *   (which sums duplicate indices on every backend). GatherNd gets the same treatment.
 * - StridedSlice has no gradient; ours pads (unit strides) or contracts with a 0/1 selection
 *   matrix (other strides).
 * - Unpack's gradient breaks when unstacking a single slice (it then receives one tensor, not an
 *   array: tf.linalg.bandPart of one matrix fails under a gradient) or when a slice is unused.
 */
import * as tf from "@tensorflow/tfjs";
import { matmulNoFlags, transposeLast2 } from "./matmul.js";

type Named = Record<string, () => tf.Tensor>;

/** Sum `x` down to `shape` (undoing broadcasting): leading axes, then axes where `shape` is 1. */
export function sumToShape(x: tf.Tensor, shape: readonly number[]): tf.Tensor {
  let y = x;
  const extra = y.rank - shape.length;
  if (extra > 0) y = tf.sum(y, [...Array(extra).keys()]);
  const axes: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] === 1 && y.shape[i] !== 1) axes.push(i);
  if (axes.length > 0) y = tf.sum(y, axes, true);
  return tf.reshape(y, [...shape]);
}

const zerosFor = (x: tf.Tensor) => () => tf.zeros(x.shape, "float32");

/** d(A@B)/dA for effective (already transposed) operands: dy @ Bᵀ, summed to A's shape. */
function gradLeft(dy: tf.Tensor, A: tf.Tensor, B: tf.Tensor): tf.Tensor {
  if (A.rank === 2 && dy.rank > 2) {
    // sum_p dy_p @ B_pᵀ = [M, P*N] @ [P*N, K]
    const r = dy.rank;
    const m = dy.shape[r - 2]!;
    const k = A.shape[1]!;
    const perm = [r - 2, ...[...Array(r - 2).keys()], r - 1];
    const dyM = tf.reshape(tf.transpose(dy, perm), [m, -1]) as tf.Tensor2D;
    const bt = tf.reshape(tf.broadcastTo(transposeLast2(B), [...dy.shape.slice(0, -2), B.shape[B.rank - 1]!, k]), [-1, k]) as tf.Tensor2D;
    return tf.matMul(dyM, bt);
  }
  if (A.rank === 2 && B.rank === 2 && dy.rank === 2 && foldTranspose(dy.size, A.size, B.size)) {
    // (B @ dyᵀ)ᵀ: the kernel packs its right operand (~5 ns per element on wasm, more than a
    // transpose), so pack the small dyᵀ rather than a large Bᵀ (a VAE decoder's 400x784 weight).
    return tf.transpose(tf.matMul(B as tf.Tensor2D, tf.transpose(dy) as tf.Tensor2D));
  }
  return sumToShape(matmulNoFlags(dy, transposeLast2(B)), A.shape);
}

/**
 * Whether dy @ Bᵀ is cheaper as (B @ dyᵀ)ᵀ. Measured on wasm: packing the right operand costs
 * ~5 ns per element, a transpose ~1.8 ns, so the direct form costs ~6.8 |B| and the folded one
 * ~6.8 |dy| + 1.8 |dA|.
 */
function foldTranspose(dySize: number, aSize: number, bSize: number): boolean {
  return dySize + 0.27 * aSize < bSize;
}

/** d(A@B)/dB for effective operands: Aᵀ @ dy, summed to B's shape. */
function gradRight(dy: tf.Tensor, A: tf.Tensor, B: tf.Tensor): tf.Tensor {
  if (B.rank === 2 && dy.rank > 2) {
    // sum_p A_pᵀ @ dy_p = [K, P*M] @ [P*M, N]
    const k = B.shape[0]!;
    const n = B.shape[1]!;
    const a2 = tf.reshape(tf.broadcastTo(A, [...dy.shape.slice(0, -2), A.shape[A.rank - 2]!, k]), [-1, k]);
    return tf.matMul(tf.transpose(a2) as tf.Tensor2D, tf.reshape(dy, [-1, n]) as tf.Tensor2D);
  }
  return sumToShape(matmulNoFlags(transposeLast2(A), dy), B.shape);
}

const batchMatMulGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const g = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const A = () => (transposeA ? transposeLast2(a) : a);
    const B = () => (transposeB ? transposeLast2(b) : b);
    return {
      a: () => {
        const d = gradLeft(g, A(), B());
        return transposeA ? transposeLast2(d) : d;
      },
      b: () => {
        const d = gradRight(g, A(), B());
        return transposeB ? transposeLast2(d) : d;
      },
    };
  },
};

const BINARY_PIECEWISE_CONSTANT = ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr", "LogicalXor"];
// All/Any (reductions of booleans: Dirichlet's and Multinomial's support checks) likewise.
const UNARY_PIECEWISE_CONSTANT = ["LogicalNot", "IsNan", "IsInf", "IsFinite", "All", "Any"];

const zeroGrads: tf.GradConfig[] = [
  ...BINARY_PIECEWISE_CONSTANT.map(
    (kernelName): tf.GradConfig => ({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: zerosFor(a), b: zerosFor(b) };
      },
    }),
  ),
  ...UNARY_PIECEWISE_CONSTANT.map(
    (kernelName): tf.GradConfig => ({
      kernelName,
      inputsToSave: ["x"],
      gradFunc: (_dy, saved) => ({ x: zerosFor(saved[0]!) }),
    }),
  ),
];

/** Scatter-add `updates` [n, ...rest] into rows `indices` [n] of a [size, ...rest] zero tensor. */
function scatterRows(indices: tf.Tensor, updates: tf.Tensor, size: number): tf.Tensor {
  const n = indices.size;
  const idx = tf.reshape(tf.cast(indices, "int32"), [n, 1]);
  return tf.scatterND(idx, updates, [size, ...updates.shape.slice(1)]);
}

const gatherV2Grad: tf.GradConfig = {
  kernelName: "GatherV2",
  inputsToSave: ["x", "indices"],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved as [tf.Tensor, tf.Tensor];
    const g = dy as tf.Tensor;
    const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
    const ax = axis < 0 ? axis + x.rank : axis;
    const dx = (xs: tf.Tensor, ind: tf.Tensor, d: tf.Tensor, a: number): tf.Tensor => {
      const pre = xs.shape.slice(0, a);
      const post = xs.shape.slice(a + 1);
      const p = pre.reduce((s, v) => s * v, 1);
      const q = post.reduce((s, v) => s * v, 1);
      const n = ind.size;
      const v = tf.transpose(tf.reshape(d, [p, n, q]), [1, 0, 2]);
      const scattered = scatterRows(ind, v, xs.shape[a]!); // [A, p, q]
      return tf.reshape(tf.transpose(scattered, [1, 0, 2]), xs.shape);
    };
    return {
      x: () => {
        if (!batchDims) return dx(x, indices, g, ax);
        // batchDims = k: one gather per batch element (rare; kept simple).
        const bsz = x.shape.slice(0, batchDims).reduce((s, v) => s * v, 1);
        const xs = tf.reshape(x, [bsz, ...x.shape.slice(batchDims)]);
        const is = tf.reshape(indices, [bsz, ...indices.shape.slice(batchDims)]);
        const ds = tf.reshape(g, [bsz, ...g.shape.slice(batchDims)]);
        const parts: tf.Tensor[] = [];
        for (let i = 0; i < bsz; i++) {
          const xi = tf.squeeze(tf.slice(xs, i, 1), [0]);
          const ii = tf.squeeze(tf.slice(is, i, 1), [0]);
          const di = tf.squeeze(tf.slice(ds, i, 1), [0]);
          parts.push(dx(xi, ii, di, ax - batchDims));
        }
        return tf.reshape(tf.stack(parts), x.shape);
      },
      indices: zerosFor(indices),
    };
  },
};

const gatherNdGrad: tf.GradConfig = {
  kernelName: "GatherNd",
  inputsToSave: ["params", "indices"],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(tf.cast(indices, "int32"), dy as tf.Tensor, params.shape),
      indices: zerosFor(indices),
    };
  },
};

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

const stridedSliceGrad: tf.GradConfig = {
  kernelName: "StridedSlice",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const at = attrs as unknown as StridedSliceAttrs;
    return {
      x: () => {
        const info = tf.slice_util.sliceInfo(x.shape, at.begin, at.end, at.strides, at.beginMask, at.endMask, at.ellipsisMask, at.newAxisMask, at.shrinkAxisMask);
        const counts = x.shape.map((_, i) => {
          const b = info.begin[i]!;
          const e = info.end[i]!;
          const s = info.strides[i]!;
          return Math.max(0, s > 0 ? Math.ceil((e - b) / s) : Math.ceil((b - e) / -s));
        });
        let g = tf.reshape(dy as tf.Tensor, counts);
        for (let i = 0; i < x.rank; i++) {
          const dim = x.shape[i]!;
          const b = info.begin[i]!;
          const s = info.strides[i]!;
          const c = counts[i]!;
          if (c === dim && s === 1) continue;
          if (s === 1) {
            const pads = x.shape.map((): [number, number] => [0, 0]);
            pads[i] = [b, dim - b - c];
            g = tf.pad(g, pads);
          } else {
            // Selection matrix S [c, dim] with S[j, b + j*s] = 1; contract over the sliced axis.
            const sel = new Float32Array(c * dim);
            for (let j = 0; j < c; j++) sel[j * dim + b + j * s] = 1;
            const perm = [...Array(x.rank).keys()].filter((k) => k !== i);
            perm.push(i);
            const moved = tf.transpose(g, perm);
            const shapeMoved = moved.shape;
            const prod = tf.matMul(tf.reshape(moved, [-1, c]) as tf.Tensor2D, tf.tensor2d(sel, [c, dim]));
            const back = tf.reshape(prod, [...shapeMoved.slice(0, -1), dim]);
            const inv = new Array<number>(x.rank);
            perm.forEach((p, k) => (inv[p] = k));
            g = tf.transpose(back, inv);
          }
        }
        return g;
      },
    };
  },
};

const unpackGrad: tf.GradConfig = {
  kernelName: "Unpack",
  inputsToSave: ["value"],
  gradFunc: (dy, saved, attrs) => {
    const [value] = saved as [tf.Tensor];
    const { axis } = attrs as unknown as { axis: number };
    const ax = axis < 0 ? axis + value.rank : axis;
    const parts = Array.isArray(dy) ? dy : [dy];
    const sliceShape = value.shape.filter((_, i) => i !== ax);
    return { value: () => tf.stack(parts.map((p) => p ?? tf.zeros(sliceShape, "float32")), ax) };
  },
};

let registered = false;

/** Register the gradient fixes (idempotent; `initBackend` calls it). */
export function registerGradientFixes(): void {
  if (registered) return;
  registered = true;
  for (const config of [batchMatMulGrad, ...zeroGrads, gatherV2Grad, gatherNdGrad, stridedSliceGrad, unpackGrad]) tf.registerGradient(config);
}
