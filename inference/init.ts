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

export function laplaceInit(lj: LogJoint, tr: LatentTransform, fallbackScale: number): InitResult {
  const d = tr.dim;
  if (d > LAPLACE_MAX_DIM) return zeroInit(d, fallbackScale, `zero start: D = ${d} is above ${LAPLACE_MAX_DIM}, too large for a dense Hessian`);
  let u = new Float64Array(d);
  const h = new Float64Array(d).fill(1e-2);
  let lambda = 0;
  let prec: Float64Array | undefined;
  let converged = false;
  let it = 0;
  const MAX_IT = 60;
  for (; it < MAX_IT; it++) {
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
    if (!Number.isFinite(f0)) return zeroInit(d, fallbackScale, "zero start: the log density is not finite at the origin of the unconstrained space");
    const grad = g.subarray(0, d);
    // Negative Hessian, symmetrised.
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        a[i * d + j] = -(g[(1 + i) * d + j]! - g[(1 + d + i) * d + j]!) / (2 * h[i]!);
      }
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = a[j * d + i] = 0.5 * (a[i * d + j]! + a[j * d + i]!);
    if (!a.every(Number.isFinite) || !grad.every(Number.isFinite)) break;
    // Damped Newton direction: (A + damp I) delta = grad, raising damp until it is positive definite.
    const aChol = linalgJs.cholesky(a, d);
    prec = aChol ? a : undefined;
    let l = lambda === 0 ? aChol : undefined;
    let diagScale = 1e-8;
    for (let i = 0; i < d; i++) diagScale = Math.max(diagScale, Math.abs(a[i * d + i]!));
    let damp = (lambda > 0 ? lambda : 1e-3) * diagScale;
    for (let tries = 0; !l && tries < 30; tries++, damp *= 10) {
      const b = Float64Array.from(a);
      for (let i = 0; i < d; i++) b[i * d + i] += damp;
      l = linalgJs.cholesky(b, d);
    }
    if (!l) break;
    const y = linalgJs.solveTriangular(l, grad, d, 1, true, false);
    const delta = linalgJs.solveTriangular(l, y, d, 1, true, true);
    // Newton decrement: how far the mode is, in units of posterior sds.
    let dec = 0;
    for (let i = 0; i < d; i++) dec += delta[i]! * grad[i]!;
    // Step sizes along delta, tried at once.
    const alphas = [1, 0.5, 0.25, 0.1, 0.03, 0.01];
    const cand = new Float64Array(alphas.length * d);
    alphas.forEach((al, r) => {
      for (let i = 0; i < d; i++) cand[r * d + i] = u[i]! + al * delta[i]!;
    });
    const fc = valueAndGrad(lj, tr, cand, alphas.length, d, false).f;
    let best = -1;
    for (let r = 0; r < alphas.length; r++) if (Number.isFinite(fc[r]!) && fc[r]! > f0 - 1e-9 * Math.abs(f0) && (best < 0 || fc[r]! > fc[best]!)) best = r;
    // Finite-difference steps of a tenth of the current sd estimate, for the next Hessian.
    if (prec) {
      for (let i = 0; i < d; i++) h[i] = Math.min(0.1, Math.max(1e-4, 0.1 / Math.sqrt(Math.max(a[i * d + i]!, 1e-12))));
    }
    if (best < 0) {
      if (dec < 1e-6 * d) {
        converged = true;
        break;
      }
      lambda = lambda === 0 ? 1e-2 : lambda * 10;
      continue;
    }
    lambda = best === 0 ? 0 : lambda;
    const step = alphas[best]!;
    for (let i = 0; i < d; i++) u[i] += step * delta[i]!;
    if (u.some((v) => !Number.isFinite(v) || Math.abs(v) > 50)) break;
    if (step === 1 && dec < 1e-4 * Math.max(1, d) && prec) {
      converged = true;
      it++;
      // One more Hessian at the final point is not needed: this one is within float32 noise.
      break;
    }
  }
  if (!converged || !prec) return zeroInit(d, fallbackScale, `zero start: Newton's method found no mode in ${it} steps (the posterior may have none, e.g. a funnel)`);
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
  const sd = Float64Array.from({ length: d }, (_, i) => 1 / Math.sqrt(prec![i * d + i]!));
  void h;
  return { init: { mean: u, sd, cov }, how: `laplace: Newton's method reached the mode in ${it} steps`, newtonSteps: it };
}
