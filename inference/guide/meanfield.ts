/** Mean-field Gaussian: independent N(loc_i, exp(logScale_i)^2) per unconstrained coordinate. */
import * as tf from "@tensorflow/tfjs";
import type { StepScale } from "../optim.js";
import { GaussianGuide, HALF_LOG_2PI, type GuideInit, type GuideState } from "./guide.js";

export class MeanFieldGuide extends GaussianGuide {
  readonly family = "meanfield" as const;
  readonly noiseDim: number;

  constructor(dim: number, init: GuideInit) {
    super(dim, {
      loc: { values: init.mean, shape: [dim] },
      logScale: { values: Array.from(init.sd, (s) => Math.log(s)), shape: [dim] },
    });
    this.noiseDim = dim;
  }

  static fromState(s: GuideState): MeanFieldGuide {
    const g = new MeanFieldGuide(s.dim, { mean: s.params.loc!, sd: s.params.logScale!.map(Math.exp) });
    return g;
  }

  fromNoise(noise: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.v("loc"), tf.mul(tf.exp(this.v("logScale")), noise)));
  }

  logProb(z: tf.Tensor, options: { readonly stopGradient?: boolean } = {}): tf.Tensor {
    const stop = options.stopGradient ?? false;
    return tf.tidy(() => {
      const loc = this.p("loc", stop);
      const ls = this.p("logScale", stop);
      const u = tf.div(tf.sub(z, loc), tf.exp(ls));
      return tf.sub(tf.sub(tf.mul(tf.sum(tf.square(u), 1), -0.5), tf.sum(ls)), this.dim * HALF_LOG_2PI);
    });
  }

  entropy(): tf.Tensor {
    return tf.tidy(() => tf.add(tf.sum(this.v("logScale")), this.dim * (0.5 + HALF_LOG_2PI)));
  }

  protected marginalSd(): tf.Tensor {
    return tf.exp(this.v("logScale"));
  }

  stepScales(): StepScale[] {
    return [tf.tidy(() => this.marginalSd()), undefined];
  }
}
