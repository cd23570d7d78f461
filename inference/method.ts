/**
 * The contract between fit() and an inference method (STYLE.md conventions 5 and 7): fit()
 * validates the options and picks the method; the method's runner fits and returns its
 * approximation with the trace and the convergence verdict; fit() then does the common finish
 * (draws, importance weights, the ELBO estimate, Pareto k, the summary, the FitResult).
 */
import type { BoundData, GraphIR } from "../compiler/index.js";
import type { Rng } from "../stdlib/index.js";
import type { Approximation } from "./approximation/index.js";
import type { ResolvedOptions } from "./options.js";
import type { LogJoint, MinibatchSource } from "./target.js";

/** What fit() fits: the log joint, and for compiled models the graph and the data behind it. */
export interface FitTarget {
  readonly logJoint: LogJoint;
  readonly minibatch?: MinibatchSource;
  /** The model's name, for messages. */
  readonly name?: string;
  /** The result takes the log joint over (its dispose() frees it). */
  readonly ownsLogJoint?: boolean;
  /** The lowered graph with the data's sizes (methods that read the model's structure: CAVI). */
  readonly graph?: GraphIR;
  /** The checked data the log joint was built from. */
  readonly data?: BoundData;
}

export interface MethodContext {
  readonly target: FitTarget;
  readonly options: ResolvedOptions;
  /** The run's root seed; a method forks what it needs from it. */
  readonly rng: Rng;
  /** Wall-clock origin of the fit (performance.now() milliseconds). */
  readonly startedAt: number;
}

export interface MethodOutcome {
  readonly approximation: Approximation;
  /** The per-step (or per-sweep) ELBO. */
  readonly trace: readonly number[];
  readonly converged: boolean;
  readonly reason: string;
  readonly steps: number;
  /** How the method started (e.g. "Laplace approximation", "k-means++ restarts"). */
  readonly init: string;
  readonly nonFiniteSteps: number;
  /** Time spent before a resume, in seconds. */
  readonly priorSeconds?: number;
  /** The ELBO in closed form, when the method has it (CAVI); otherwise fit() estimates it. */
  readonly exactElbo?: number;
  /** Per-method extras for the result's diagnostics (plain JSON). */
  readonly extras?: Readonly<Record<string, unknown>>;
  /** Frees the method's own state (not the approximation). */
  dispose?(): void;
}

export interface MethodRunner {
  run(ctx: MethodContext): Promise<MethodOutcome>;
}

export const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => (typeof setImmediate === "function" ? setImmediate(r) : setTimeout(r, 0)));
