/**
 * The model's own `guide { }` block as a variational family (family "custom"): each latent is
 * drawn by its guide statement from standard-normal noise (compiler GuideProgram), so draws are
 * reparameterised and differentiable in the guide's params and networks (an amortised encoder
 * included).
 *
 * The guide draws in the latents' constrained space. Over the flat unconstrained vector (the
 * Guide contract) its density is q_u(z) = q_c(T(z)) |det J_T(z)|. The ELBO core does not need that
 * detour: with x = T(z), log p(x) + log|det J| - log q_u(z) = log p(x) - log q_c(x), so it asks the
 * guide for constrained draws and their score directly (`elboDraw`), which also works under
 * minibatching, where a local latent is drawn for the batch only.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../stdlib/index.js";
import type { StepScale } from "../optim.js";
import type { EntropyMode } from "../options.js";
import type { GuideProgram, LogJoint } from "../target.js";
import type { LatentTransform } from "../transform.js";
import type { Guide, GuideState } from "./guide.js";

export class CustomGuide implements Guide {
  readonly family = "custom" as const;
  readonly dim: number;
  /** The guide block's own params; params it shares with the model are trained as the model's. */
  readonly variables: tf.Variable[];
  readonly names: string[];

  constructor(
    readonly program: GuideProgram,
    private readonly transform: LatentTransform,
    private readonly stepScaleOf: (v: tf.Variable) => StepScale = () => undefined,
  ) {
    this.dim = transform.dim;
    this.names = [...program.params.keys()];
    this.variables = [...program.params.values()];
  }

  /** The guide of a log joint compiled with a guide block. */
  static of(logJoint: LogJoint, transform: LatentTransform, stepScaleOf?: (v: tf.Variable) => StepScale): CustomGuide {
    if (!logJoint.guide) throw new Error("internal: this log joint has no guide program");
    return new CustomGuide(logJoint.guide, transform, stepScaleOf);
  }

  /** Rebuilds a saved custom guide into the model's guide program (its params are overwritten). */
  static fromState(s: GuideState, logJoint: LogJoint, transform: LatentTransform): CustomGuide {
    return CustomGuide.of(logJoint, transform).load(s);
  }

  /** Noise for the latents' current shapes (the batch's under minibatching). */
  get noiseDim(): number {
    return this.program.noiseSize();
  }

  noise(samples: number, rng: Rng): tf.Tensor {
    return rng.normal([samples, this.noiseDim]);
  }

  /**
   * Constrained draws and a per-draw estimate of log q whose gradient is the ELBO's: with
   * entropy "analytic" and a closed form for every factor, minus the entropies (given each
   * factor's parents' draws); otherwise log q with the params held constant (sticking the
   * landing; unbiased, and the only choice where some factor has no closed-form entropy).
   */
  elboDraw(noise: tf.Tensor, entropy: EntropyMode): { values: Map<string, tf.Tensor>; logQ: tf.Tensor } {
    if (entropy === "analytic" && this.program.analyticEntropy) {
      const d = this.program.draw(noise, "entropy");
      return { values: d.values, logQ: d.score };
    }
    const d = this.program.draw(noise, "none");
    d.score.dispose();
    return { values: d.values, logQ: this.program.logProb(d.values, { stopGradient: true }) };
  }

  /** Constrained draws with their exact log q (no gradient tricks): for draws and importance weights. */
  drawConstrained(noise: tf.Tensor): { values: Map<string, tf.Tensor>; logQ: tf.Tensor } {
    const d = this.program.draw(noise, "logq");
    return { values: d.values, logQ: d.score };
  }

  fromNoise(noise: tf.Tensor): tf.Tensor {
    const d = this.program.draw(noise, "none");
    d.score.dispose();
    try {
      return this.transform.inverse(d.values);
    } finally {
      for (const t of d.values.values()) t.dispose();
    }
  }

  logProb(z: tf.Tensor, options: { readonly stopGradient?: boolean } = {}): tf.Tensor {
    const { values, logDet } = this.transform.forward(z);
    try {
      return tf.tidy(() => tf.add(this.program.logProb(values, options), logDet));
    } finally {
      for (const t of values.values()) t.dispose();
      logDet.dispose();
    }
  }

  /** A custom guide's entropy has no closed form in general; the ELBO core uses elboDraw instead. */
  entropy(): tf.Tensor {
    throw new Error("internal: a custom guide has no closed-form entropy over the unconstrained space; the ELBO uses elboDraw");
  }

  /** Per variable: the caller's rule (ADVI gives network weights smaller steps); plain params 1. */
  stepScales(): StepScale[] {
    return this.variables.map((v) => this.stepScaleOf(v));
  }

  /** Marginal means and sds in unconstrained space, from 1000 seeded draws. */
  moments(): { mean: Float64Array; sd: Float64Array } {
    const n = 1000;
    const noise = new Rng("custom-guide-moments").normal([n, this.noiseDim]);
    const z = this.fromNoise(noise);
    const m = tf.tidy(() => tf.moments(z, 0));
    const mean = Float64Array.from(m.mean.dataSync());
    const sd = Float64Array.from(m.variance.dataSync(), (v) => Math.sqrt((v * n) / (n - 1)));
    tf.dispose([noise, z, m.mean, m.variance]);
    return { mean, sd };
  }

  /** Every variable the guide reads: its own params and the model-level ones only it uses (a VAE's encoder). */
  private readVariables(): Map<string, tf.Variable> {
    return new Map([...this.program.params, ...this.program.sharedParams]);
  }

  state(): GuideState {
    const params: Record<string, number[]> = {};
    for (const [k, v] of this.readVariables()) params[k] = Array.from(v.dataSync());
    return { family: "custom", dim: this.dim, params };
  }

  /** Sets the params (own and shared) to a saved state's values. */
  load(s: GuideState): this {
    const vars = this.readVariables();
    tf.tidy(() => {
      for (const [k, v] of vars) {
        const vals = s.params[k];
        if (!vals) throw new Error(`the saved custom guide has no values for '${k}'`);
        if (vals.length !== v.size) throw new Error(`the saved custom guide has ${vals.length} values for '${k}', the model's guide has ${v.size}`);
        v.assign(tf.tensor(Float32Array.from(vals), v.shape, "float32"));
      }
    });
    return this;
  }

  /** The variables belong to the log joint (it frees them). */
  dispose(): void {}
}
