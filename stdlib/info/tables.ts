/**
 * Information theory on discrete joint probability tables: a table is nested arrays (or a
 * tensor) whose axes are the variables, p[x][y] = P(X = x, Y = y), with non-negative entries
 * summing to 1. Everything here is plain float64 JavaScript (tables are small and the results
 * are numbers); a tensor table is read back once.
 *
 * Conventions: 0 log 0 = 0; a cell where p > 0 but q = 0 makes KL and cross-entropy +Infinity.
 */
import * as tf from "@tensorflow/tfjs";
import { type InfoBase, natsPerUnit } from "./units.js";

/** A probability table: nested arrays of numbers (one axis per variable) or a tensor. */
export type ProbabilityTable = number | readonly ProbabilityTable[] | tf.Tensor;

/** A table read and checked: float64 cells in row-major order and the shape. */
export interface Table {
  readonly p: Float64Array;
  readonly shape: readonly number[];
}

export interface TableOptions {
  /** Unit of the result; default "nats". */
  readonly base?: InfoBase;
  /**
   * Divide by the total first, so counts may be passed instead of probabilities. Default false:
   * a table that does not sum to 1 is an error (it usually means the wrong table).
   */
  readonly normalize?: boolean;
}

/** How far from 1 a table's sum may be: float64 arrays, float32 tensors. */
export const TABLE_TOLERANCE = 1e-6;
export const TENSOR_TABLE_TOLERANCE = 1e-5;

/** Is this a probability table (rather than a distribution or a joint model)? */
export function isProbabilityTable(x: unknown): x is ProbabilityTable {
  return typeof x === "number" || Array.isArray(x) || x instanceof tf.Tensor;
}

function nestedShape(v: ProbabilityTable, owner: string, what: string): number[] {
  if (typeof v === "number") return [];
  if (!Array.isArray(v)) throw new TypeError(`${owner}: argument '${what}' must be nested arrays of numbers or a tensor`);
  if (v.length === 0) throw new RangeError(`${owner}: argument '${what}' has an empty axis`);
  const first = nestedShape(v[0] as ProbabilityTable, owner, what);
  for (let i = 1; i < v.length; i++) {
    const s = nestedShape(v[i] as ProbabilityTable, owner, what);
    if (s.length !== first.length || s.some((n, k) => n !== first[k])) {
      throw new RangeError(`${owner}: argument '${what}' is ragged: entry ${i} has shape [${s.join(", ")}] but entry 0 has [${first.join(", ")}]`);
    }
  }
  return [v.length, ...first];
}

function flattenInto(v: ProbabilityTable, out: number[]): void {
  if (typeof v === "number") out.push(v);
  else for (const e of v as readonly ProbabilityTable[]) flattenInto(e, out);
}

/**
 * Reads and checks a probability table: rectangular, finite, non-negative, summing to 1 (or
 * normalised when asked). Errors name the function and the argument.
 */
export function readTable(t: ProbabilityTable, owner: string, what = "table", normalize = false): Table {
  let p: Float64Array;
  let shape: number[];
  let tol = TABLE_TOLERANCE;
  if (t instanceof tf.Tensor) {
    p = Float64Array.from(t.dataSync());
    shape = [...t.shape];
    tol = TENSOR_TABLE_TOLERANCE;
  } else {
    shape = nestedShape(t, owner, what);
    const flat: number[] = [];
    flattenInto(t, flat);
    p = Float64Array.from(flat);
  }
  if (p.length === 0) throw new RangeError(`${owner}: argument '${what}' is empty`);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`${owner}: argument '${what}' must hold finite numbers; entry ${fmtIndex(i, shape)} is ${v}`);
    }
    if (v < 0) throw new RangeError(`${owner}: argument '${what}' must be non-negative (a probability table); entry ${fmtIndex(i, shape)} is ${v}`);
    sum += v;
  }
  if (normalize) {
    if (!(sum > 0)) throw new RangeError(`${owner}: argument '${what}' sums to ${sum}; cannot normalise`);
    for (let i = 0; i < p.length; i++) p[i] = p[i]! / sum;
  } else if (Math.abs(sum - 1) > tol) {
    throw new RangeError(`${owner}: argument '${what}' must sum to 1 (a probability table), got a sum of ${sum}; pass { normalize: true } for counts`);
  }
  return { p, shape };
}

function fmtIndex(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    idx.unshift(flat % shape[k]!);
    flat = Math.floor(flat / shape[k]!);
  }
  return `[${idx.join(", ")}]`;
}

/** Normalises an axis list (negative axes count from the end) and checks it. */
function normAxes(axes: number | readonly number[], rank: number, owner: string, what: string): number[] {
  const list = typeof axes === "number" ? [axes] : [...axes];
  const out = list.map((a) => (a < 0 ? a + rank : a));
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`${owner}: option '${what}' has axis ${list[i]}, but the table has ${rank} axes`);
  }
  if (new Set(out).size !== out.length) throw new RangeError(`${owner}: option '${what}' repeats an axis: [${list.join(", ")}]`);
  return out.sort((a, b) => a - b);
}

/** The marginal over `keep` axes (in increasing order). */
export function marginal(t: Table, keep: readonly number[]): Table {
  const shape = keep.map((a) => t.shape[a]!);
  const size = shape.reduce((s, n) => s * n, 1);
  const out = new Float64Array(size);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < t.p.length; i++) {
    let o = 0;
    for (const a of keep) o = o * t.shape[a]! + idx[a]!;
    out[o]! += t.p[i]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < t.shape[k]!) break;
      idx[k] = 0;
    }
  }
  return { p: out, shape };
}

