/**
 * Onto positive, strictly increasing vectors (constraint `positive_ordered`):
 * x_k = sum_{j<=k} exp(u_j). K -> K; log |det J| = sum_k u_k.
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { type Bijector, makeBijector, sliceLast } from "./bijector.js";

function forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor } {
  const last = u.rank - 1;
  return { value: tf.cumsum(tf.exp(u), last), logDet: tf.sum(u, last) };
}

function inverse(x: tf.Tensor): tf.Tensor {
  const k = x.shape[x.rank - 1]!;
  const last = x.rank - 1;
  if (k === 0) return tf.clone(x);
  const gaps = tf.concat([sliceLast(x, 0, 1), tf.sub(sliceLast(x, 1, k - 1), sliceLast(x, 0, k - 1))], last);
  return tf.log(gaps);
}

export function positiveOrderedBijector(): Bijector {
  return makeBijector({
    name: "positive_ordered",
    constraint: constraints.positiveOrdered,
    unconstrainedEventRank: 1,
    eventRank: 1,
    forwardWithLogDet,
    inverse,
  });
}
