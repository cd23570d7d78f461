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
import type { Guide } from "./guide/index.js";
import type { LogJoint } from "./target.js";
import { disposeValues, type LatentTransform } from "./transform.js";

export interface ElboSettings {
  readonly estimator: EstimatorName;
  readonly entropy: EntropyMode;
}

export interface ElboModel {
  readonly logJoint: LogJoint;
  readonly transform: LatentTransform;
  readonly guide: Guide;
}

/** The surrogate whose gradient is the ELBO's gradient, per sample [S]; call inside a tidy. */
export function elboSurrogate(m: ElboModel, noise: tf.Tensor, settings: ElboSettings): tf.Tensor {
  if (settings.estimator !== "reparam") throw new Error(`internal: the '${settings.estimator}' estimator is not available in the ELBO core yet`);
  const z = m.guide.fromNoise(noise);
  const { values, logDet } = m.transform.forward(z);
  const lp = m.logJoint.logJoint(values);
  disposeValues(values);
  const target = tf.add(lp, logDet);
  if (settings.entropy === "analytic") return tf.add(target, m.guide.entropy());
  return tf.sub(target, m.guide.logProb(z, { stopGradient: true }));
}

/** Exact per-draw log importance weights log p(data, x) + log|det J| - log q(z) [S] (no gradients). */
export function logWeights(m: ElboModel, z: tf.Tensor, values: ReadonlyMap<string, tf.Tensor>, logDet: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.add(m.logJoint.logJoint(values), logDet), m.guide.logProb(z)));
}
