/**
 * What inference fits: the log joint of compiler/logjoint (types.ts there is the contract).
 * These interfaces mirror that contract structurally, so inference depends only on the shape of
 * a log joint; a hand-written one (tests, stdlib models) fits as well as a compiled one.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ConstraintSpec, Span } from "../language/index.js";

export interface LatentLayout {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly constraint: ConstraintSpec;
  readonly discrete: boolean;
  readonly offset: number;
  readonly unconstrainedSize: number;
  readonly span: Span;
}

export interface FactorTerm {
  readonly id: string;
  readonly text: string;
  readonly span: Span;
}

export interface LogJointOptions {
  readonly minibatch?: { readonly plate: string; readonly indices: Int32Array };
}

export interface LogJoint {
  readonly latents: readonly LatentLayout[];
  readonly unconstrainedSize: number;
  readonly terms: readonly FactorTerm[];
  logJoint(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor;
  logJointTerms(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor[];
  deterministics(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor>;
  readonly params: ReadonlyMap<string, tf.Variable>;
  dispose(): void;
}

/**
 * Minibatching over a plate: after `select(indices)` the log joint evaluates the batch with the
 * terms inside the plate scaled by N / B (so its expectation is the full log joint); `select(null)`
 * goes back to the full data. A compiled model's log joint does this with `setMinibatch`.
 */
export interface MinibatchSource {
  readonly plate: string;
  /** N, the plate's full size. */
  readonly size: number;
  select(indices: Int32Array | null): void;
}
