/**
 * The score-function (REINFORCE) estimator of the ELBO's gradient, the second estimator of the one
 * ELBO core (elbo.ts; STYLE.md convention 6). For a factor q_e(z_e; phi_e) of a mean-field q,
 *
 *     d ELBO / d phi_e = E_q[ h_e(z) (f_e(z) - a_e) ],   h_e = d log q_e(z_e) / d phi_e,
 *
 * where f_e is the learning signal (log p(x, z) - log q(z), or its Rao-Blackwellised form over
 * z_e's Markov blanket: bbvi/rao-blackwell.ts) and a_e any constant independent of the draw that
 * h_e multiplies (E[h_e] = 0, so a_e changes the variance, never the mean). Choices of a_e:
 *
 *  - "optimal": the control-variate scaling that minimises the variance per component,
 *    a = Cov(h f, h) / Var(h) (Ranganath et al., 2014, eq. 11), estimated for each draw s from
 *    the *other* S-1 draws (leave one out), so the estimate stays exactly unbiased;
 *  - "decaying": a running average of f over earlier steps (a baseline; Williams, 1992), the
 *    leave-one-out mean of f on the first step;
 *  - "none": a = 0 (plain REINFORCE).
 *
 * Scores come in closed form from the discrete factors, so the estimate is computed directly as
 * mean_s h_s (f_s - a_s): no surrogate has to be differentiated.
 */
import * as tf from "@tensorflow/tfjs";

export type ControlVariate = "optimal" | "decaying" | "none";

export interface ScoreEstimate {
  /** The gradient estimate of the ELBO (to be ascended), [E, P]. */
  readonly grad: tf.Tensor;
  /** The estimate's variance summed over components (the trace of its covariance), scalar. */
  readonly variance: tf.Tensor;
}

/**
 * The score-function gradient from scores h [S, E, P] and signals f [S, E] (constants: no
 * gradient flows through either). `baseline` [E] is the decaying average (cv "decaying"); null on
 * the first step. Call inside a tidy.
 */
export function scoreFunctionGradient(h: tf.Tensor, f: tf.Tensor, cv: ControlVariate, baseline: tf.Tensor | null = null): ScoreEstimate {
  const s = h.shape[0]!;
  // Centring f per element changes nothing in the estimate (a shifts with it) but keeps the
  // float32 covariance sums well conditioned when f is large (thousands of nats).
  const fc = tf.sub(f, tf.mean(f, 0, true));
  const f3 = tf.expandDims(fc, 2);
  let a: tf.Tensor;
  if (cv === "optimal" && s >= 3) {
    const n = s - 1;
    const hf = tf.mul(h, f3);
    const loo = (x: tf.Tensor): tf.Tensor => tf.div(tf.sub(tf.sum(x, 0, true), x), n);
    const ehhf = loo(tf.mul(h, hf));
    const ehf = loo(hf);
    const eh = loo(h);
    const ehh = loo(tf.square(h));
    const cov = tf.sub(ehhf, tf.mul(ehf, eh));
    const vr = tf.sub(ehh, tf.square(eh));
    // Where h barely varies (a factor near a point mass) the scaling is 0/0: use no control variate.
    const ok = tf.greater(vr, 1e-12);
    a = tf.where(ok, tf.div(cov, tf.where(ok, vr, tf.onesLike(vr))), tf.zerosLike(vr));
  } else if (cv !== "none" && (baseline === null || cv === "optimal")) {
    // Leave-one-out mean of f ("optimal" with fewer than 3 draws, or "decaying" on its first step).
    a = s >= 2 ? tf.expandDims(tf.div(tf.sub(tf.sum(fc, 0, true), fc), s - 1), 2) : tf.zerosLike(f3);
  } else if (cv === "decaying" && baseline !== null) {
    a = tf.reshape(tf.sub(tf.reshape(baseline, [1, -1]), tf.mean(f, 0, true)), [1, -1, 1]);
  } else {
    a = tf.reshape(tf.neg(tf.mean(f, 0, true)), [1, -1, 1]); // a = 0 before centring
  }
  const g = tf.mul(h, tf.sub(f3, a));
  const grad = tf.mean(g, 0);
  const variance = s >= 2 ? tf.div(tf.sum(tf.div(tf.sum(tf.square(tf.sub(g, grad)), 0), s - 1)), s) : tf.scalar(NaN);
  return { grad, variance };
}

/** The next decaying baseline from this step's signals f [S, E]: rho * old + (1 - rho) * mean f. */
export function nextBaseline(f: tf.Tensor, old: tf.Tensor | null, rho = 0.9): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.mean(f, 0);
    return old ? tf.add(tf.mul(old, rho), tf.mul(m, 1 - rho)) : m;
  });
}
