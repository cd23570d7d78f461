/** x = lower + exp(u) onto [lower, inf) (constraint `greater_than`): log |det J| = u. */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { type Bijector, makeBijector } from "./bijector.js";

export function lowerBoundBijector(lower: number): Bijector {
  if (!Number.isFinite(lower)) throw new RangeError(`lowerBoundBijector: argument 'lower' must be finite, got ${lower}`);
  return makeBijector({
    name: `lower_bound(${lower})`,
    constraint: constraints.greaterThan(lower),
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward: (u) => tf.add(tf.exp(u), lower),
    logDetJacobian: (u) => tf.clone(u),
    forwardWithLogDet: (u) => ({ value: tf.add(tf.exp(u), lower), logDet: tf.clone(u) }),
    inverse: (x) => tf.log(tf.sub(x, lower)),
  });
}
