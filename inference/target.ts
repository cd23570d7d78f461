/**
 * What inference fits: the log joint whose contract is compiler/logjoint/types.ts. Inference
 * depends only on its shape, so a hand-written one (tests, stdlib models) fits as well as a
 * compiled one.
 */
export type { LatentLayout, FactorTerm, LogJointOptions, LogJoint, GuideProgram } from "../compiler/index.js";

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
