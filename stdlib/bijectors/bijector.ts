/**
 * A bijector maps unconstrained real tensors onto a constrained set (a constraint's values) and
 * back, with the exact log |det J| of the forward map. Guides sample in unconstrained space and
 * push draws through `bijectTo(constraint).forward`, adding `logDetJacobian` to the density.
 *
 * Shapes. An element-wise bijector (positive, bounds, intervals) has event rank 0 on both sides
 * and its log |det J| has the input's shape. A structured one maps the trailing axis of `u`
 * (size `unconstrainedSize(n)`) to a vector or matrix event: simplex K-1 -> K, ordered K -> K,
 * Cholesky factors n(n+1)/2 -> [n, n]. Leading (batch) axes are kept everywhere; log |det J| is
 * summed over the event and has the batch shape.
 *
 * Memory: every method runs in `tf.tidy`, returns a new tensor owned by the caller and never
 * disposes its input. Differentiable paths avoid `gather` (its gradient fails on wasm): they use
 * slices, concat, cumsum and products with constant 0/1 matrices.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConstraintSpec } from "../constraints.js";

export interface Bijector {
  /** For messages and debugging: "exp", "stick_breaking", "interval(0, 1)". */
  readonly name: string;
  /** The set the forward map lands in. */
  readonly constraint: ConstraintSpec;
  /** Trailing axes of one unconstrained event: 0 (element-wise) or 1. */
  readonly unconstrainedEventRank: number;
  /** Trailing axes of one constrained event: 0, 1 (simplex, ordered) or 2 (matrices). */
  readonly eventRank: number;
  /** Unconstrained -> constrained. */
  forward(u: tf.Tensor): tf.Tensor;
  /** Constrained -> unconstrained. */
  inverse(x: tf.Tensor): tf.Tensor;
  /** log |det d forward(u) / du|, summed over the event axes (the batch shape is kept). */
  logDetJacobian(u: tf.Tensor): tf.Tensor;
  /** Both at once (shares the work where it can). */
  forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor };
  /** log |det d inverse(x) / dx| = -logDetJacobian(inverse(x)). */
  inverseLogDetJacobian(x: tf.Tensor): tf.Tensor;
  /** Event shape of a constrained value given the unconstrained event shape ([K-1] -> [K]). */
  forwardEventShape(unconstrained: readonly number[]): number[];
  /** Event shape of the unconstrained value given the constrained event shape ([K] -> [K-1]). */
  inverseEventShape(constrained: readonly number[]): number[];
}

/** What a bijector file supplies; `makeBijector` fills in the rest. */
export interface BijectorParts {
  readonly name: string;
  readonly constraint: ConstraintSpec;
  readonly unconstrainedEventRank: number;
  readonly eventRank: number;
  /** Forward value and log |det J| (untidied; `makeBijector` wraps it in `tf.tidy`). */
  forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor };
  forward?(u: tf.Tensor): tf.Tensor;
  logDetJacobian?(u: tf.Tensor): tf.Tensor;
  inverse(x: tf.Tensor): tf.Tensor;
  forwardEventShape?(unconstrained: readonly number[]): number[];
  inverseEventShape?(constrained: readonly number[]): number[];
}

/** Float32 view (int tensors are cast; float32 tensors are returned as they are). */
export function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}

function checkRank(b: { name: string }, x: tf.Tensor, rank: number, what: string): void {
  if (x.rank < rank) {
    throw new Error(`bijector ${b.name}: argument '${what}' must have at least ${rank} axes, got shape [${x.shape.join(", ")}]`);
  }
}

