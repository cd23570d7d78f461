/**
 * Full-rank Gaussian with Cholesky factor L = diag(scale) (I + M), M strictly lower triangular:
 * a draw is z = loc + scale * ((I + M) eps). This is a plain Cholesky parameterisation (L is lower
 * triangular with a positive diagonal) written so that M is dimensionless, so one step size fits
 * every posterior scale; M = 0 is the mean-field start.
 */
import * as tf from "@tensorflow/tfjs";
import type { StepScale } from "../optim.js";
import { triangularSolve } from "../../stdlib/index.js";
import { GaussianGuide, HALF_LOG_2PI, type GuideInit, type GuideState } from "./guide.js";
import { linalgJs } from "../../stdlib/index.js";

export class FullRankGuide extends GaussianGuide {
  readonly family = "fullrank" as const;
  readonly noiseDim: number;
  private readonly maskValues: Float32Array;

  constructor(dim: number, init: GuideInit, offDiag?: ArrayLike<number>) {
    let scale = Array.from(init.sd);
    let m = new Float64Array(dim * dim);
    if (offDiag) m = Float64Array.from(offDiag);
    else if (init.cov) {
      const l = linalgJs.cholesky(init.cov, dim);
      if (l) {
        scale = Array.from({ length: dim }, (_, i) => l[i * dim + i]!);
        for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) m[i * dim + j] = l[i * dim + j]! / scale[i]!;
      }
    }
    super(dim, {
      loc: { values: init.mean, shape: [dim] },
      logScale: { values: scale.map((s) => Math.log(s)), shape: [dim] },
      offDiag: { values: m, shape: [dim, dim] },
    });
    this.noiseDim = dim;
    this.maskValues = new Float32Array(dim * dim);
    for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) this.maskValues[i * dim + j] = 1;
  }

  static fromState(s: GuideState): FullRankGuide {
    return new FullRankGuide(s.dim, { mean: s.params.loc!, sd: s.params.logScale!.map(Math.exp) }, s.params.offDiag!);
  }

  /** I + M, masked to the strict lower triangle. */
  private unitLower(stop: boolean): tf.Tensor2D {
    return tf.add(tf.eye(this.dim), tf.mul(this.p("offDiag", stop), tf.tensor2d(this.maskValues, [this.dim, this.dim]))) as tf.Tensor2D;
  }

  fromNoise(noise: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const a = this.unitLower(false);
      // rows: (I + M) eps_s = eps_s (I + M)^T; explicit transpose keeps wasm's fast matmul path.
      const e = tf.matMul(noise as tf.Tensor2D, tf.transpose(a));
      return tf.add(this.v("loc"), tf.mul(tf.exp(this.v("logScale")), e));
    });
  }

  logProb(z: tf.Tensor, options: { readonly stopGradient?: boolean } = {}): tf.Tensor {
    const stop = options.stopGradient ?? false;
    return tf.tidy(() => {
      const loc = this.p("loc", stop);
      const ls = this.p("logScale", stop);
      const u = tf.div(tf.sub(z, loc), tf.exp(ls));
      const w = triangularSolve(this.unitLower(stop), tf.transpose(u), { lower: true });
      return tf.sub(tf.sub(tf.mul(tf.sum(tf.square(w), 0), -0.5), tf.sum(ls)), this.dim * HALF_LOG_2PI);
    });
  }

  entropy(): tf.Tensor {
    return tf.tidy(() => tf.add(tf.sum(this.v("logScale")), this.dim * (0.5 + HALF_LOG_2PI)));
  }

  protected marginalSd(): tf.Tensor {
    const a = this.unitLower(false);
    return tf.mul(tf.exp(this.v("logScale")), tf.sqrt(tf.sum(tf.square(a), 1)));
  }

  /**
   * The mean steps in the coordinates whitened by the current Cholesky factor L (Adam sees L^T g
   * and moves loc by L s): on a strongly correlated posterior, steps scaled by the marginal sds
   * would leave the ridge by many conditional sds; these follow its shape.
   */
  stepScales(): StepScale[] {
    return [{ matrix: tf.tidy(() => tf.mul(tf.reshape(tf.exp(this.v("logScale")), [this.dim, 1]), this.unitLower(false))) as tf.Tensor2D }, undefined, undefined];
  }
}
