/**
 * The approximation black-box VI fits: a Gaussian guide over the continuous latents' flat
 * unconstrained vector (as ADVI's, through the bijectors) times independent per-element discrete
 * factors (Bernoulli / Categorical logits, Poisson log rates) over the discrete latents. log q of a
 * draw is the Gaussian's density over the constrained values plus the discrete log-probabilities.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../stdlib/index.js";
import { discreteFamily, guideFromState, type DiscreteFactor, type DiscreteFactorState, type Guide, type GuideState } from "../guide/index.js";
import type { LatentLayout } from "../target.js";
import { LatentTransform } from "../transform.js";
import type { Approximation, ApproximationDraws, ApproximationKind, ApproximationState } from "./approximation.js";

export interface MixedState extends ApproximationState {
  readonly family: "mixed";
  /** The Gaussian guide over the continuous latents (null when every latent is discrete). */
  readonly continuous: GuideState | null;
  readonly discrete: readonly DiscreteFactorState[];
}

export class MixedApproximation implements Approximation {
  readonly family = "mixed";
  constructor(
    readonly guide: Guide | null,
    readonly transform: LatentTransform,
    readonly factors: readonly DiscreteFactor[],
    private readonly owns = false,
  ) {}

  draw(n: number, rng: Rng): ApproximationDraws {
    const values = new Map<string, tf.Tensor>();
    let logQ: tf.Tensor = tf.zeros([n]);
    if (this.guide) {
      const noise = this.guide.noise(n, rng);
      const z = tf.tidy(() => this.guide!.fromNoise(noise));
      const fwd = this.transform.forward(z);
      for (const [k, v] of fwd.values) values.set(k, v);
      const lq = tf.tidy(() => tf.sub(this.guide!.logProb(z), fwd.logDet));
      logQ.dispose();
      logQ = lq;
      fwd.logDet.dispose();
      z.dispose();
      noise.dispose();
    }
    for (const f of this.factors) {
      const x = f.sample(n, rng);
      values.set(f.latent.name, x);
      const next = tf.tidy(() => tf.add(logQ, tf.sum(f.logProb(x), 1)));
      logQ.dispose();
      logQ = next;
    }
    return { values, logQ };
  }

  state(): MixedState {
    return { family: "mixed", continuous: this.guide ? this.guide.state() : null, discrete: this.factors.map((f) => f.state()) };
  }

  dispose(): void {
    if (!this.owns) return;
    this.guide?.dispose();
    for (const f of this.factors) f.dispose();
  }
}

export const MIXED_KIND: ApproximationKind = {
  families: ["mixed"],
  fromState(state: ApproximationState, latents: readonly LatentLayout[]): Approximation {
    const s = state as MixedState;
    const continuous = latents.filter((l) => !l.discrete);
    const dim = continuous.reduce((n, l) => n + l.unconstrainedSize, 0);
    const guide = s.continuous ? guideFromState(s.continuous) : null;
    const factors = s.discrete.map((d) => {
      const layout = latents.find((l) => l.name === d.latent);
      const fam = discreteFamily(d.family);
      if (!layout || !fam) throw new Error(`internal: saved discrete factor '${d.latent}' (${d.family}) does not match the model`);
      return fam.fromState(layout, d);
    });
    return new MixedApproximation(guide, new LatentTransform(continuous, s.continuous?.dim ?? dim), factors, true);
  },
};
