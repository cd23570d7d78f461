/**
 * Initialisation at the Laplace approximation in unconstrained space: Newton's method on
 * f(u) = log p(data, T(u)) + log|det J_T(u)| from u = 0, with the Hessian by central differences
 * of gradients, all rows evaluated in one vectorised call (the log joint takes S draws at once).
 * The guide then starts at mean = mode, covariance = (-Hessian)^-1, close to the answer on most
 * models, so the stochastic phase only has to polish it. Falls back to the "zero" start when the
 * mode cannot be found (no mode, e.g. a funnel) or D is too large for a dense Hessian.
 */
import * as tf from "@tensorflow/tfjs";
import { linalgJs } from "../stdlib/index.js";
import type { GuideInit } from "./guide/index.js";
import type { LogJoint } from "./target.js";
import { disposeValues, type LatentTransform } from "./transform.js";

export const LAPLACE_MAX_DIM = 256;

export interface InitResult {
  readonly init: GuideInit;
  /** "laplace" when the mode was found, else why the zero start was used. */
  readonly how: string;
  readonly newtonSteps: number;
}

/** f(u) for each row of u [S, D], and its gradient unless `withGrad` is false (one evaluation either way). */
function valueAndGrad(lj: LogJoint, tr: LatentTransform, u: Float64Array, rows: number, dim: number, withGrad = true): { f: Float64Array; g: Float64Array } {
  const ut = tf.tensor2d(Float32Array.from(u), [rows, dim]);
  const fn = (x: tf.Tensor): tf.Tensor => {
    const { values, logDet } = tr.forward(x);
    const lp = lj.logJoint(values);
    disposeValues(values);
    return tf.add(lp, logDet);
  };
  const out = tf.tidy(() => {
    if (!withGrad) return [fn(ut)];
    // The per-row values leave the gradient's function as a stacked second output of one
    // evaluation (a clone off the path to the sum, so it adds nothing to the gradient).
    let rowsOut: tf.Tensor | undefined;
    const { grad } = tf.valueAndGrad((x: tf.Tensor) => {
      const r = fn(x);
      rowsOut = tf.keep(tf.clone(r));
      return tf.sum(r);
    })(ut);
    return [rowsOut!, grad];
  });
  ut.dispose();
  const f = Float64Array.from(out[0]!.dataSync());
  const g = withGrad ? Float64Array.from(out[1]!.dataSync()) : new Float64Array(0);
  out.forEach((t) => t.dispose());
  return { f, g };
}

export function zeroInit(dim: number, scale: number, how: string): InitResult {
  return { init: { mean: new Float64Array(dim), sd: new Float64Array(dim).fill(scale) }, how, newtonSteps: 0 };
}

interface NewtonResult {
  u: Float64Array;
  /** The negative Hessian at u (positive definite) when the mode was reached. */
  prec: Float64Array | undefined;
  converged: boolean;
  steps: number;
  /** Why Newton stopped without the mode. */
  why: string;
}

/**
 * Levenberg-Marquardt-damped Newton ascent from u0: the direction solves (A + lambda I) delta =
 * grad (A = -Hessian, lambda raised until that is positive definite and, after a failed line
 * search, tenfold), step sizes along it are tried at once and non-finite values rejected.
 */