/** Builds a full bijector from its parts: tidies every method and checks ranks. */
export function makeBijector(p: BijectorParts): Bijector {
  const fwdShape = p.forwardEventShape ?? ((s: readonly number[]) => [...s]);
  const invShape = p.inverseEventShape ?? ((s: readonly number[]) => [...s]);
  const bij: Bijector = {
    name: p.name,
    constraint: p.constraint,
    unconstrainedEventRank: p.unconstrainedEventRank,
    eventRank: p.eventRank,
    forward(u) {
      checkRank(p, u, p.unconstrainedEventRank, "u");
      return tf.tidy(() => (p.forward ? p.forward(asFloat(u)) : p.forwardWithLogDet(asFloat(u)).value));
    },
    inverse(x) {
      checkRank(p, x, p.eventRank, "x");
      return tf.tidy(() => p.inverse(asFloat(x)));
    },
    logDetJacobian(u) {
      checkRank(p, u, p.unconstrainedEventRank, "u");
      return tf.tidy(() => (p.logDetJacobian ? p.logDetJacobian(asFloat(u)) : p.forwardWithLogDet(asFloat(u)).logDet));
    },
    forwardWithLogDet(u) {
      checkRank(p, u, p.unconstrainedEventRank, "u");
      // tidy keeps only a single tensor or a container of tensors; an object of two is fine.
      return tf.tidy(() => p.forwardWithLogDet(asFloat(u)));
    },
    inverseLogDetJacobian(x) {
      checkRank(p, x, p.eventRank, "x");
      return tf.tidy(() => {
        const u = p.inverse(asFloat(x));
        const ld = p.logDetJacobian ? p.logDetJacobian(u) : p.forwardWithLogDet(u).logDet;
        return tf.neg(ld);
      });
    },
    forwardEventShape: (s) => fwdShape(s),
    inverseEventShape: (s) => invShape(s),
  };
  return Object.freeze(bij);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the structured bijectors

/** `x[..., start:start+size]` along the last axis (size -1 = to the end). */
export function sliceLast(x: tf.Tensor, start: number, size = -1): tf.Tensor {
  const begin = x.shape.map(() => 0);
  begin[x.rank - 1] = start;
  const sizes = x.shape.map(() => -1);
  sizes[x.rank - 1] = size;
  return tf.slice(x, begin, sizes);
}

/**
 * `x @ M` over the last axis of `x` for a constant matrix given as plain numbers (row-major
 * [rows, cols]); batch axes are folded into one 2-D product (the fast path on wasm).
 */
export function applyConstant(x: tf.Tensor, m: Float32Array, rows: number, cols: number): tf.Tensor {
  const last = x.shape[x.rank - 1];
  if (last !== rows) throw new Error(`internal: constant map expects ${rows} inputs on the last axis, got ${last}`);
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, rows]) as tf.Tensor2D;
  const out = tf.matMul(flat, tf.tensor2d(m, [rows, cols]));
  return tf.reshape(out, [...lead, cols]);
}

/** The n with n(n+1)/2 = m, or an error naming the owner. */
export function triangularSide(m: number, owner: string, strict: boolean): number {
  // strict: m = n(n-1)/2; otherwise m = n(n+1)/2.
  const n = strict ? (1 + Math.sqrt(1 + 8 * m)) / 2 : (-1 + Math.sqrt(1 + 8 * m)) / 2;
  const r = Math.round(n);
  if (Math.abs(n - r) > 1e-9 || r < (strict ? 1 : 0)) {
    throw new Error(
      `bijector ${owner}: the last axis of 'u' has ${m} entries, which is not ${strict ? "n(n-1)/2" : "n(n+1)/2"} for any whole n`,
    );
  }
  return r;
}

/**
 * Positions (row-major in an n x n matrix) of the lower triangle, row by row:
 * (0,0), (1,0), (1,1), (2,0), … — or, when `strict`, of the entries below the diagonal.
 */
export function lowerPositions(n: number, strict: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j <= (strict ? i - 1 : i); j++) out.push(i * n + j);
  return out;
}

/** 0/1 matrix [m, n*n] placing entry k of a vector at position `positions[k]` of a flat matrix. */
export function placementMatrix(positions: readonly number[], n: number): Float32Array {
  const m = positions.length;
  const s = new Float32Array(m * n * n);
  positions.forEach((pos, k) => (s[k * n * n + pos] = 1));
  return s;
}

/** Transpose of a row-major [rows, cols] matrix. */
export function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j]!;
  return t;
}

/** Fold a trailing [n, n] into n*n. */
export function flattenMatrix(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  return tf.reshape(x, [...x.shape.slice(0, -2), n * n]);
}

/** Unfold a trailing n*n into [n, n]. */
export function unflattenMatrix(x: tf.Tensor, n: number): tf.Tensor {
  return tf.reshape(x, [...x.shape.slice(0, -1), n, n]);
}

/** Checks a matrix event is square and returns its side. */
export function squareSide(x: tf.Tensor, owner: string): number {
  const n = x.shape[x.rank - 1]!;
  const m = x.shape[x.rank - 2]!;
  if (n !== m) throw new Error(`bijector ${owner}: argument 'x' must end in a square matrix, got shape [${x.shape.join(", ")}]`);
  return n;
}
