/** The identity on the real line (constraint `real`): log |det J| = 0. */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { type Bijector, makeBijector } from "./bijector.js";

export function identityBijector(): Bijector {
  return makeBijector({
    name: "identity",
    constraint: constraints.real,
    unconstrainedEventRank: 0,
    eventRank: 0,
    forward: (u) => tf.clone(u),
    logDetJacobian: (u) => tf.zerosLike(u),
    forwardWithLogDet: (u) => ({ value: tf.clone(u), logDet: tf.zerosLike(u) }),
    inverse: (x) => tf.clone(x),
  });
}
