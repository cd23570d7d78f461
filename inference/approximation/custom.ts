/**
 * The model's own `guide { }` block as an Approximation (family "custom"): draws straight from
 * the guide program in the constrained space, with their log q there. Its state holds the values
 * of every variable the guide reads; rebuilding it needs the model's guide program, which the
 * compiled model's log joint carries (`model.loadFit(saved, data)`).
 */
import type * as tf from "@tensorflow/tfjs";
import { PplError } from "../../language/index.js";
import type { Rng } from "../../stdlib/index.js";
import { badSavedFit } from "../errors.js";
import { CustomGuide, type GuideState } from "../guide/index.js";
import type { LatentLayout, LogJoint } from "../target.js";
import { LatentTransform } from "../transform.js";
import type { Approximation, ApproximationContext, ApproximationDraws, ApproximationKind, ApproximationState } from "./approximation.js";

export class CustomApproximation implements Approximation {
  readonly family = "custom";

  constructor(readonly guide: CustomGuide) {}

  draw(n: number, rng: Rng): ApproximationDraws {
    const noise: tf.Tensor = this.guide.noise(n, rng);
    try {
      return this.guide.drawConstrained(noise);
    } finally {
      noise.dispose();
    }
  }

  state(): GuideState {
    return this.guide.state();
  }

  /** The guide's variables belong to the model's log joint. */
  dispose(): void {}
}

export const CUSTOM_KIND: ApproximationKind = {
  families: ["custom"],
  fromState(state: ApproximationState, latents: readonly LatentLayout[], context?: ApproximationContext): Approximation {
    const lj = context?.["logJoint"] as LogJoint | undefined;
    if (!lj?.guide) {
      throw new PplError([badSavedFit("this fit's approximation is the model's guide { } block, so it can only be used with its model: load it with model.loadFit(saved, data)")]);
    }
    const s = state as GuideState;
    const transform = new LatentTransform(
      latents.filter((l) => !l.discrete),
      s.dim,
    );
    try {
      return new CustomApproximation(CustomGuide.fromState(s, lj, transform));
    } catch (e) {
      throw new PplError([badSavedFit(`the saved guide does not match this model's guide block: ${(e as Error).message}`)]);
    }
  },
};
