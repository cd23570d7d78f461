/**
 * Cholesky factorisation, triangular solves and log-determinants as tensor ops with gradients.
 *
 * tfjs has no such kernels. These run the float64 loops of linalg-js.ts on the tensors' data
 * (a synchronous read) and give their gradients in closed form through `tf.customGrad`, so
 * they work the same on wasm, cpu and tfjs-node, need no missing kernel under a gradient (no
 * gather / UnsortedSegmentSum), and cost O(n^3) flops in JS: right for the small matrices of
 * full-rank guides and multivariate normals (n up to a few hundred). Leading axes are batch
 * axes; they broadcast between the operands of a solve. Second derivatives are not supported.
 */
import * as tf from "@tensorflow/tfjs";
import { choleskyBackwardInto, choleskyInto, solveTriangularInto } from "./linalg-js.js";

type T = tf.Tensor;

const prod = (xs: readonly number[]): number => xs.reduce((s, v) => s * v, 1);

function squareSize(x: T, what: string): number {
  const n = x.shape[x.rank - 1]!;
  if (x.rank < 2 || x.shape[x.rank - 2] !== n) throw new Error(`${what} must be a square matrix (or a batch of them), got shape [${x.shape.join(", ")}]`);
  return n;
}

/** For each flat index of the broadcast batch `out`, the flat index into batch shape `inp`. */
function batchIndex(out: readonly number[], inp: readonly number[]): Int32Array {
  const total = prod(out);
  const idx = new Int32Array(total);
  const r = out.length;
  const pad = r - inp.length;
  for (let o = 0; o < total; o++) {
    let rem = o;
    let flat = 0;
    let stride = 1;
    for (let d = r - 1; d >= 0; d--) {
      const size = out[d]!;
      const coord = rem % size;
      rem = Math.floor(rem / size);
      const id = d - pad;
      if (id >= 0) {
        const isz = inp[id]!;
        flat += (isz === 1 ? 0 : coord) * stride;
        stride *= isz;
      }
    }
    idx[o] = flat;
  }
  return idx;
}

const choleskyCG = tf.customGrad((a, save) => {
  const at = a as T;
  const n = squareSize(at, "argument 'a' of cholesky");
  const batch = prod(at.shape.slice(0, -2));
  const data = at.dataSync();
  const out = new Float32Array(batch * n * n);
  for (let i = 0; i < batch; i++) choleskyInto(data, n, i * n * n, out, i * n * n);
  const value = tf.tensor(out, at.shape, "float32");
  (save as tf.GradSaveFunc)([value]);
  return {
    value,
    gradFunc: (dy: T, saved: T[]) => {
      const l = saved[0]!.dataSync();
      const g = dy.dataSync();
      const grad = new Float32Array(batch * n * n);
      for (let i = 0; i < batch; i++) choleskyBackwardInto(l, g, n, i * n * n, grad, i * n * n);
      return tf.tensor(grad, at.shape, "float32");
    },
  };
});

/**
 * The lower Cholesky factor L of a symmetric positive-definite matrix A = L Lᵀ ([..., n, n];
 * only A's lower triangle is read). A batch element that is not positive definite gives NaNs.
 * The gradient is TensorFlow's: symmetric in A.
 */
export function cholesky(a: T): T {
  return tf.tidy(() => choleskyCG(a.dtype === "float32" ? a : tf.cast(a, "float32")) as T);
}

export interface TriangularSolveOptions {
  /** Whether `a` is lower triangular (default) or upper; only that triangle is read. */
  readonly lower?: boolean;
  /** Solve aᵀ x = b instead of a x = b. */
  readonly adjoint?: boolean;
}

