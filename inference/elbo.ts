/**
 * The one ELBO core (STYLE.md convention 6). For S draws z_s = guide(noise_s) in unconstrained
 * space and x_s = T(z_s) their constrained values,
 *
 *     ELBO_s = log p(data, x_s) + log|det J_T(z_s)| - log q(z_s)
 *
 * with every normalising constant kept, so mean_s ELBO_s is an unbiased estimate of a lower bound
 * on log p(data). Estimators: "reparam" (gradients flow through z_s; with entropy "analytic" the
 * -log q term is replaced by the closed-form entropy, with "stl" log q is evaluated with its
 * parameters held constant, Roeder et al. 2017, whose gradient vanishes as q -> p). The
 * score-function estimator plugs in here with method 'bbvi'.
 */
import * as tf from "@tensorflow/tfjs";
import type { EntropyMode, EstimatorName } from "./options.js";
import { HALF_LOG_2PI, type Guide } from "./guide/index.js";
import type { AnalyticPrior } from "../compiler/index.js";
import type { LogJoint } from "./target.js";
import { disposeValues, type LatentTransform } from "./transform.js";

export interface ElboSettings {
  readonly estimator: EstimatorName;
  readonly entropy: EntropyMode;
  /** Use the log joint's analytic priors (AnalyticPrior) when the guide has Gaussian marginals. */
  readonly analyticPriors?: boolean;
}

export interface ElboModel {
  readonly logJoint: LogJoint;
  readonly transform: LatentTransform;
  readonly guide: Guide;
}

/** The surrogate whose gradient is the ELBO's gradient, per sample [S]; call inside a tidy. */
export function elboSurrogate(m: ElboModel, noise: tf.Tensor, settings: ElboSettings): tf.Tensor {
  if (settings.estimator !== "reparam") throw new Error(`internal: the '${settings.estimator}' estimator is not available in the ELBO core yet`);
  if (m.guide.elboDraw) {
    // A guide that draws in the constrained space (a guide block): log p(x) + log|det J| - log q(z)
    // is log p(x) - log q(x) there, with no detour through the bijectors.
    const { values, logQ } = m.guide.elboDraw(noise, settings.entropy);
    const lp = m.logJoint.logJoint(values);
    disposeValues(values);
    return tf.sub(lp, logQ);
  }
  const z = m.guide.fromNoise(noise);
  const { values, logDet } = m.transform.forward(z);
  const priors = settings.analyticPriors && m.guide.marginals ? m.logJoint.analyticPriors ?? [] : [];
  const lp = priors.length > 0 ? logJointWithExpectedPriors(m, values, priors) : m.logJoint.logJoint(values);
  disposeValues(values);
  const target = tf.add(lp, logDet);
  if (settings.entropy === "analytic") return tf.add(target, m.guide.entropy());
  return tf.sub(target, m.guide.logProb(z, { stopGradient: true }));
}

/**
 * log p with each analytic prior's term replaced by its expectation under q, in closed form from
 * q's marginal means m and variances v (q is Gaussian in the unconstrained space, and these
 * latents' transform is the identity):
 *
 *     E_q[log N(z | loc, scale)] = sum_i -log scale_i - log(2 pi) / 2 - ((m_i - loc_i)^2 + v_i) / (2 scale_i^2)
 *
 * The same for every draw, it carries no Monte Carlo noise; its gradient reaches m and v only.
 */
function logJointWithExpectedPriors(m: ElboModel, values: ReadonlyMap<string, tf.Tensor>, priors: readonly AnalyticPrior[]): tf.Tensor {
  const replaced = new Set(priors.map((p) => p.term));
  const terms = m.logJoint.logJointTerms(values);
  const kept = terms.filter((_, i) => !replaced.has(m.logJoint.terms[i]!.id));
  const { mean, variance } = m.guide.marginals!();
  let expected: tf.Tensor = tf.scalar(0);
  for (const p of priors) {
    const mu = tf.slice(mean, [p.offset], [p.size]);
    const v = tf.slice(variance, [p.offset], [p.size]);
    const loc = tf.tensor1d(p.loc);
    const prec = tf.tensor1d(p.scale.map((s) => 1 / (s * s)));
    let c = 0;
    for (const s of p.scale) c -= Math.log(s) + HALF_LOG_2PI;
    const quad = tf.sum(tf.mul(tf.add(tf.square(tf.sub(mu, loc)), v), prec));
    expected = tf.add(expected, tf.sub(c, tf.mul(0.5, quad)));
  }
  const s = terms[0]?.shape[0] ?? 1;
  const sum = kept.length > 0 ? tf.addN(kept.map((t) => tf.reshape(t, [s]))) : tf.zeros([s]);
  return tf.add(sum, expected);
}

/** Exact per-draw log importance weights log p(data, x) + log|det J| - log q(z) [S] (no gradients). */
export function logWeights(m: ElboModel, z: tf.Tensor, values: ReadonlyMap<string, tf.Tensor>, logDet: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.add(m.logJoint.logJoint(values), logDet), m.guide.logProb(z)));
}
