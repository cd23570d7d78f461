/**
 * `stopGradient(x)`: the value of `x`, with a zero gradient (tfjs has no such op). Used by the
 * "sticking the landing" ELBO estimator and by score-function surrogates.
 */
import * as tf from "@tensorflow/tfjs";

const stop = tf.customGrad((x, save) => {
  void save;
  const t = x as tf.Tensor;
  return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

export function stopGradient<T extends tf.Tensor>(x: T): T {
  if (x.dtype !== "float32") return tf.clone(x);
  return stop(x) as T;
}