function solveCG(lower: boolean, adjoint: boolean) {
  return tf.customGrad((a, b, save) => {
    const at = a as T;
    const bt = b as T;
    const n = squareSize(at, "argument 'a' of triangularSolve");
    if (bt.rank < 2 || bt.shape[bt.rank - 2] !== n) {
      throw new Error(`triangularSolve: argument 'b' must have shape [..., ${n}, k] to match 'a' [${at.shape.join(", ")}], got [${bt.shape.join(", ")}]`);
    }
    const k = bt.shape[bt.rank - 1]!;
    const aBatch = at.shape.slice(0, -2);
    const bBatch = bt.shape.slice(0, -2);
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
    const ai = batchIndex(outBatch, aBatch);
    const bi = batchIndex(outBatch, bBatch);
    const total = ai.length;
    const ad = at.dataSync();
    const bd = bt.dataSync();
    const out = new Float32Array(total * n * k);
    for (let o = 0; o < total; o++) solveTriangularInto(ad, n, ai[o]! * n * n, bd, k, bi[o]! * n * k, out, o * n * k, lower, adjoint);
    const value = tf.tensor(out, [...outBatch, n, k], "float32");
    (save as tf.GradSaveFunc)([at, value]);
    return {
      value,
      gradFunc: (dy: T, saved: T[]) => {
        const a2 = saved[0]!.dataSync();
        const x = saved[1]!.dataSync();
        const g = dy.dataSync();
        const ga = new Float64Array(prod(aBatch) * n * n);
        const gb = new Float64Array(prod(bBatch) * n * k);
        const gbo = new Float64Array(n * k);
        for (let o = 0; o < total; o++) {
          // gb = op(A)⁻ᵀ X̄ ; gA = -gb Xᵀ (or -X gbᵀ when adjoint), on A's triangle.
          solveTriangularInto(a2, n, ai[o]! * n * n, g, k, o * n * k, gbo, 0, lower, !adjoint);
          const bOff = bi[o]! * n * k;
          for (let t = 0; t < n * k; t++) gb[bOff + t]! += gbo[t]!;
          const aOff = ai[o]! * n * n;
          const xOff = o * n * k;
          for (let i = 0; i < n; i++) {
            const j0 = lower ? 0 : i;
            const j1 = lower ? i : n - 1;
            for (let j = j0; j <= j1; j++) {
              let s = 0;
              if (adjoint) for (let m = 0; m < k; m++) s += x[xOff + i * k + m]! * gbo[j * k + m]!;
              else for (let m = 0; m < k; m++) s += gbo[i * k + m]! * x[xOff + j * k + m]!;
              ga[aOff + i * n + j]! -= s;
            }
          }
        }
        return [tf.tensor(Float32Array.from(ga), at.shape, "float32"), tf.tensor(Float32Array.from(gb), bt.shape, "float32")];
      },
    };
  });
}

/**
 * Solve a x = b (or aᵀ x = b with `adjoint`) for x, a triangular ([..., n, n]), b [..., n, k]
 * or a vector [n] (then x is a vector). Batch axes broadcast.
 */
export function triangularSolve(a: T, b: T, options: TriangularSolveOptions = {}): T {
  const lower = options.lower ?? true;
  const adjoint = options.adjoint ?? false;
  return tf.tidy(() => {
    const af = a.dtype === "float32" ? a : tf.cast(a, "float32");
    const bf = b.dtype === "float32" ? b : tf.cast(b, "float32");
    if (bf.rank === 1) return tf.reshape(solveCG(lower, adjoint)(af, tf.reshape(bf, [-1, 1])) as T, [-1]);
    return solveCG(lower, adjoint)(af, bf) as T;
  });
}

/** The diagonal of a (batch of) square matrices: [..., n, n] -> [..., n]. Differentiable. */
export function diagPart(a: T): T {
  const n = squareSize(a, "argument 'a' of diagPart");
  return tf.tidy(() => tf.sum(tf.mul(a, tf.eye(n)), -1));
}

/** log det A from its Cholesky factor L: 2 sum log diag(L); [..., n, n] -> [...]. */
export function logDetFromCholesky(l: T): T {
  return tf.tidy(() => tf.mul(tf.sum(tf.log(diagPart(l)), -1), 2));
}

/** log det of a symmetric positive-definite matrix (through its Cholesky factor). */
export function logDetSpd(a: T): T {
  return tf.tidy(() => logDetFromCholesky(cholesky(a)));
}

/** Solve A x = b with A = L Lᵀ given L: two triangular solves. */
export function choleskySolve(l: T, b: T): T {
  return tf.tidy(() => triangularSolve(l, triangularSolve(l, b, { lower: true }), { lower: true, adjoint: true }));
}
