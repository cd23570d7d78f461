/**
 * The log joint: the graph IR plus bound data, turned into a function of the latents that every
 * inference backend shares (STYLE.md convention 6). Values carry a leading Monte Carlo sample
 * axis S, so one call evaluates S draws at once, vectorised over plates.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ConstraintSpec, Span } from "../lang.js";

/** One latent as the backends see it: its place in the flat unconstrained vector. */
export interface LatentLayout {
  readonly name: string;
  /** Concrete shape of one draw (data sizes filled in). */
  readonly shape: readonly number[];
  /** Number of scalar elements of one draw, `prod(shape)`. */
  readonly size: number;
  readonly constraint: ConstraintSpec;
  readonly discrete: boolean;
  /** Offset and length in the flat unconstrained vector (continuous latents only; 0 for discrete). */
  readonly offset: number;
  readonly unconstrainedSize: number;
  /** Where it is declared, for diagnostics. */
  readonly span: Span;
}

/** One term of the log joint (a `~` or a `factor(...)`), for diagnostics on non-finite values. */
export interface FactorTerm {
  readonly id: string;
  /** "y ~ Normal(theta, sigma)" as written. */
  readonly text: string;
  readonly span: Span;
}

/** Options for building the log joint. */
export interface LogJointOptions {
  /**
   * Minibatching: the plate to subsample and its batch indices; terms inside the plate are scaled
   * by N / B so the expected minibatch log joint equals the full one.
   */
  readonly minibatch?: { readonly plate: string; readonly indices: Int32Array };
}

export interface LogJoint {
  /** Latents in dependency order; continuous ones laid out in the flat unconstrained vector. */
  readonly latents: readonly LatentLayout[];
  /** Total length of the flat unconstrained vector of the continuous latents. */
  readonly unconstrainedSize: number;
  readonly terms: readonly FactorTerm[];
  /**
   * log p(data, latents) for S draws. `values` maps every latent name to its constrained value
   * with shape [S, ...shape] (discrete latents as int32 or float32 holding integers). Returns
   * shape [S]. Every normalising constant is kept. Differentiable in the values and in `param`s.
   */
  logJoint(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor;
  /** The same, term by term (each [S]), in `terms` order. */
  logJointTerms(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor[];
  /** Values of the deterministic `let`s that depend on latents, each [S, ...shape]. */
  deterministics(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor>;
  /** The point-estimated `param`s (and network weights) as tf.Variables the optimiser updates. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Frees data tensors and param variables. */
  dispose(): void;
}
