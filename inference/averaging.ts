/**
 * Iterate averaging (Polyak-Ruppert) after convergence, shared by the step-based methods: the
 * running mean of the variables over the averaging phase replaces the last iterate, which
 * removes most of the Monte Carlo jitter a fixed-step optimiser leaves in its answer.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvergenceMonitor, ConvergenceVerdict } from "./convergence.js";
import { Adam, Snapshot } from "./optim.js";

/** What a step-based method keeps for its trainable variables: Adam, a snapshot to step back to, the running average. */
export interface OptimiserSlots {
  readonly variables: readonly tf.Variable[];
  readonly adam: Adam;
  readonly snapshot: Snapshot;
  readonly avg: tf.Variable[];
  avgCount: number;
}

export function optimiserSlots(variables: readonly tf.Variable[]): OptimiserSlots {
  const adam = new Adam(variables);
  return {
    variables,
    adam,
    snapshot: new Snapshot([...variables, ...adam.slots]),
    avg: variables.map((v) => tf.tidy(() => tf.variable(v.clone(), false))),
    avgCount: 0,
  };
}

/** Frees the optimiser's slots (not the variables). */
export function disposeOptimiserSlots(st: OptimiserSlots): void {
  st.adam.dispose();
  st.snapshot.dispose();
  for (const a of st.avg) a.dispose();
}

export interface AveragedState {
  readonly variables: readonly tf.Variable[];
  readonly avg: readonly tf.Variable[];
  avgCount: number;
  readonly step: number;
  verdict: ConvergenceVerdict | undefined;
  readonly monitor: ConvergenceMonitor;
}

/** A step-based method's run: optimise until the stopping rule fires, then average, then stop. */
export interface PhasedState extends AveragedState {
  phase: "optimise" | "average";
  averageUntil: number;
  averageFrom?: number;
  done: boolean;
}

export interface PhaseSettings {
  readonly maxSteps: number;
  /** A fixed averaging length (the `averageSteps` option), else max(floor, steps so far), at most 1000. */
  readonly averageSteps: number | undefined;
  readonly floor: number;
  /** Multiplies the averaging length (minibatch gradients are noisier by about N / B). */
  readonly factor: number;
}

/**
 * After an accepted step with ELBO estimate `elbo`: feed the stopping rule; in the optimise phase
 * switch to averaging when it fires (or at 80% of maxSteps), else add the iterate to the average;
 * mark the run done at the end of averaging or at maxSteps.
 */
export function advancePhase(st: PhasedState, elbo: number, p: PhaseSettings): void {
  const v = st.monitor.push(elbo, st.step);
  if (v && !st.verdict) st.verdict = v;
  if (st.phase === "optimise") {
    if (st.verdict || st.step >= Math.floor(0.8 * p.maxSteps)) {
      st.phase = "average";
      st.averageFrom = st.step;
      const want = p.averageSteps ?? Math.round(Math.min(1000, Math.max(p.floor, st.step)) * p.factor);
      st.averageUntil = st.verdict ? Math.min(p.maxSteps, st.step + want) : p.maxSteps;
    }
  } else {
    accumulateAverage(st);
  }
  if (st.step >= st.averageUntil || st.step >= p.maxSteps) st.done = true;
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
