/** x = upper - exp(u) onto (-inf, upper] (constraint `less_than`): log |det J| = u. */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { type Bijector, makeBijector } from "./bijector.js";

export function upperBoundBijector(upper: number): Bijector {
  if (!Number.isFinite(upper)) throw new RangeError(`upperBoundBijector: argument 'upper' must be finite, got ${upper}`);
  return makeBijector({
    name: `upper_bound(${upper})`,
    constraint: constraints.lessThan(upper),
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward: (u) => tf.sub(upper, tf.exp(u)),
    logDetJacobian: (u) => tf.clone(u),
    forwardWithLogDet: (u) => ({ value: tf.sub(upper, tf.exp(u)), logDet: tf.clone(u) }),
    inverse: (x) => tf.log(tf.sub(upper, x)),
  });
}
