/**
 * Constraints as sets of values: containment (is a latent's declared constraint inside its
 * prior's support? does an argument satisfy a parameter's constraint?), light inference through
 * arithmetic and the math functions (exp gives positive, sigmoid the unit interval, a literal its
 * own value), and checking a constant against a constraint.
 *
 * Continuous sets are compared as closures: a boundary point carries no probability, so a latent
 * declared `real<lower=0>` fits a Gamma prior (support x > 0) and `exp(x)` (x > 0) is as good as
 * `abs(x)` (x >= 0) for a scale. Only constants are checked strictly: a scale of 0 is an error.
 * Integer bounds may be symbolic (`upper=K-1`) and are compared as sizes: `K-1` is within `K-1`
 * and within `K`, an unknown bound is given the benefit of the doubt.
 */
import type { BoundRef, ConstraintSpec } from "../signatures.js";
import type { Dim, ElemType } from "../types.js";
import { showDim, structuredTypeName } from "../types.js";
import { splitOffset } from "./shapes.js";

/** One end of a range: unbounded, a number, a symbolic size (`K-1`), or not known here. */
export type Bound =
  | { readonly kind: "none" }
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "sym"; readonly dim: Dim }
  | { readonly kind: "unknown" };

export type Structure = "simplex" | "ordered" | "positive_ordered" | "lower_cholesky" | "corr_cholesky" | "positive_definite";

/** A constraint seen as a set: the element range, whether it is discrete, and the structure of the trailing axes. */
export interface Range {
  readonly lo: Bound;
  readonly hi: Bound;
  readonly discrete: boolean;
  readonly structure: Structure | null;
}

export const NONE: Bound = { kind: "none" };
export const UNKNOWN_BOUND: Bound = { kind: "unknown" };
export const num = (value: number): Bound =>
  value === Infinity || value === -Infinity || Number.isNaN(value) ? NONE : { kind: "num", value };
export const symBound = (dim: Dim): Bound => (dim.kind === "const" ? num(dim.value) : dim.kind === "sym" ? { kind: "sym", dim } : UNKNOWN_BOUND);

export const REAL_RANGE: Range = { lo: NONE, hi: NONE, discrete: false, structure: null };
export const INT_RANGE: Range = { lo: NONE, hi: NONE, discrete: true, structure: null };

/** Resolves a distribution's symbolic bound (`{ param: "n" }`, `{ sizeOf: "probs", offset: -1 }`) in a call. */
export type BoundResolver = (ref: Exclude<BoundRef, number>) => Bound;

export function rangeOf(c: ConstraintSpec, resolve?: BoundResolver): Range {
  const cont = (lo: number, hi: number, structure: Structure | null = null): Range => ({ lo: num(lo), hi: num(hi), discrete: false, structure });
  switch (c.kind) {
    case "real":
      return REAL_RANGE;
    case "positive":
    case "nonnegative":
      return cont(0, Infinity);
    case "unit_interval":
      return cont(0, 1);
    case "greater_than":
      return cont(c.lower, Infinity);
    case "less_than":
      return cont(-Infinity, c.upper);
    case "interval":
      return cont(c.lower, c.upper);
    case "simplex":
      return cont(0, 1, "simplex");
    case "ordered":
      return cont(-Infinity, Infinity, "ordered");
    case "positive_ordered":
      return cont(0, Infinity, "positive_ordered");
    case "lower_cholesky":
      return cont(-Infinity, Infinity, "lower_cholesky");
    case "corr_cholesky":
      return cont(-1, 1, "corr_cholesky");
    case "positive_definite":
      return cont(-Infinity, Infinity, "positive_definite");
    case "boolean":
      return { lo: num(0), hi: num(1), discrete: true, structure: null };
    case "integer": {
      const side = (b: BoundRef | null): Bound => (b === null ? NONE : typeof b === "number" ? num(b) : resolve ? resolve(b) : UNKNOWN_BOUND);
      return { lo: side(c.lower), hi: side(c.upper), discrete: true, structure: null };
    }
  }
}

/** The constraint a range stands for, as recorded in a TensorT. Symbolic bounds are dropped (left open). */
export function constraintOf(r: Range, elem: ElemType): ConstraintSpec {
  if (elem === "bool") return { kind: "boolean" };
  switch (r.structure) {
    case "simplex":
    case "ordered":
    case "positive_ordered":
    case "lower_cholesky":
    case "corr_cholesky":
    case "positive_definite":
      return { kind: r.structure === "lower_cholesky" ? "lower_cholesky" : r.structure };
    default:
      break;
  }
  let lo = r.lo.kind === "num" ? r.lo.value : null;
  let hi = r.hi.kind === "num" ? r.hi.value : null;
  // A constant's type says what kind of number it is; its value is kept elsewhere (the range).
  if (lo !== null && lo === hi) lo = hi = null;
  if (elem === "int" || r.discrete) return { kind: "integer", lower: lo, upper: hi };
  if (lo === null && hi === null) return { kind: "real" };
  if (hi === null) return lo === 0 ? { kind: "positive" } : { kind: "greater_than", lower: lo! };
  if (lo === null) return { kind: "less_than", upper: hi };
  if (lo === 0 && hi === 1) return { kind: "unit_interval" };
  return { kind: "interval", lower: lo!, upper: hi };
}

