/**
 * Onto strictly increasing vectors (constraint `ordered`): x_0 = u_0, x_k = x_{k-1} + exp(u_k).
 * K -> K; log |det J| = sum_{k>=1} u_k (the Jacobian is lower-triangular).
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { type Bijector, makeBijector, sliceLast } from "./bijector.js";

function forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor } {
  const k = u.shape[u.rank - 1]!;
  const last = u.rank - 1;
  if (k === 0) return { value: tf.clone(u), logDet: tf.zeros(u.shape.slice(0, -1)) };
  const first = sliceLast(u, 0, 1);
  const tail = sliceLast(u, 1, k - 1);
  const value = tf.cumsum(tf.concat([first, tf.exp(tail)], last), last);
  return { value, logDet: tf.sum(tail, last) };
}

function inverse(x: tf.Tensor): tf.Tensor {
  const k = x.shape[x.rank - 1]!;
  const last = x.rank - 1;
  if (k === 0) return tf.clone(x);
  const first = sliceLast(x, 0, 1);
  const gaps = tf.sub(sliceLast(x, 1, k - 1), sliceLast(x, 0, k - 1));
  return tf.concat([first, tf.log(gaps)], last);
}

export function orderedBijector(): Bijector {
  return makeBijector({
    name: "ordered",
    constraint: constraints.ordered,
    unconstrainedEventRank: 1,
    eventRank: 1,
    forwardWithLogDet,
    inverse,
  });
}
