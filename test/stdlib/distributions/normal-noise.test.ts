/**
 * `rsampleFromNormal`: the draw as a function of standard-normal noise the caller owns (custom
 * guides), for the families that are one (Normal, LogNormal); reparameterised (pathwise
 * gradients) and equal to `rsample` with the same noise.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Beta, Gamma, LogNormal, Normal, StudentT } from "../../../stdlib/index.js";
import { initBackend } from "../../../stdlib/tensor/backend.js";
import { Rng } from "../../../stdlib/tensor/rng.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-6): void => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `element ${i}: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));
};

describe("rsampleFromNormal", () => {
  it("Normal: loc + scale * eps, broadcast over leading noise axes, equal to rsample with the same noise", () => {
    const d = Normal(tf.tensor1d([0.5, -1]), tf.tensor1d([2, 0.25]));
    expect(d.normalReparameterizable).toBe(true);
    const eps = tf.tensor2d([
      [0.3, -1.2],
      [1.5, 0.0],
    ]);
    close(d.rsampleFromNormal(eps).dataSync(), [0.5 + 0.6, -1 - 0.3, 0.5 + 3, -1]);
    // rsample draws its own noise from the Rng: the same normals give the same values.
    const r = d.rsample([2], new Rng(4));
    const noise = new Rng(4).normal([2, 2]);
    close(d.rsampleFromNormal(noise).dataSync(), Array.from(r.dataSync()));
    tf.dispose([eps, r, noise]);
    d.dispose();
  });

  it("LogNormal: exp(mu + sigma * eps), with pathwise gradients in mu and sigma", () => {
    const mu = tf.scalar(0.2);
    const sigma = tf.scalar(0.5);
    const eps = tf.tensor1d([-1, 0.4]);
    const x = LogNormal(mu, sigma).rsampleFromNormal(eps);
    close(x.dataSync(), [Math.exp(0.2 - 0.5), Math.exp(0.2 + 0.2)]);
    const [gmu, gsigma] = tf.grads((m: tf.Tensor, s: tf.Tensor) => tf.sum(LogNormal(m, s).rsampleFromNormal(eps)))([mu, sigma]);
    close(gmu!.dataSync(), [Math.exp(-0.3) + Math.exp(0.4)], 1e-5);
    close(gsigma!.dataSync(), [-Math.exp(-0.3) + 0.4 * Math.exp(0.4)], 1e-5);
    tf.dispose([mu, sigma, eps, x, gmu!, gsigma!]);
  });

  it("families that are not a transform of Gaussian noise say so", () => {
    for (const d of [Gamma(2, 1), Beta(2, 3), StudentT(3, 0, 1)]) {
      expect(d.normalReparameterizable).toBe(false);
      expect(() => d.rsampleFromNormal(tf.zeros([2]))).toThrow(/no reparameterised sampler from standard-normal noise/);
      d.dispose();
    }
  });
});
