/**
 * What every inference method hands back: a fitted variational approximation q over all the
 * latents, whatever its form (a Gaussian in unconstrained space for ADVI, a product of
 * exponential-family factors for CAVI, a mixed continuous/discrete guide for BBVI). The common
 * finish (draws, importance weights, the final ELBO, Pareto k, the summary) and save/load only
 * need `draw` and `state`.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../stdlib/index.js";
import type { LatentLayout } from "../target.js";

/** Plain-JSON form of an approximation: enough, with the model's latent layout, to rebuild it. */
export interface ApproximationState {
  readonly family: string;
}

export interface ApproximationDraws {
  /** Constrained draws of every latent, [n, ...shape] (discrete latents as float32 integers). */
  readonly values: Map<string, tf.Tensor>;
  /** log q of each draw, as a density over the constrained values [n]. */
  readonly logQ: tf.Tensor;
}

export interface Approximation {
  readonly family: string;
  /** n seeded draws; the caller owns the tensors. */
  draw(n: number, rng: Rng): ApproximationDraws;
  state(): ApproximationState;
  dispose(): void;
}

/** A kind of approximation, as registered: rebuilds one from its saved state. */
export interface ApproximationKind {
  /** The `family` values this kind saves under. */
  readonly families: readonly string[];
  /**
   * Rebuilds the approximation. `latents` is the model's layout (discrete latents included);
   * `context` carries what some kinds need from the model (a custom guide's program).
   */
  fromState(state: ApproximationState, latents: readonly LatentLayout[], context?: ApproximationContext): Approximation;
}

/** Model-side extras a kind may need to rebuild itself (filled in by the compiled model). */
export interface ApproximationContext {
  readonly [key: string]: unknown;
}