function newton(lj: LogJoint, tr: LatentTransform, u0: Float64Array, maxIt: number): NewtonResult {
  const d = tr.dim;
  const u = Float64Array.from(u0);
  const h = new Float64Array(d).fill(1e-2);
  let lambda = 0;
  let prec: Float64Array | undefined;
  let it = 0;
  let fails = 0;
  for (; it < maxIt; it++) {
    // Rows: u, u + h_i e_i, u - h_i e_i.
    const rows = 2 * d + 1;
    const pts = new Float64Array(rows * d);
    for (let r = 0; r < rows; r++) pts.set(u, r * d);
    for (let i = 0; i < d; i++) {
      pts[(1 + i) * d + i] += h[i]!;
      pts[(1 + d + i) * d + i] -= h[i]!;
    }
    const { f, g } = valueAndGrad(lj, tr, pts, rows, d);
    const f0 = f[0]!;
    if (!Number.isFinite(f0)) return { u, prec: undefined, converged: false, steps: it, why: "the log density is not finite at the start" };
    const grad = g.subarray(0, d);
    // Negative Hessian, symmetrised.
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        a[i * d + j] = -(g[(1 + i) * d + j]! - g[(1 + d + i) * d + j]!) / (2 * h[i]!);
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i] = 0.5 * (a[i * d + j]! + a[j * d + i]!);
    if (!grad.every(Number.isFinite)) return { u, prec: undefined, converged: false, steps: it, why: "the gradient is not finite" };
    if (!a.every(Number.isFinite)) {
      // A finite-difference point left the finite region: shrink the differences and retry.
      for (let i = 0; i < d; i++) h[i] = h[i]! / 10;
      if (h[0]! < 1e-7) return { u, prec: undefined, converged: false, steps: it, why: "the Hessian is not finite" };
      continue;
    }
    const aChol = linalgJs.cholesky(a, d);
    prec = aChol ? a : undefined;
    let l = lambda === 0 ? aChol : undefined;
    let diagScale = 1e-8;
    for (let i = 0; i < d; i++) diagScale = Math.max(diagScale, Math.abs(a[i * d + i]!));
    let damp = (lambda > 0 ? lambda : 1e-3) * diagScale;
    for (let tries = 0; !l && tries < 40; tries++, damp *= 10) {
      const b = Float64Array.from(a);
      for (let i = 0; i < d; i++) b[i * d + i] += damp;
      l = linalgJs.cholesky(b, d);
    }
    if (!l) return { u, prec: undefined, converged: false, steps: it, why: "no damping made the Hessian positive definite" };
    const y = linalgJs.solveTriangular(l, grad, d, 1, true, false);
    const delta = linalgJs.solveTriangular(l, y, d, 1, true, true);
    // Newton decrement: how far the mode is, in units of posterior sds.
    let dec = 0;
    for (let i = 0; i < d; i++) dec += delta[i]! * grad[i]!;
    // Step sizes along delta, tried at once; non-finite values are rejected (backtracking).
    const alphas = [1, 0.5, 0.25, 0.1, 0.03, 0.01, 1e-3];
    const cand = new Float64Array(alphas.length * d);
    alphas.forEach((al, r) => {
      for (let i = 0; i < d; i++) cand[r * d + i] = u[i]! + al * delta[i]!;
    });
    const fc = valueAndGrad(lj, tr, cand, alphas.length, d, false).f;
    let best = -1;
    for (let r = 0; r < alphas.length; r++) if (Number.isFinite(fc[r]!) && fc[r]! > f0 - 1e-9 * Math.abs(f0) && (best < 0 || fc[r]! > fc[best]!)) best = r;
    // Finite-difference steps of a tenth of the current conditional sd estimate, for the next Hessian.
    if (prec) {
      for (let i = 0; i < d; i++) h[i] = Math.min(0.1, Math.max(1e-5, 0.1 / Math.sqrt(Math.max(a[i * d + i]!, 1e-12))));
    }
    if (best < 0) {
      if (prec && dec < 1e-6 * d) return { u, prec, converged: true, steps: it + 1, why: "" };
      // Levenberg-Marquardt: a failed step raises the damping tenfold.
      lambda = lambda === 0 ? 1e-2 : lambda * 10;
      if (++fails > 12) return { u, prec: undefined, converged: false, steps: it, why: "no step along the damped Newton direction increased the log density" };
      continue;
    }
    fails = 0;
    // Success: relax the damping (back to pure Newton after a full step).
    lambda = best === 0 ? (lambda > 1e-6 ? lambda / 10 : 0) : lambda;
    const step = alphas[best]!;
    for (let i = 0; i < d; i++) u[i] += step * delta[i]!;
    if (u.some((v) => !Number.isFinite(v) || Math.abs(v) > 1e8)) return { u, prec: undefined, converged: false, steps: it, why: "the iterates diverged" };
    if (step === 1 && dec < 1e-4 * Math.max(1, d) && prec) return { u, prec, converged: true, steps: it + 1, why: "" };
  }
  return { u, prec: undefined, converged: false, steps: it, why: `no convergence in ${maxIt} steps` };
}

