/**
 * Fit options: every option with its default, and one validation pass that names the option and
 * its valid values or range (PPL4104), and suggests the nearest name for an unknown one (PPL4103).
 */
import type { Diagnostic, PhaseResult } from "../language/index.js";
import { badOptionValue, unknownOption } from "./errors.js";
import { METHOD_NAMES } from "./registry.js";

export type FamilyName = "meanfield" | "fullrank" | "lowrank";
/** "auto" picks full-rank for models with up to FULLRANK_AUTO_MAX unconstrained values (when the Laplace start finds the mode), mean-field otherwise. */
export type FamilyChoice = "auto" | GuideFamily;
/** Every variational family: the Gaussian ones, and "custom", the model's own `guide { }` block. */
export type GuideFamily = FamilyName | "custom";
/**
 * Full-rank's cost grows as D^2 per step; up to this D it is cheap on tfjs and it fixes what
 * mean-field gets wrong on correlated posteriors (measured on the bench models, seeds 1-3:
 * logreg sd error 10-12% -> 3-7%, eight_schools mean error 0.12-0.16 sd -> 0.05-0.08 sd).
 */
export const FULLRANK_AUTO_MAX = 64;
export type EstimatorName = "reparam" | "score";
export type ControlVariateName = "optimal" | "decaying" | "none";
export type EntropyMode = "analytic" | "stl";
/** The expected log prior of latents with a constant Normal prior: in closed form, or sampled. */
export type KlMode = "analytic" | "sampled";
export type InitMode = "laplace" | "zero";

export interface ProgressInfo {
  readonly step: number;
  readonly elbo: number;
  readonly stepsPerSecond: number;
  /** An estimate; an upper bound while the convergence rule has not fired. */
  readonly secondsLeft: number;
  /** "sweep" for closed-form coordinate ascent (CAVI), whose steps are sweeps. */
  readonly phase: "optimise" | "average" | "sweep";
  /** Score-function methods: the estimated variance of each latent's gradient (summed over its parameters), averaged over recent steps. */
  readonly gradientVariance?: Readonly<Record<string, number>>;
}

export interface CheckpointOptions {
  /** Save every this many steps. */
  readonly every: number;
  /** A JSON file to write (Node only). */
  readonly path?: string;
  /** Called with each checkpoint (it is plain JSON data). */
  readonly onCheckpoint?: (state: unknown) => void;
}

export interface FitOptions {
  /** "auto" (default), or a method name from the registry. */
  readonly method?: string;
  /** Seed of every random draw (default 0): the same seed gives the same numbers on the same backend. */
  readonly seed?: number | string;
  /** Variational family (default "auto": the model's guide block when it has one ("custom"); else full-rank for 2 to 64 unconstrained values when the Laplace start finds the mode, else mean-field). */
  readonly family?: FamilyChoice;
  /** Rank of the low-rank part (family "lowrank"; default 2). */
  readonly rank?: number;
  /** Monte Carlo samples per step (default 8). */
  readonly samples?: number;
  /** Gradient estimator (default "reparam"). */
  readonly estimator?: EstimatorName;
  /** Score-function gradients (method bbvi): the control variate (default "optimal": per-component optimal scaling, leave-one-out). */
  readonly controlVariate?: ControlVariateName;
  /** Score-function gradients (method bbvi): each discrete element's signal from its Markov blanket only (default true). */
  readonly raoBlackwell?: boolean;
  /** Entropy term: closed form (default) or "stl" (sticking the landing). */
  readonly entropy?: EntropyMode;
  /**
   * "analytic": a latent whose prior is a Normal with constant arguments over an unconstrained
   * real latent contributes E_q[log prior] in closed form (with the closed-form entropy, an
   * analytic KL), removing that term's Monte Carlo noise; "sampled" (default): every term is
   * sampled. Not used under minibatching. Measured on eight_schools, linreg and logreg (seeds
   * 1-3): no better accuracy, and eight_schools needed more steps, so it is not the default.
   */
  readonly kl?: KlMode;
  /** Initialisation: "laplace" (mode and curvature; default) or "zero" (mean 0, sd initScale). */
  readonly init?: InitMode;
  /** Initial sd of the "zero" initialisation (default 1). */
  readonly initScale?: number;
  /** Adam's base step size (default 0.1; steps on the means are scaled by the current sd). */
  readonly learningRate?: number;
  /** Step size decays as learningRate / sqrt(1 + t / decaySteps) (default 100). */
  readonly decaySteps?: number;
  /** Hard cap on optimisation steps (default 10000). */
  readonly maxSteps?: number;
  /** No convergence before this many steps (default 75; 100 when minibatching). */
  readonly minSteps?: number;
  /** Window of the convergence test, in steps (default 25; 50 when minibatching). */
  readonly window?: number;
  /** Absolute ELBO tolerance of the convergence test, in nats (default 0.01). */
  readonly tolerance?: number;
  /** Steps of iterate averaging after convergence (default: as many as it took to converge, clamped to [75, 1000]; [150, 1000] times N/B when minibatching). */
  readonly averageSteps?: number;
  /** Gradient norm clip: "auto" (10x the running median norm) or a number (default "auto"). */
  readonly clipNorm?: "auto" | number;
  /** Draws for the final ELBO, the summary and Pareto k (default 4000). */
  readonly finalSamples?: number;
  /** Minibatch size over a plate (default: the full data every step). */
  readonly batchSize?: number;
  /** The plate to subsample with batchSize, by its size name (default: the largest plate). */
  readonly plate?: string;
  /** Progress callback, every `progressEvery` steps (default 50). */
  readonly onProgress?: (p: ProgressInfo) => void;
  readonly progressEvery?: number;
  readonly checkpoint?: CheckpointOptions;
  /** A checkpoint (its JSON data, or a path to its file) to resume from. */
  readonly resume?: unknown;
}