// ---------------------------------------------------------------------------------------------
// Containment

export type Tri = "yes" | "no" | "unknown";

/** a <= b for two bounds on the same side, `none` meaning -inf when `lower` and +inf otherwise. */
function boundLE(a: Bound, b: Bound, aNone: number, bNone: number): Tri {
  if (a.kind === "unknown" || b.kind === "unknown") return "unknown";
  const av = a.kind === "none" ? aNone : a.kind === "num" ? a.value : undefined;
  const bv = b.kind === "none" ? bNone : b.kind === "num" ? b.value : undefined;
  if (av !== undefined && bv !== undefined) return av <= bv ? "yes" : "no";
  if (av === -Infinity || bv === Infinity) return "yes";
  if (av === Infinity || bv === -Infinity) return "no";
  if (a.kind === "sym" && b.kind === "sym" && a.dim.kind === "sym" && b.dim.kind === "sym") {
    const sa = splitOffset(a.dim.name);
    const sb = splitOffset(b.dim.name);
    if (sa.base === sb.base) return sa.offset <= sb.offset ? "yes" : "no";
  }
  return "unknown";
}

const structureImplies = (inner: Structure | null, outer: Structure): boolean =>
  inner === outer ||
  (outer === "ordered" && inner === "positive_ordered") ||
  (outer === "lower_cholesky" && inner === "corr_cholesky");

/** Is every value of `inner` in `outer`? Discreteness is the caller's business (an element type). */
export function rangeWithin(inner: Range, outer: Range): Tri {
  if (outer.structure !== null && !structureImplies(inner.structure, outer.structure)) return "no";
  const lo = boundLE(outer.lo, inner.lo, -Infinity, -Infinity);
  const hi = boundLE(inner.hi, outer.hi, Infinity, Infinity);
  if (lo === "no" || hi === "no") return "no";
  if (lo === "unknown" || hi === "unknown") return "unknown";
  return "yes";
}

// ---------------------------------------------------------------------------------------------
// Inference through arithmetic: numeric intervals, symbolic bounds forgotten.

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export function intervalOf(r: Range): Interval {
  const v = (b: Bound, dflt: number) => (b.kind === "num" ? b.value : dflt);
  return { lo: v(r.lo, -Infinity), hi: v(r.hi, Infinity) };
}

export const rangeFromInterval = (i: Interval, discrete: boolean, structure: Structure | null = null): Range => ({
  lo: num(i.lo),
  hi: num(i.hi),
  discrete,
  structure,
});

const ALL: Interval = { lo: -Infinity, hi: Infinity };
/** 0 * inf is 0 here: a bound of 0 times an unbounded factor stays at 0. */
const times = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

export const intervals = {
  point: (x: number): Interval => ({ lo: x, hi: x }),
  hull: (a: Interval, b: Interval): Interval => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }),
  neg: (a: Interval): Interval => ({ lo: -a.hi, hi: -a.lo }),
  add: (a: Interval, b: Interval): Interval => ({ lo: a.lo + b.lo, hi: a.hi + b.hi }),
  sub: (a: Interval, b: Interval): Interval => ({ lo: a.lo - b.hi, hi: a.hi - b.lo }),
  mul(a: Interval, b: Interval): Interval {
    const ps = [times(a.lo, b.lo), times(a.lo, b.hi), times(a.hi, b.lo), times(a.hi, b.hi)];
    return { lo: Math.min(...ps), hi: Math.max(...ps) };
  },
  div(a: Interval, b: Interval): Interval {
    // Only when the divisor keeps one sign (its boundary 0 is treated as approached, not reached).
    if (b.lo >= 0 && b.hi > 0) return intervals.mul(a, { lo: b.hi === Infinity ? 0 : 1 / b.hi, hi: b.lo === 0 ? Infinity : 1 / b.lo });
    if (b.hi <= 0 && b.lo < 0) return intervals.mul(a, { lo: b.hi === 0 ? -Infinity : 1 / b.hi, hi: b.lo === -Infinity ? 0 : 1 / b.lo });
    return ALL;
  },
  pow(a: Interval, b: Interval): Interval {
    if (a.lo >= 0) return { lo: 0, hi: Infinity };
    if (b.lo === b.hi && Number.isInteger(b.lo) && b.lo % 2 === 0) return { lo: 0, hi: Infinity };
    return ALL;
  },
  /** A monotone increasing function applied to an interval. */
  monotone(a: Interval, f: (x: number) => number): Interval {
    return { lo: a.lo === -Infinity ? f(-Infinity) : f(a.lo), hi: a.hi === Infinity ? f(Infinity) : f(a.hi) };
  },
  all: ALL,
};

