/**
 * x = lower + (upper - lower) * sigmoid(u) onto [lower, upper] (constraints `interval` and
 * `unit_interval`). log |det J| = log(upper - lower) + log sigmoid(u) + log sigmoid(-u)
 * = log(upper - lower) - |u| - 2 log(1 + exp(-|u|)), finite for every u (one pass: logSigmoidPair).
 */
import * as tf from "@tensorflow/tfjs";
import { type ConstraintSpec, constraints } from "../constraints.js";
import { logSigmoidPair, logit } from "../tensor/special.js";
import { type Bijector, makeBijector } from "./bijector.js";

export function intervalBijector(lower: number, upper: number): Bijector {
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || !(lower < upper)) {
    throw new RangeError(`intervalBijector: arguments 'lower' and 'upper' must be finite with lower < upper, got ${lower} and ${upper}`);
  }
  const width = upper - lower;
  const unit = lower === 0 && upper === 1;
  const constraint: ConstraintSpec = unit ? constraints.unitInterval : constraints.interval(lower, upper);
  const forward = (u: tf.Tensor) => (unit ? tf.sigmoid(u) : tf.add(tf.mul(tf.sigmoid(u), width), lower));
  const logDet = (u: tf.Tensor) => (width === 1 ? logSigmoidPair(u) : tf.add(logSigmoidPair(u), Math.log(width)));
  return makeBijector({
    name: unit ? "sigmoid" : `interval(${lower}, ${upper})`,
    constraint,
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward,
    logDetJacobian: logDet,
    forwardWithLogDet: (u) => ({ value: forward(u), logDet: logDet(u) }),
    inverse: (x) => logit(unit ? x : tf.div(tf.sub(x, lower), width)),
  });
}
