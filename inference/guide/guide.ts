/**
 * A Gaussian variational family over the flat unconstrained vector (length D). Every family
 * here writes a draw as z = loc + scale(noise; params), so draws are reparameterised, and the
 * means' Adam steps are scaled by the current marginal sds (`stepScales`): near the optimum the
 * iterates then jitter by a fixed fraction of a posterior sd, whatever the posterior's scale.
 */
import * as tf from "@tensorflow/tfjs";
import type { StepScale } from "../optim.js";
import { stopGradient, type Rng } from "../../stdlib/index.js";
import type { EntropyMode, FamilyName, GuideFamily } from "../options.js";

export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Plain-data form of a guide: enough to rebuild it exactly. */
export interface GuideState {
  readonly family: GuideFamily;
  readonly dim: number;
  readonly rank?: number;
  readonly params: Readonly<Record<string, number[]>>;
}

/** Where a guide starts: a mean and either a covariance (row-major D x D) or marginal sds. */
export interface GuideInit {
  readonly mean: ArrayLike<number>;
  readonly sd: ArrayLike<number>;
  readonly cov?: ArrayLike<number>;
}

export interface Guide {
  readonly family: GuideFamily;
  readonly dim: number;
  /** Length of one noise draw (D, or D + rank). */
  readonly noiseDim: number;
  /** Trainable parameters, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  readonly names: readonly string[];
  /** Standard normal noise [S, noiseDim]. */
  noise(samples: number, rng: Rng): tf.Tensor;
  /** Draws z [S, D] from noise, differentiable in the variables. */
  fromNoise(noise: tf.Tensor): tf.Tensor;
  /** log q(z) [S]; with `stopGradient` the parameters are constants (sticking the landing). */
  logProb(z: tf.Tensor, options?: { readonly stopGradient?: boolean }): tf.Tensor;
  /** Entropy of q (scalar), in closed form. */
  entropy(): tf.Tensor;
  /** Per-variable multipliers of Adam's steps (undefined: 1). Caller owns the tensors. */
  stepScales(): StepScale[];
  /** Marginal means and sds in unconstrained space. */
  moments(): { mean: Float64Array; sd: Float64Array };
  state(): GuideState;
  dispose(): void;
  /**
   * Optional (custom guides): S draws straight in the latents' constrained space, with a per-draw
   * estimate of log q over those values whose gradient is the ELBO's (see custom.ts). The ELBO
   * core uses it instead of fromNoise + the bijectors when present.
   */
  elboDraw?(noise: tf.Tensor, entropy: EntropyMode): { values: Map<string, tf.Tensor>; logQ: tf.Tensor };
  /** Optional (Gaussian families): marginal means and variances [D], differentiable in the variables. */
  marginals?(): { mean: tf.Tensor; variance: tf.Tensor };
  /** Optional (custom guides): constrained draws with their exact log q (for draws and importance weights). */
  drawConstrained?(noise: tf.Tensor): { values: Map<string, tf.Tensor>; logQ: tf.Tensor };
}

/** Shared plumbing: named variables, noise, state. */
export abstract class GaussianGuide implements Guide {
  abstract readonly family: FamilyName;
  abstract readonly noiseDim: number;
  readonly variables: tf.Variable[];
  readonly names: string[];

  protected constructor(
    readonly dim: number,
    params: Record<string, { values: ArrayLike<number>; shape: number[] }>,
  ) {
    this.names = Object.keys(params);
    // In a tidy: the variable keeps its own reference and the initial tensor is freed.
    this.variables = this.names.map((n) => tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(params[n]!.values), params[n]!.shape, "float32"), true)));
  }

  protected v(name: string): tf.Variable {
    return this.variables[this.names.indexOf(name)]!;
  }

  /** The variable, or a constant copy of it (for log q under sticking the landing). */
  protected p(name: string, stop: boolean): tf.Tensor {
    const v = this.v(name);
    return stop ? stopGradient(v) : v;
  }

  noise(samples: number, rng: Rng): tf.Tensor {
    return rng.normal([samples, this.noiseDim]);
  }

  abstract fromNoise(noise: tf.Tensor): tf.Tensor;
  abstract logProb(z: tf.Tensor, options?: { readonly stopGradient?: boolean }): tf.Tensor;
  abstract entropy(): tf.Tensor;
  abstract stepScales(): StepScale[];
  /** Marginal sds [D] as a tensor. */
  protected abstract marginalSd(): tf.Tensor;

  marginals(): { mean: tf.Tensor; variance: tf.Tensor } {
    return { mean: this.v("loc"), variance: tf.square(this.marginalSd()) };
  }

  moments(): { mean: Float64Array; sd: Float64Array } {
    const sd = tf.tidy(() => this.marginalSd());
    const out = { mean: Float64Array.from(this.v("loc").dataSync()), sd: Float64Array.from(sd.dataSync()) };
    sd.dispose();
    return out;
  }

  state(): GuideState {
    const params: Record<string, number[]> = {};
    this.names.forEach((n, i) => (params[n] = Array.from(this.variables[i]!.dataSync())));
    return { family: this.family, dim: this.dim, ...(this.rank !== undefined ? { rank: this.rank } : {}), params };
  }

  get rank(): number | undefined {
    return undefined;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
