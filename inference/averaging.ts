/**
 * Iterate averaging (Polyak-Ruppert) after convergence, shared by the step-based methods: the
 * running mean of the variables over the averaging phase replaces the last iterate, which
 * removes most of the Monte Carlo jitter a fixed-step optimiser leaves in its answer.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvergenceMonitor, ConvergenceVerdict } from "./convergence.js";

export interface AveragedState {
  readonly variables: readonly tf.Variable[];
  readonly avg: readonly tf.Variable[];
  avgCount: number;
  readonly step: number;
  readonly verdict: ConvergenceVerdict | undefined;
  readonly monitor: ConvergenceMonitor;
}

/** Adds the current iterate to the running mean. */
export function accumulateAverage(st: AveragedState): void {
  st.avgCount += 1;
  const w = 1 / st.avgCount;
  tf.tidy(() => st.avg.forEach((a, i) => a.assign(tf.add(a, tf.mul(tf.sub(st.variables[i]!, a), w)))));
}

/** Replaces the iterates by their average (if any) and returns the convergence verdict. */
export function finishAveraging(st: AveragedState): ConvergenceVerdict {
  if (st.avgCount > 0) st.variables.forEach((v, i) => v.assign(st.avg[i]!));
  return st.verdict ?? st.monitor.capped(st.step);
}