export interface ResolvedOptions {
  readonly method: string;
  readonly seed: string;
  readonly family: FamilyChoice;
  readonly rank: number;
  readonly samples: number;
  readonly estimator: EstimatorName;
  readonly controlVariate: ControlVariateName;
  readonly raoBlackwell: boolean;
  readonly entropy: EntropyMode;
  readonly kl: KlMode;
  readonly init: InitMode;
  readonly initScale: number;
  readonly learningRate: number;
  readonly decaySteps: number;
  readonly maxSteps: number;
  readonly minSteps: number;
  readonly window: number;
  readonly tolerance: number;
  readonly averageSteps: number | undefined;
  readonly clipNorm: "auto" | number;
  readonly finalSamples: number;
  readonly batchSize: number | undefined;
  readonly plate: string | undefined;
  readonly onProgress: ((p: ProgressInfo) => void) | undefined;
  readonly progressEvery: number;
  readonly checkpoint: CheckpointOptions | undefined;
  readonly resume: unknown;
  /** The options the caller set (the rest are defaults a method may adapt to the model). */
  readonly given: ReadonlySet<string>;
}

export const DEFAULT_OPTIONS = {
  method: "auto",
  seed: "0",
  family: "auto",
  rank: 2,
  samples: 8,
  estimator: "reparam",
  controlVariate: "optimal",
  raoBlackwell: true,
  entropy: "analytic",
  kl: "sampled",
  init: "laplace",
  initScale: 1,
  learningRate: 0.1,
  decaySteps: 100,
  maxSteps: 10000,
  minSteps: 75,
  window: 25,
  tolerance: 0.01,
  clipNorm: "auto",
  finalSamples: 4000,
  progressEvery: 50,
} as const;

type Check = (v: unknown) => string | undefined;

