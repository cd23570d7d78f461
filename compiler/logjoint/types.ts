/**
 * The log joint: the graph IR plus bound data, turned into a function of the latents that every
 * inference backend shares (STYLE.md convention 6). Values carry a leading Monte Carlo sample
 * axis S, so one call evaluates S draws at once, vectorised over plates.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ConstraintSpec, Diagnostic, Span } from "../lang.js";
import type { Rng } from "../../stdlib/index.js";

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

/**
 * A latent's prior whose expectation under a Gaussian guide has a closed form: `x ~ Normal(loc,
 * scale)` over the whole of an unconstrained real latent, with constant arguments (broadcast to
 * the latent's elements). Its term can be replaced by E_q[log N(x | loc, scale)], which removes
 * its Monte Carlo noise (together with the closed-form entropy: an analytic KL).
 */
export interface AnalyticPrior {
  /** The term's id (as in `terms`). */
  readonly term: string;
  readonly latent: string;
  readonly family: "Normal";
  /** The latent's place in the flat unconstrained vector (identity transform). */
  readonly offset: number;
  readonly size: number;
  readonly loc: Float32Array;
  readonly scale: Float32Array;
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
  /** Priors with a closed-form expectation under a Gaussian guide (optional; see AnalyticPrior). */
  readonly analyticPriors?: readonly AnalyticPrior[];
  /** The same, term by term (each [S]), in `terms` order. */
  logJointTerms(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor[];
  /**
   * The same, term by term and element by element (in `terms` order): each term before its sum
   * over plates; a term that cannot be split (a loop iterated in JS) comes whole, [S] with no
   * axes. Optional: the score-function estimator falls back to whole terms without it.
   */
  logJointTermsByElement?(values: ReadonlyMap<string, tf.Tensor>): ElementTerm[];
  /**
   * Posterior predictive draws at the given latent values: each observed node drawn from its `~`
   * statement, [S, ...shape] (caller owns them), and the observed nodes that could not be drawn,
   * with why. Optional: hand-written log joints may leave it out.
   */
  predictive?(values: ReadonlyMap<string, tf.Tensor>, rng: Rng): { draws: Map<string, tf.Tensor>; skipped: Map<string, string> };
  /** Values of the deterministic `let`s that depend on latents, each [S, ...shape]. */
  deterministics(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor>;
  /** The point-estimated `param`s (and network weights) as tf.Variables the optimiser updates. */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** The model's `guide { }` block, compiled against the same data (absent: no guide block). */
  readonly guide?: GuideProgram | null;
  /** The variables that are network weights and biases (model's and guide's), for optimisers that step them differently. */
  readonly networkWeights?: ReadonlySet<tf.Variable>;
  /** Why the model's guide block cannot be used, when it has one and `guide` is null. */
  readonly guideProblems?: readonly Diagnostic[];
  /** Frees data tensors and param variables. */
  dispose(): void;
}

/** How a guide draw is scored per draw: log q, the closed-form entropy's negative, or nothing. */
export type GuideScoreMode = "logq" | "entropy" | "none";

/**
 * A `guide { }` block compiled next to the log joint: the same data tensors and the same
 * minibatch selection, so an amortised encoder sees the batch the log joint scores. Draws are in
 * the latents' constrained space, shaped as `logJoint` takes them.
 */
export interface GuideProgram {
  /** The latents in the order the guide draws them (each once, as `lat ~ D(args)` at the top of the block). */
  readonly latents: readonly string[];
  /**
   * The guide block's own params and network weights as variables the optimiser updates. Params
   * the guide shares with the model's declarations (a VAE's encoder declared at model level) are
   * in the log joint's `params`.
   */
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** The model-level params and network weights that only the guide reads (in the log joint's `params`): saved with the guide. */
  readonly sharedParams: ReadonlyMap<string, tf.Variable>;
  /** Every guide factor's distribution has a closed-form entropy. */
  readonly analyticEntropy: boolean;
  /** The guide's `~` statements, for diagnostics. */
  readonly terms: readonly FactorTerm[];
  /** Length of one draw's standard-normal noise now (the batch's latents under minibatching). */
  noiseSize(): number;
  /**
   * S reparameterised draws from noise [S, noiseSize()] (differentiable in the params), with a
   * score [S]: "logq" log q(values); "entropy" minus the closed-form entropy of each factor given
   * its parents' draws (same expectation as log q, less noise; needs analyticEntropy); "none"
   * zeros. Terms inside a subsampled plate are scaled by N / B, as the log joint's are.
   */
  draw(noise: tf.Tensor, score: GuideScoreMode): { values: Map<string, tf.Tensor>; score: tf.Tensor };
  /** log q(values) [S] over the constrained values; `stopGradient` holds the params constant. */
  logProb(values: ReadonlyMap<string, tf.Tensor>, options?: { readonly stopGradient?: boolean }): tf.Tensor;
}

/** What one axis of a per-element term runs over. */
export interface ElementAxis {
  /** The plate (of the factor) this axis iterates, or null. */
  readonly plate: string | null;
  /** The axis of the factor's target node this axis scores, or null (potentials, broadcast axes). */
  readonly targetAxis: number | null;
}

/** One log-joint term element by element: `t` is [S, ...axes] (full sizes) and sums to the term. */
export interface ElementTerm {
  readonly t: tf.Tensor;
  readonly axes: readonly ElementAxis[];
}
