/** x = exp(u) onto the positive reals (NumPyro's and Stan's default): log |det J| = u. */
import * as tf from "@tensorflow/tfjs";
import { type ConstraintSpec, constraints } from "../constraints.js";
import { type Bijector, makeBijector } from "./bijector.js";

/** `constraint` is what the bijector reports as its target (positive, or nonnegative by closure). */
export function expBijector(constraint: ConstraintSpec = constraints.positive): Bijector {
  return makeBijector({
    name: "exp",
    constraint,
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward: (u) => tf.exp(u),
    logDetJacobian: (u) => tf.clone(u),
    forwardWithLogDet: (u) => ({ value: tf.exp(u), logDet: tf.clone(u) }),
    inverse: (x) => tf.log(x),
  });
}
