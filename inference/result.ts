/**
 * The fitted posterior every method returns: the method and why, the ELBO (a final estimate from
 * many draws, with its standard error) and its trace, convergence, a Stan-like summary in the
 * constrained space (latents and the deterministic lets that depend on them), draws, the Pareto-k
 * diagnostic, and save/load as plain JSON.
 */
import * as tf from "@tensorflow/tfjs";
import { PplError } from "../language/index.js";
import { Rng } from "../stdlib/index.js";
import { columns, drawPosterior, drawPredictive, type PosteriorDraws, type PredictiveDraws } from "./draws.js";
import { badSavedFit } from "./errors.js";
import { approximationFromState, type Approximation, type ApproximationState } from "./approximation/index.js";
import type { ParetoDiagnostic } from "./psis.js";
import type { LatentLayout, LogJoint } from "./target.js";

export interface SummaryRow {
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  readonly q05: number;
  readonly q50: number;
  readonly q95: number;
}

export interface FitDiagnostics {
  readonly paretoK: number;
  readonly verdict: ParetoDiagnostic["verdict"];
  readonly message: string;
  /** How the guide was initialised. */
  readonly init: string;
  /** Steps whose ELBO or gradient went non-finite and were undone. */
  readonly nonFiniteSteps: number;
  /** Method-specific figures (plain JSON). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/** What a saved fit records of the model, to check it is loaded into the same one. */
export interface SavedLayout {
  readonly name: string;
  readonly shape: readonly number[];
  readonly constraint: LatentLayout["constraint"];
  readonly offset: number;
  readonly unconstrainedSize: number;
  /** Discrete latents are listed too (fits before discrete support omit the flag: continuous). */
  readonly discrete?: boolean;
}

/** What a FitResult is made from (and what `save()` writes, with a format tag). */
export interface FitResultInit {
  readonly method: string;
  readonly methodReason: string;
  readonly layout: readonly SavedLayout[];
  /** The fitted approximation's state (a Gaussian guide's parameters, CAVI's factors, ...). */
  readonly guide: ApproximationState;
  readonly params: Readonly<Record<string, { shape: number[]; values: number[] }>>;
  readonly elbo: number;
  readonly elboSe: number;
  readonly trace: readonly number[];
  readonly converged: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly seconds: number;
  readonly diagnostics: FitDiagnostics;
  readonly summary: readonly SummaryRow[];
}

export interface SavedFit extends FitResultInit {
  readonly format: "vippl-fit";
  readonly version: 1;
}

export class FitResult {
  readonly method: string;
  /** Why this method ("auto: ..." or "chosen by name"). */
  readonly methodReason: string;
  /** Final ELBO estimate (nats) from `finalSamples` draws, and its Monte Carlo standard error. */
  readonly elbo: number;
  readonly elboSe: number;
  /** The per-step ELBO estimates. */
  readonly trace: readonly number[];
  readonly converged: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly seconds: number;
  readonly diagnostics: FitDiagnostics;
  /** The fitted approximation: its family and parameters (rebuilt by the approximation registry). */
  readonly guide: ApproximationState;
  /** Point estimates of the model's `param`s. */
  readonly params: Readonly<Record<string, { shape: number[]; values: number[] }>>;
  readonly layout: readonly SavedLayout[];
  private readonly rows: readonly SummaryRow[];
  private logJoint: LogJoint | undefined;
  private readonly ownsLogJoint: boolean;

  constructor(init: FitResultInit, logJoint?: LogJoint, owns = false) {
    this.ownsLogJoint = owns;
    this.method = init.method;
    this.methodReason = init.methodReason;
    this.elbo = init.elbo;
    this.elboSe = init.elboSe;
    this.trace = init.trace;
    this.converged = init.converged;
    this.reason = init.reason;
    this.steps = init.steps;
    this.seconds = init.seconds;
    this.diagnostics = init.diagnostics;
    this.guide = init.guide;
    this.params = init.params;
    this.layout = init.layout;
    this.rows = init.summary;
    this.logJoint = logJoint;
  }

  get family(): string {
    return this.guide.family;
  }

  /** mean, sd, 5%, 50%, 95% per scalar element ("theta[3]", 0-based), constrained space. */
  summary(): SummaryRow[] {
    return this.rows.map((r) => ({ ...r }));
  }

  /** One summary row by element name. */
  row(name: string): SummaryRow | undefined {
    return this.rows.find((r) => r.name === name);
  }

  /**
   * n fresh draws per scalar element (and per deterministic when the model is attached), by
   * element name; seeded.
   */
  sample(n: number, seed: number | string = 0): Record<string, Float64Array> {
    const d = this.draws(n, seed);
    return Object.fromEntries(columns(d));
  }

  /** n draws by variable, with shapes ([n, ...shape] flattened row-major). */
  draws(n: number, seed: number | string = 0): PosteriorDraws {
    if (!Number.isInteger(n) || n < 1) throw new PplError([badSavedFit(`sample(n): n must be a positive integer, got ${n}`)]);
    const q = this.approximation();
    try {
      return drawPosterior(q, this.logJoint, n, new Rng(String(seed)).fork("sample"));
    } finally {
      q.dispose();
    }
  }

  /**
   * n posterior predictive draws of the observed data: latents from the fitted approximation,
   * then every observed `~` drawn at those values, by variable ([n, ...shape] row-major), with
   * the observed variables the model's statements do not let vippl draw. Needs the model.
   */
  predictive(n: number, seed: number | string = 0): PredictiveDraws {
    if (!Number.isInteger(n) || n < 1) throw new PplError([badSavedFit(`predictive(n): n must be a positive integer, got ${n}`)]);
    if (!this.logJoint?.predictive) throw new PplError([badSavedFit("posterior predictive draws need the model: fit it with model.fit(), or load it with model.loadFit(saved, data)")]);
    const q = this.approximation();
    try {
      return drawPredictive(q, this.logJoint, n, new Rng(String(seed)).fork("predictive"));
    } finally {
      q.dispose();
    }
  }