// ---------------------------------------------------------------------------------------------
// Constants against constraints

/** A compile-time value: a number, a boolean, or a (nested) array literal of them. */
export type ConstValue = number | boolean | readonly ConstValue[];

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(6)));

/** Why a constant fails a constraint, or null. Bounds are resolved through `resolve` when they are symbolic. */
export function constantViolation(value: ConstValue, c: ConstraintSpec, resolve?: BoundResolver): string | null {
  if (Array.isArray(value)) {
    const vec = value as readonly ConstValue[];
    if (vec.every((v) => typeof v === "number")) {
      const xs = vec as readonly number[];
      if (c.kind === "simplex") {
        const bad = xs.find((x) => x < 0);
        if (bad !== undefined) return `${fmt(bad)} is negative`;
        const s = xs.reduce((a, b) => a + b, 0);
        return Math.abs(s - 1) <= 1e-6 ? null : `it sums to ${fmt(s)}, not 1`;
      }
      if (c.kind === "ordered" || c.kind === "positive_ordered") {
        for (let i = 1; i < xs.length; i++) if (!(xs[i]! > xs[i - 1]!)) return `it is not increasing (${fmt(xs[i - 1]!)} then ${fmt(xs[i]!)})`;
      }
    }
    for (const v of vec) {
      const r = constantViolation(v, c.kind === "simplex" ? { kind: "unit_interval" } : c.kind === "ordered" ? { kind: "real" } : c.kind === "positive_ordered" ? { kind: "positive" } : c, resolve);
      if (r) return r;
    }
    return null;
  }
  const x: number = typeof value === "boolean" ? (value ? 1 : 0) : (value as number);
  const bad = (what: string) => `got ${fmt(x)}${what ? `, which is ${what}` : ""}`;
  switch (c.kind) {
    case "positive":
      return x > 0 ? null : bad("");
    case "nonnegative":
      return x >= 0 ? null : bad("");
    case "unit_interval":
      return x >= 0 && x <= 1 ? null : bad("");
    case "greater_than":
      return x >= c.lower ? null : bad("");
    case "less_than":
      return x <= c.upper ? null : bad("");
    case "interval":
      return x >= c.lower && x <= c.upper ? null : bad("");
    case "boolean":
      return x === 0 || x === 1 ? null : bad("");
    case "integer": {
      if (!Number.isInteger(x)) return bad("not an integer");
      const r = rangeOf(c, resolve);
      if (r.lo.kind === "num" && x < r.lo.value) return bad("");
      if (r.hi.kind === "num" && x > r.hi.value) return bad("");
      return null;
    }
    default:
      return null; // structural constraints need a vector or a matrix
  }
}

// ---------------------------------------------------------------------------------------------
// Words

function showBound(b: Bound): string {
  return b.kind === "num" ? fmt(b.value) : b.kind === "sym" ? showDim(b.dim) : "?";
}

/** The constraint in words, for messages: "positive", "in [0, 1]", "an integer from 0 to K-1". */
export function describeRange(r: Range): string {
  switch (r.structure) {
    case "simplex":
      return "a simplex (non-negative, summing to 1)";
    case "ordered":
      return "ordered (strictly increasing)";
    case "positive_ordered":
      return "positive and ordered";
    case "lower_cholesky":
      return "a Cholesky factor";
    case "corr_cholesky":
      return "a correlation Cholesky factor";
    case "positive_definite":
      return "a positive-definite matrix";
    default:
      break;
  }
  const lo = r.lo.kind === "none" ? null : showBound(r.lo);
  const hi = r.hi.kind === "none" ? null : showBound(r.hi);
  if (r.discrete) {
    if (lo !== null && hi !== null) return lo === "0" && hi === "1" ? "0 or 1" : `an integer from ${lo} to ${hi}`;
    if (lo !== null) return lo === "0" ? "a non-negative integer" : `an integer of at least ${lo}`;
    if (hi !== null) return `an integer of at most ${hi}`;
    return "an integer";
  }
  if (lo !== null && hi !== null) return `in [${lo}, ${hi}]`;
  if (lo !== null) return lo === "0" ? "positive" : `at least ${lo}`;
  if (hi !== null) return `at most ${hi}`;
  return "any real number";
}

/**
 * The declared type that gives a value this range: `real<lower=0>`, `int<lower=0, upper=K-1>`,
 * `simplex`; `dims` is the printed `[N, K]` suffix (or "").
 */
export function declarationFor(r: Range, dims: string): string {
  const structured = r.structure ? structuredTypeName(r.structure) : null;
  if (structured) return `${structured}${dims}`;
  const parts: string[] = [];
  if (r.lo.kind !== "none") parts.push(`lower=${showBound(r.lo)}`);
  if (r.hi.kind !== "none") parts.push(`upper=${showBound(r.hi)}`);
  return `${r.discrete ? "int" : "real"}${parts.length ? `<${parts.join(", ")}>` : ""}${dims}`;
}