/** -sum p log p, in nats. */
export function entropyNats(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v > 0) h -= v * Math.log(v);
  }
  return Math.max(0, h);
}

function checkSameShape(a: Table, b: Table, owner: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) {
    throw new RangeError(`${owner}: arguments 'p' and 'q' must have the same shape, got [${a.shape.join(", ")}] and [${b.shape.join(", ")}]`);
  }
}

/** H(p) of a table (all axes jointly). */
export function tableEntropy(t: ProbabilityTable, options: TableOptions = {}): number {
  const tab = readTable(t, "entropy", "p", options.normalize);
  return entropyNats(tab.p) / natsPerUnit(options.base, "entropy");
}

/** H(X1, …, Xn) of a joint table, the same as `entropy` of the table. */
export function jointEntropy(t: ProbabilityTable, options: TableOptions = {}): number {
  const tab = readTable(t, "jointEntropy", "table", options.normalize);
  return entropyNats(tab.p) / natsPerUnit(options.base, "jointEntropy");
}

export interface ConditionalEntropyOptions extends TableOptions {
  /** The conditioning axis or axes: H(rest | given). Default the last axis. */
  readonly given?: number | readonly number[];
}

/** H(X | Y) = H(X, Y) - H(Y), Y the `given` axes of the table (default: the last axis). */
export function conditionalEntropy(t: ProbabilityTable, options: ConditionalEntropyOptions = {}): number {
  const owner = "conditionalEntropy";
  const tab = readTable(t, owner, "table", options.normalize);
  const rank = tab.shape.length;
  if (rank < 2) throw new RangeError(`${owner}: argument 'table' must have at least 2 axes (one per variable), got ${rank}`);
  const given = normAxes(options.given ?? rank - 1, rank, owner, "given");
  const h = entropyNats(tab.p) - entropyNats(marginal(tab, given).p);
  return Math.max(0, h) / natsPerUnit(options.base, owner);
}

export interface MutualInformationOptions extends TableOptions {
  /** Axes of X; default [0]. */
  readonly x?: number | readonly number[];
  /** Axes of Y; default every axis not in x (or in given). */
  readonly y?: number | readonly number[];
  /** Axes of Z for the conditional mutual information I(X; Y | Z); default none. */
  readonly given?: number | readonly number[];
}

/**
 * I(X; Y) = sum p(x, y) log(p(x, y) / (p(x) p(y))) between two groups of axes of a joint table
 * (other axes are marginalised out), or I(X; Y | Z) with `given`. Never negative.
 */
export function tableMutualInformation(t: ProbabilityTable, options: MutualInformationOptions = {}): number {
  const owner = "mutualInformation";
  const tab = readTable(t, owner, "table", options.normalize);
  const rank = tab.shape.length;
  if (rank < 2) throw new RangeError(`${owner}: argument 'table' must have at least 2 axes (one per variable), got ${rank}`);
  const z = options.given === undefined ? [] : normAxes(options.given, rank, owner, "given");
  const x = normAxes(options.x ?? 0, rank, owner, "x");
  const y = options.y === undefined ? [...Array(rank).keys()].filter((a) => !x.includes(a) && !z.includes(a)) : normAxes(options.y, rank, owner, "y");
  const overlap = [...x, ...y, ...z].length !== new Set([...x, ...y, ...z]).size;
  if (overlap) throw new RangeError(`${owner}: options 'x', 'y' and 'given' must name different axes`);
  if (y.length === 0) throw new RangeError(`${owner}: no axes left for Y; give option 'y'`);
  // I(X; Y | Z) = H(X, Z) + H(Y, Z) - H(X, Y, Z) - H(Z); with Z empty it is I(X; Y).
  const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
  const hxz = entropyNats(marginal(tab, sorted([...x, ...z])).p);
  const hyz = entropyNats(marginal(tab, sorted([...y, ...z])).p);
  const hxyz = entropyNats(marginal(tab, sorted([...x, ...y, ...z])).p);
  const hz = z.length === 0 ? 0 : entropyNats(marginal(tab, z).p);
  // Rounding can leave -1e-16 for independent variables.
  return Math.max(0, hxz + hyz - hxyz - hz) / natsPerUnit(options.base, owner);
}

/** KL(p || q) = sum p log(p / q) between two tables of the same shape. */
export function tableKL(p: ProbabilityTable, q: ProbabilityTable, options: TableOptions = {}): number {
  const owner = "klDivergence";
  const a = readTable(p, owner, "p", options.normalize);
  const b = readTable(q, owner, "q", options.normalize);
  checkSameShape(a, b, owner);
  let kl = 0;
  for (let i = 0; i < a.p.length; i++) {
    const pi = a.p[i]!;
    if (pi === 0) continue;
    const qi = b.p[i]!;
    if (qi === 0) return Infinity;
    kl += pi * Math.log(pi / qi);
  }
  return Math.max(0, kl) / natsPerUnit(options.base, owner);
}

/** H(p, q) = -sum p log q = H(p) + KL(p || q) between two tables of the same shape. */
export function tableCrossEntropy(p: ProbabilityTable, q: ProbabilityTable, options: TableOptions = {}): number {
  const owner = "crossEntropy";
  const a = readTable(p, owner, "p", options.normalize);
  const b = readTable(q, owner, "q", options.normalize);
  checkSameShape(a, b, owner);
  let h = 0;
  for (let i = 0; i < a.p.length; i++) {
    const pi = a.p[i]!;
    if (pi === 0) continue;
    const qi = b.p[i]!;
    if (qi === 0) return Infinity;
    h -= pi * Math.log(qi);
  }
  return Math.max(0, h) / natsPerUnit(options.base, owner);
}