  /** The fitted approximation rebuilt from its state (the caller disposes it). */
  private approximation(): Approximation {
    const latents = this.logJoint?.latents ?? this.layout.map((l) => ({ ...l, size: l.shape.reduce((a, b) => a * b, 1), discrete: l.discrete ?? false, span: ZERO_SPAN }));
    return approximationFromState(this.guide, latents, this.logJoint ? { logJoint: this.logJoint } : undefined);
  }

  save(): SavedFit {
    return {
      format: "vippl-fit",
      version: 1,
      method: this.method,
      methodReason: this.methodReason,
      layout: this.layout,
      guide: this.guide,
      params: this.params,
      elbo: this.elbo,
      elboSe: this.elboSe,
      trace: this.trace,
      converged: this.converged,
      reason: this.reason,
      steps: this.steps,
      seconds: this.seconds,
      diagnostics: this.diagnostics,
      summary: this.rows,
    };
  }

  toJSON(): SavedFit {
    return this.save();
  }

  /**
   * Rebuilds a fit from `save()`'s data (an object or its JSON text). With a log joint, checks it
   * is the same model and sizes, and draws include the deterministics.
   */
  static load(saved: SavedFit | string, logJoint?: LogJoint, owns = false): FitResult {
    let s: SavedFit;
    try {
      s = typeof saved === "string" ? (JSON.parse(saved) as SavedFit) : saved;
    } catch (e) {
      throw new PplError([badSavedFit(`cannot read the saved fit: ${(e as Error).message}`)]);
    }
    if (!s || s.format !== "vippl-fit" || s.version !== 1 || !s.guide || !Array.isArray(s.layout)) {
      throw new PplError([badSavedFit("this is not a saved vippl fit (format 'vippl-fit', version 1)")]);
    }
    if (logJoint) {
      const problem = layoutMismatch(s.layout, logJoint) ?? restoreParams(s.params ?? {}, logJoint);
      if (problem) throw new PplError([badSavedFit(`the saved fit does not match this model: ${problem}`)]);
    }
    return new FitResult(s, logJoint, owns);
  }

  /** Detaches the model; frees its log joint when the fit made it (model.fit does). */
  dispose(): void {
    if (this.ownsLogJoint) this.logJoint?.dispose();
    this.logJoint = undefined;
  }
}

const ZERO_SPAN = { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

export function savedLayout(latents: readonly LatentLayout[]): SavedLayout[] {
  return latents.map((l) => ({ name: l.name, shape: [...l.shape], constraint: l.constraint, offset: l.offset, unconstrainedSize: l.unconstrainedSize, ...(l.discrete ? { discrete: true } : {}) }));
}

/**
 * Puts the saved point estimates of the model's params (network weights included) back into the
 * log joint's variables, so draws of deterministics and predictive draws use the fitted values.
 * Returns why they do not fit, or undefined once restored.
 */
function restoreParams(saved: FitResultInit["params"], lj: LogJoint): string | undefined {
  for (const [name, v] of lj.params) {
    const p = saved[name];
    if (!p) return `it has no value for the param '${name}'`;
    if (p.shape.join(",") !== v.shape.join(",") || p.values.length !== v.size) return `the param '${name}' has shape [${p.shape.join(", ")}] there and [${v.shape.join(", ")}] here`;
  }
  tf.tidy(() => {
    for (const [name, v] of lj.params) v.assign(tf.tensor(Float32Array.from(saved[name]!.values), v.shape, "float32"));
  });
  return undefined;
}

/** Why a saved layout does not fit a log joint, or undefined when it does. */
export function layoutMismatch(saved: readonly SavedLayout[], lj: LogJoint): string | undefined {
  const now = savedLayout(lj.latents);
  if (now.length !== saved.length) return `it has ${saved.length} latents, the model has ${now.length}`;
  for (let i = 0; i < now.length; i++) {
    const a = saved[i]!;
    const b = now[i]!;
    if (a.name !== b.name) return `latent ${i} is '${a.name}' there and '${b.name}' here`;
    if (a.shape.join(",") !== b.shape.join(",")) return `latent '${a.name}' has shape [${a.shape.join(", ")}] there and [${b.shape.join(", ")}] here`;
    if (JSON.stringify(a.constraint) !== JSON.stringify(b.constraint)) return `latent '${a.name}' has a different constraint`;
    if ((a.discrete ?? false) !== (b.discrete ?? false)) return `latent '${a.name}' is ${a.discrete ? "discrete" : "continuous"} there and ${b.discrete ? "discrete" : "continuous"} here`;
    if (a.offset !== b.offset || a.unconstrainedSize !== b.unconstrainedSize) return `latent '${a.name}' has a different place in the unconstrained vector`;
  }
  return undefined;
}

/** Summary rows from draws: latents then deterministics, element by element. */
export function summarise(d: PosteriorDraws): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const [name, col] of columns(d)) {
    const n = col.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[i]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (col[i]! - mean) ** 2;
    const sorted = Float64Array.from(col).sort();
    rows.push({ name, mean, sd: Math.sqrt(ss / Math.max(1, n - 1)), q05: quantile(sorted, 0.05), q50: quantile(sorted, 0.5), q95: quantile(sorted, 0.95) });
  }
  return rows;
}

/** Linear interpolation between order statistics (type 7, as R and NumPy default). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