/**
 * Fallback when Newton fails: diagonally preconditioned gradient ascent (Adam steps, halved and
 * retried when the log density goes non-finite or drops badly), to bring u near the mode.
 */
function gradientAscent(lj: LogJoint, tr: LatentTransform, u0: Float64Array, iters: number): { u: Float64Array; f: number } {
  const d = tr.dim;
  let u = Float64Array.from(u0);
  let { f: fv, g } = valueAndGrad(lj, tr, u, 1, d);
  let f = fv[0]!;
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) return { u, f };
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  let lr = 0.1;
  let t = 0;
  for (let k = 0; k < iters && lr > 1e-8; k++) {
    t += 1;
    const next = new Float64Array(d);
    const mm = new Float64Array(d);
    const vv = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      mm[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      vv[i] = 0.999 * v[i]! + 0.001 * g[i]! * g[i]!;
      const mh = mm[i]! / (1 - 0.9 ** t);
      const vh = vv[i]! / (1 - 0.999 ** t);
      next[i] = u[i]! + (lr * mh) / (Math.sqrt(vh) + 1e-12);
    }
    const r = valueAndGrad(lj, tr, next, 1, d);
    const fn = r.f[0]!;
    if (!Number.isFinite(fn) || !r.g.every(Number.isFinite) || fn < f - 10 * (1 + Math.abs(f)) * 1e-3) {
      lr /= 2;
      t -= 1;
      continue;
    }
    m.set(mm);
    v.set(vv);
    u = next;
    f = fn;
    g = r.g;
  }
  return { u, f };
}

export function laplaceInit(lj: LogJoint, tr: LatentTransform, fallbackScale: number): InitResult {
  const d = tr.dim;
  if (d > LAPLACE_MAX_DIM) return zeroInit(d, fallbackScale, `zero start: D = ${d} is above ${LAPLACE_MAX_DIM}, too large for a dense Hessian`);
  const f0 = valueAndGrad(lj, tr, new Float64Array(d), 1, d, false).f[0]!;
  if (!Number.isFinite(f0)) return zeroInit(d, fallbackScale, "zero start: the log density is not finite at the origin of the unconstrained space");
  let res = newton(lj, tr, new Float64Array(d), 100);
  let how = `laplace: Newton's method reached the mode in ${res.steps} steps`;
  let it = res.steps;
  if (!res.converged) {
    // Badly scaled problems: get near the mode by preconditioned gradient ascent, then Newton again.
    const first = res;
    const ga = gradientAscent(lj, tr, Number.isFinite(first.u[0] ?? 0) && first.u.every((x) => Math.abs(x) < 1e8) ? first.u : new Float64Array(d), 1000);
    res = newton(lj, tr, ga.u, 100);
    it = first.steps + res.steps;
    how = `laplace: Newton's method reached the mode in ${res.steps} steps after gradient ascent (the first Newton run stopped: ${first.why})`;
    if (!res.converged) return zeroInit(d, fallbackScale, `zero start: Newton's method found no mode in ${it} steps, even after gradient ascent (${first.why}; then ${res.why}); the posterior may have none, e.g. a funnel`);
  }
  const u = res.u;
  const prec = res.prec!;
  const lp = linalgJs.cholesky(prec, d)!;
  // Covariance = prec^-1 = L^-T L^-1.
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const linv = linalgJs.solveTriangular(lp, eye, d, d, true, false);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += linv[k * d + i]! * linv[k * d + j]!;
    cov[i * d + j] = s;
  }
  // Mean-field starts from the conditional sds 1/sqrt(A_ii) (the mean-field optimum for a Gaussian).
  const sd = Float64Array.from({ length: d }, (_, i) => 1 / Math.sqrt(prec[i * d + i]!));
  return { init: { mean: u, sd, cov }, how, newtonSteps: it };
}
