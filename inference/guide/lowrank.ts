/**
 * Low-rank plus diagonal Gaussian: covariance diag(s) (I + F F^T) diag(s) with F [D, r]; a draw
 * is z = loc + s * (eps + F eta). log q uses Woodbury and the determinant lemma, so the cost is
 * O(D r^2), and F is dimensionless like the full-rank family's M.
 */
import * as tf from "@tensorflow/tfjs";
import type { StepScale } from "../optim.js";
import { cholesky, logDetFromCholesky, triangularSolve, type Rng } from "../../stdlib/index.js";
import { GaussianGuide, HALF_LOG_2PI, type GuideInit, type GuideState } from "./guide.js";

export class LowRankGuide extends GaussianGuide {
  readonly family = "lowrank" as const;
  readonly noiseDim: number;
  private readonly r: number;

  constructor(dim: number, rank: number, init: GuideInit, factor: ArrayLike<number>) {
    super(dim, {
      loc: { values: init.mean, shape: [dim] },
      logScale: { values: Array.from(init.sd, (s) => Math.log(s)), shape: [dim] },
      factor: { values: factor, shape: [dim, rank] },
    });
    this.r = rank;
    this.noiseDim = dim + rank;
  }

  /** A small random factor: F = 0 is a stationary point of the ELBO, so start just off it. */
  static initialFactor(dim: number, rank: number, rng: Rng): Float64Array {
    return rng.normalArray(dim * rank, 0, 0.01);
  }

  static fromState(s: GuideState): LowRankGuide {
    return new LowRankGuide(s.dim, s.rank!, { mean: s.params.loc!, sd: s.params.logScale!.map(Math.exp) }, s.params.factor!);
  }

  override get rank(): number {
    return this.r;
  }

  fromNoise(noise: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const s = noise.shape[0]!;
      const eps = tf.slice(noise, [0, 0], [s, this.dim]);
      const eta = tf.slice(noise, [0, this.dim], [s, this.r]) as tf.Tensor2D;
      const e = tf.add(eps, tf.matMul(eta, tf.transpose(this.v("factor"))));
      return tf.add(this.v("loc"), tf.mul(tf.exp(this.v("logScale")), e));
    });
  }

  /** Cholesky factor of K = I_r + F^T F. */
  private kChol(f: tf.Tensor): tf.Tensor2D {
    return cholesky(tf.add(tf.eye(this.r), tf.matMul(tf.transpose(f), f))) as tf.Tensor2D;
  }

  logProb(z: tf.Tensor, options: { readonly stopGradient?: boolean } = {}): tf.Tensor {
    const stop = options.stopGradient ?? false;
    return tf.tidy(() => {
      const loc = this.p("loc", stop);
      const ls = this.p("logScale", stop);
      const f = this.p("factor", stop);
      const u = tf.div(tf.sub(z, loc), tf.exp(ls)) as tf.Tensor2D;
      const lk = this.kChol(f);
      const y = triangularSolve(lk, tf.transpose(tf.matMul(u, f as tf.Tensor2D)), { lower: true }); // [r, S]
      const quad = tf.sub(tf.sum(tf.square(u), 1), tf.sum(tf.square(y), 0));
      const logDet = tf.add(tf.mul(tf.sum(ls), 2), logDetFromCholesky(lk));
      return tf.sub(tf.sub(tf.mul(quad, -0.5), tf.mul(logDet, 0.5)), this.dim * HALF_LOG_2PI);
    });
  }

  entropy(): tf.Tensor {
    return tf.tidy(() => tf.add(tf.add(tf.sum(this.v("logScale")), tf.mul(logDetFromCholesky(this.kChol(this.v("factor"))), 0.5)), this.dim * (0.5 + HALF_LOG_2PI)));
  }

  protected marginalSd(): tf.Tensor {
    return tf.mul(tf.exp(this.v("logScale")), tf.sqrt(tf.add(1, tf.sum(tf.square(this.v("factor")), 1))));
  }

  stepScales(): StepScale[] {
    return [tf.tidy(() => this.marginalSd()), undefined, undefined];
  }
}
