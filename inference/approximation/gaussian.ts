/**
 * The Gaussian families over the flat unconstrained vector (mean-field, full-rank, low-rank),
 * seen as an Approximation: draws pushed through the bijectors, with log q over the constrained
 * values = log q(z) - log |det J(z)|.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../stdlib/index.js";
import { guideFromState, type Guide, type GuideState } from "../guide/index.js";
import type { LatentLayout } from "../target.js";
import { LatentTransform } from "../transform.js";
import type { Approximation, ApproximationDraws, ApproximationKind, ApproximationState } from "./approximation.js";

export class GaussianApproximation implements Approximation {
  constructor(
    readonly guide: Guide,
    readonly transform: LatentTransform,
    private readonly owns = false,
  ) {}

  get family(): string {
    return this.guide.family;
  }

  draw(n: number, rng: Rng): ApproximationDraws {
    const noise = this.guide.noise(n, rng);
    const z = tf.tidy(() => this.guide.fromNoise(noise));
    const { values, logDet } = this.transform.forward(z);
    const logQ = tf.tidy(() => tf.sub(this.guide.logProb(z), logDet));
    logDet.dispose();
    z.dispose();
    noise.dispose();
    return { values, logQ };
  }

  state(): GuideState {
    return this.guide.state();
  }

  dispose(): void {
    if (this.owns) this.guide.dispose();
  }
}

export const GAUSSIAN_KIND: ApproximationKind = {
  families: ["meanfield", "fullrank", "lowrank"],
  fromState(state: ApproximationState, latents: readonly LatentLayout[]): Approximation {
    const s = state as GuideState;
    const continuous = latents.filter((l) => !l.discrete);
    return new GaussianApproximation(guideFromState(s), new LatentTransform(continuous, s.dim), true);
  },
};
