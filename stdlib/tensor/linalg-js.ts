/**
 * Dense linear algebra in plain JavaScript (float64), on row-major matrices stored in flat
 * arrays with an offset so that batches of matrices can live in one buffer. These are the
 * kernels behind the tensor ops of linalg.ts (tfjs has no Cholesky or triangular solve) and can
 * serve a plain-JS evaluator directly. Small-matrix focus: O(n^3) loops, no blocking.
 */

type Num = ArrayLike<number> & { [i: number]: number };

/**
 * Cholesky factor L (lower, A = L Lᵀ) of the n x n matrix at a[aOff..], reading A's lower
 * triangle only. Writes L (upper part zero) to out[outOff..]. Returns false, and fills the
 * factor with NaN, when A is not (numerically) positive definite.
 */
export function choleskyInto(a: ArrayLike<number>, n: number, aOff: number, out: Num, outOff: number): boolean {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[aOff + i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) {
          for (let t = 0; t < n * n; t++) out[outOff + t] = NaN;
          return false;
        }
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  for (let t = 0; t < n * n; t++) out[outOff + t] = l[t]!;
  return true;
}

/** The Cholesky factor of one n x n matrix, or undefined when it is not positive definite. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array | undefined {
  const out = new Float64Array(n * n);
  return choleskyInto(a, n, 0, out, 0) ? out : undefined;
}

/**
 * Solve op(T) X = B for X, T n x n triangular at t[tOff..] (`lower` says which triangle is
 * read), op(T) = Tᵀ when `transpose`; B is n x k at b[bOff..]; X goes to out[outOff..]
 * (out may alias b).
 */
export function solveTriangularInto(
  t: ArrayLike<number>,
  n: number,
  tOff: number,
  b: ArrayLike<number>,
  k: number,
  bOff: number,
  out: Num,
  outOff: number,
  lower: boolean,
  transpose: boolean,
): void {
  const x = new Float64Array(n * k);
  for (let i = 0; i < n * k; i++) x[i] = b[bOff + i]!;
  const at = (i: number, j: number): number => (transpose ? t[tOff + j * n + i]! : t[tOff + i * n + j]!);
  const forward = lower !== transpose; // op(T) is lower triangular
  if (forward) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const c = at(i, j);
        if (c === 0) continue;
        for (let m = 0; m < k; m++) x[i * k + m]! -= c * x[j * k + m]!;
      }
      const d = at(i, i);
      for (let m = 0; m < k; m++) x[i * k + m]! /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) {
        const c = at(i, j);
        if (c === 0) continue;
        for (let m = 0; m < k; m++) x[i * k + m]! -= c * x[j * k + m]!;
      }
      const d = at(i, i);
      for (let m = 0; m < k; m++) x[i * k + m]! /= d;
    }
  }
  for (let i = 0; i < n * k; i++) out[outOff + i] = x[i]!;
}

/** op(T)⁻¹ B for one triangular T (n x n) and B (n x k). */
export function solveTriangular(t: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, lower = true, transpose = false): Float64Array {
  const out = new Float64Array(n * k);
  solveTriangularInto(t, n, 0, b, k, 0, out, 0, lower, transpose);
  return out;
}

/** log det A = 2 sum log diag(L) for A = L Lᵀ. */
export function logDetFromCholesky(l: ArrayLike<number>, n: number, off = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[off + i * n + i]!);
  return 2 * s;
}

/**
 * The gradient of a loss with respect to A (symmetrised, as TensorFlow defines it) given L =
 * chol(A) and the loss's gradient Lbar with respect to L (its upper triangle is ignored):
 * Abar = (S + Sᵀ)/2 with S = L⁻ᵀ Φ(Lᵀ Lbar) L⁻¹, Φ = lower triangle with the diagonal halved
 * (Murray 2016).
 */
export function choleskyBackwardInto(l: ArrayLike<number>, lbar: ArrayLike<number>, n: number, off: number, out: Num, outOff: number): void {
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += l[off + k * n + i]! * lbar[off + k * n + j]!;
      p[i * n + j] = i === j ? 0.5 * s : s;
    }
  }
  // Y = L⁻ᵀ P; S = Y L⁻¹, i.e. Sᵀ = L⁻ᵀ Yᵀ.
  const y = new Float64Array(n * n);
  solveTriangularInto(l, n, off, p, n, 0, y, 0, true, true);
  const yt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) yt[j * n + i] = y[i * n + j]!;
  const st = new Float64Array(n * n);
  solveTriangularInto(l, n, off, yt, n, 0, st, 0, true, true);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[outOff + i * n + j] = 0.5 * (st[j * n + i]! + st[i * n + j]!);
}
