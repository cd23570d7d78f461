/**
 * x = softplus(u) = log(1 + exp(u)) onto the positive reals: grows linearly rather than
 * exponentially, so large steps in u stay tame (the scale of Bayes-by-Backprop weights).
 * log |det J| = log sigmoid(u) = -softplus(-u); inverse u = x + log(-expm1(-x)).
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { softplus } from "../tensor/special.js";
import { type Bijector, makeBijector } from "./bijector.js";

export function softplusBijector(): Bijector {
  return makeBijector({
    name: "softplus",
    constraint: constraints.positive,
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward: (u) => softplus(u),
    logDetJacobian: (u) => tf.neg(softplus(tf.neg(u))),
    forwardWithLogDet: (u) => ({ value: softplus(u), logDet: tf.neg(softplus(tf.neg(u))) }),
    // log(expm1(x)) = x + log(1 - exp(-x)), finite for large x where expm1 overflows.
    inverse: (x) => tf.add(x, tf.log(tf.neg(tf.expm1(tf.neg(x))))),
  });
}