const oneOf = (values: readonly string[]): Check => (v) => (typeof v === "string" && values.includes(v) ? undefined : `one of ${values.map((x) => `'${x}'`).join(", ")}`);
const int = (lo: number, hi: number): Check => (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `an integer in [${lo}, ${hi}]`;
const positive = (hi = Infinity): Check => (v) =>
  typeof v === "number" && Number.isFinite(v) && v > 0 && v <= hi ? undefined : hi === Infinity ? "a positive finite number" : `a number in (0, ${hi}]`;
const func: Check = (v) => (typeof v === "function" ? undefined : "a function");

const CHECKS: Readonly<Record<keyof FitOptions, Check>> = {
  method: oneOf(METHOD_NAMES),
  seed: (v) => ((typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length > 0) ? undefined : "a finite number or a non-empty string"),
  family: oneOf(["auto", "meanfield", "fullrank", "lowrank", "custom"]),
  rank: int(1, 1000),
  samples: int(1, 100000),
  estimator: oneOf(["reparam", "score"]),
  controlVariate: oneOf(["optimal", "decaying", "none"]),
  raoBlackwell: (v) => (typeof v === "boolean" ? undefined : "true or false"),
  entropy: oneOf(["analytic", "stl"]),
  kl: oneOf(["analytic", "sampled"]),
  init: oneOf(["laplace", "zero"]),
  initScale: positive(),
  learningRate: positive(10),
  decaySteps: positive(),
  maxSteps: int(1, 10_000_000),
  minSteps: int(0, 10_000_000),
  window: int(5, 100000),
  tolerance: positive(),
  averageSteps: int(0, 10_000_000),
  clipNorm: (v) => (v === "auto" || (typeof v === "number" && v > 0 && Number.isFinite(v)) ? undefined : "'auto' or a positive number"),
  finalSamples: int(10, 10_000_000),
  batchSize: int(1, 1_000_000_000),
  plate: (v) => (typeof v === "string" && v.length > 0 ? undefined : "the name of a plate (its size, e.g. 'N')"),
  onProgress: func,
  progressEvery: int(1, 10_000_000),
  checkpoint: (v) => {
    if (typeof v !== "object" || v === null) return "an object { every, path?, onCheckpoint? }";
    const c = v as Record<string, unknown>;
    for (const k of Object.keys(c)) if (!["every", "path", "onCheckpoint"].includes(k)) return `an object { every, path?, onCheckpoint? } (unknown key '${k}')`;
    if (int(1, 1e9)(c.every) !== undefined) return "an object whose 'every' is a positive integer";
    if (c.path !== undefined && typeof c.path !== "string") return "an object whose 'path' is a string";
    if (c.onCheckpoint !== undefined && typeof c.onCheckpoint !== "function") return "an object whose 'onCheckpoint' is a function";
    return undefined;
  },
  resume: (v) => (typeof v === "string" || (typeof v === "object" && v !== null) ? undefined : "a checkpoint object or a path to a checkpoint file"),
};

export const OPTION_NAMES: readonly string[] = Object.keys(CHECKS);

export function validateOptions(raw: unknown): PhaseResult<ResolvedOptions> {
  const diagnostics: Diagnostic[] = [];
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { diagnostics: [badOptionValue("options", raw, "an object of fit options")] };
  }
  const o = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (!(k in CHECKS)) {
      diagnostics.push(unknownOption(k, OPTION_NAMES));
      continue;
    }
    if (v === undefined) continue;
    const expected = CHECKS[k as keyof FitOptions](v);
    if (expected !== undefined) diagnostics.push(badOptionValue(k, v, expected));
  }
  const get = <T>(k: keyof FitOptions, d: T): T => (o[k] === undefined ? d : (o[k] as T));
  const maxSteps = get("maxSteps", DEFAULT_OPTIONS.maxSteps);
  const minSteps = get("minSteps", Math.min(DEFAULT_OPTIONS.minSteps, maxSteps));
  if (diagnostics.length === 0 && minSteps > maxSteps) diagnostics.push(badOptionValue("minSteps", minSteps, `at most maxSteps (${maxSteps})`));
  if (diagnostics.length > 0) return { diagnostics };
  return {
    value: {
      method: get("method", DEFAULT_OPTIONS.method),
      seed: String(get<number | string>("seed", DEFAULT_OPTIONS.seed)),
      family: get("family", DEFAULT_OPTIONS.family),
      rank: get("rank", DEFAULT_OPTIONS.rank),
      samples: get("samples", DEFAULT_OPTIONS.samples),
      estimator: get("estimator", DEFAULT_OPTIONS.estimator),
      controlVariate: get("controlVariate", DEFAULT_OPTIONS.controlVariate),
      raoBlackwell: get("raoBlackwell", DEFAULT_OPTIONS.raoBlackwell),
      entropy: get("entropy", DEFAULT_OPTIONS.entropy),
      kl: get("kl", DEFAULT_OPTIONS.kl),
      init: get("init", DEFAULT_OPTIONS.init),
      initScale: get("initScale", DEFAULT_OPTIONS.initScale),
      learningRate: get("learningRate", DEFAULT_OPTIONS.learningRate),
      decaySteps: get("decaySteps", DEFAULT_OPTIONS.decaySteps),
      maxSteps,
      minSteps,
      window: get("window", DEFAULT_OPTIONS.window),
      tolerance: get("tolerance", DEFAULT_OPTIONS.tolerance),
      averageSteps: get<number | undefined>("averageSteps", undefined),
      clipNorm: get("clipNorm", DEFAULT_OPTIONS.clipNorm),
      finalSamples: get("finalSamples", DEFAULT_OPTIONS.finalSamples),
      batchSize: get<number | undefined>("batchSize", undefined),
      plate: get<string | undefined>("plate", undefined),
      onProgress: get<((p: ProgressInfo) => void) | undefined>("onProgress", undefined),
      progressEvery: get("progressEvery", DEFAULT_OPTIONS.progressEvery),
      checkpoint: get<CheckpointOptions | undefined>("checkpoint", undefined),
      resume: o.resume,
      given: new Set(Object.keys(o).filter((k) => o[k] !== undefined)),
    },
    diagnostics,
  };
}
