/**
 * Draws from a fitted approximation in the constrained space, with the deterministic `let`s that
 * depend on latents, element by element ("theta[3]", 0-based), and optionally the log importance
 * ratios log p - log q of each draw (for the final ELBO and Pareto k).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../stdlib/index.js";
import type { Approximation } from "./approximation/index.js";
import type { LogJoint } from "./target.js";
import { disposeValues } from "./transform.js";

/** Draws of one variable: its shape and values, draw-major ([n, ...shape] flattened). */
export interface VariableDraws {
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

export interface PosteriorDraws {
  readonly n: number;
  /** Latents first (layout order), then deterministics, each by variable name. */
  readonly variables: Map<string, VariableDraws>;
  readonly logWeights?: Float64Array;
}

const CHUNK = 256;

/** Copies a chunk of draws t [c, ...shape] of `name` into its n-draw buffer, starting at draw `at`. */
function putChunk(variables: Map<string, VariableDraws>, n: number, name: string, t: tf.Tensor, at: number): void {
  const shape = t.shape.slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  let d = variables.get(name);
  if (!d) {
    d = { shape, values: new Float64Array(n * size) };
    variables.set(name, d);
  }
  d.values.set(t.dataSync(), at * size);
}

export function drawPosterior(
  approximation: Approximation,
  logJoint: LogJoint | undefined,
  n: number,
  rng: Rng,
  options: { readonly weights?: boolean } = {},
): PosteriorDraws {
  const variables = new Map<string, VariableDraws>();
  const lw = options.weights && logJoint ? new Float64Array(n) : undefined;
  const put = (name: string, t: tf.Tensor, at: number): void => putChunk(variables, n, name, t, at);
  for (let at = 0; at < n; at += CHUNK) {
    const c = Math.min(CHUNK, n - at);
    const { values, logQ } = approximation.draw(c, rng);
    for (const [name, t] of values) put(name, t, at);
    if (logJoint) {
      const det = logJoint.deterministics(values);
      for (const [name, t] of det) put(name, t, at);
      disposeValues(det);
      if (lw) {
        const w = tf.tidy(() => tf.sub(logJoint.logJoint(values), logQ));
        lw.set(w.dataSync(), at);
        w.dispose();
      }
    }
    disposeValues(values);
    logQ.dispose();
  }
  return { n, variables, ...(lw ? { logWeights: lw } : {}) };
}

/** Posterior predictive draws of the observed variables, and the ones the model could not draw. */
export interface PredictiveDraws {
  readonly n: number;
  readonly variables: Map<string, VariableDraws>;
  /** Observed variables without draws, with why. */
  readonly skipped: ReadonlyMap<string, string>;
}

/** n draws of the data: latents from the approximation, then each observed `~` at those values. */
export function drawPredictive(approximation: Approximation, logJoint: LogJoint, n: number, rng: Rng): PredictiveDraws {
  if (!logJoint.predictive) throw new Error("internal: this log joint cannot draw predictive data");
  const variables = new Map<string, VariableDraws>();
  let skipped: ReadonlyMap<string, string> = new Map();
  const latentRng = rng.fork("latents");
  const dataRng = rng.fork("data");
  for (let at = 0; at < n; at += CHUNK) {
    const c = Math.min(CHUNK, n - at);
    const { values, logQ } = approximation.draw(c, latentRng);
    logQ.dispose();
    const out = logJoint.predictive(values, dataRng);
    disposeValues(values);
    skipped = out.skipped;
    for (const [name, t] of out.draws) putChunk(variables, n, name, t, at);
    disposeValues(out.draws);
  }
  return { n, variables, skipped };
}

/** "theta[3]", "L[1,0]" or "mu": names of the scalar elements of a variable, row-major, 0-based. */
export function elementNames(name: string, shape: readonly number[]): string[] {
  if (shape.length === 0) return [name];
  const size = shape.reduce((a, b) => a * b, 1);
  const out: string[] = [];
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    out.push(`${name}[${idx.join(",")}]`);
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      idx[ax]! += 1;
      if (idx[ax]! < shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Per-element columns: element name -> its n draws. */
export function columns(d: PosteriorDraws): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [name, v] of d.variables) {
    const names = elementNames(name, v.shape);
    const size = names.length;
    names.forEach((en, j) => {
      const col = new Float64Array(d.n);
      for (let s = 0; s < d.n; s++) col[s] = v.values[s * size + j]!;
      out.set(en, col);
    });
  }
  return out;
}

/** Two sets of draws of the same variables, one after the other (weights are dropped). */
export function concatDraws(a: PosteriorDraws, b: PosteriorDraws): PosteriorDraws {
  const variables = new Map<string, VariableDraws>();
  for (const [name, va] of a.variables) {
    const vb = b.variables.get(name)!;
    const values = new Float64Array(va.values.length + vb.values.length);
    values.set(va.values);
    values.set(vb.values, va.values.length);
    variables.set(name, { shape: va.shape, values });
  }
  return { n: a.n + b.n, variables };
}
