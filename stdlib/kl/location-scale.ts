/** KLs of Uniform, Laplace and Cauchy. */
import * as tf from "@tensorflow/tfjs";
import { type KLEntry, param } from "./entry.js";

export const locationScaleKLs: readonly KLEntry[] = [
  {
    // log((b2 - a2) / (b1 - a1)) when [a1, b1] lies inside [a2, b2], else +Infinity.
    p: "Uniform",
    q: "Uniform",
    fn: (p, q) => {
      const a1 = param(p, "lower");
      const b1 = param(p, "upper");
      const a2 = param(q, "lower");
      const b2 = param(q, "upper");
      const kl = tf.sub(tf.log(tf.sub(b2, a2)), tf.log(tf.sub(b1, a1)));
      const inside = tf.logicalAnd(tf.lessEqual(a2, a1), tf.lessEqual(b1, b2));
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(kl.shape, inside.shape);
      return tf.where(tf.broadcastTo(inside, shape), tf.broadcastTo(kl, shape), tf.fill(shape, Infinity));
    },
  },
  {
    // log(b2 / b1) + |m1 - m2| / b2 + (b1 / b2) exp(-|m1 - m2| / b1) - 1.
    p: "Laplace",
    q: "Laplace",
    fn: (p, q) => {
      const m1 = param(p, "loc");
      const b1 = param(p, "scale");
      const m2 = param(q, "loc");
      const b2 = param(q, "scale");
      const d = tf.abs(tf.sub(m1, m2));
      const r = tf.div(b1, b2);
      return tf.sub(tf.add(tf.add(tf.neg(tf.log(r)), tf.div(d, b2)), tf.mul(r, tf.exp(tf.neg(tf.div(d, b1))))), 1);
    },
  },
  {
    // log((g1 + g2)^2 + (m1 - m2)^2) - log(4 g1 g2) (Chyzak & Nielsen 2019).
    p: "Cauchy",
    q: "Cauchy",
    fn: (p, q) => {
      const m1 = param(p, "loc");
      const g1 = param(p, "scale");
      const m2 = param(q, "loc");
      const g2 = param(q, "scale");
      const num = tf.add(tf.square(tf.add(g1, g2)), tf.square(tf.sub(m1, m2)));
      return tf.sub(tf.log(num), tf.log(tf.mul(tf.mul(g1, g2), 4)));
    },
  },
];
