/**
 * Shapes: axis sizes as constants or symbols, NumPy-style broadcasting, and unification.
 *
 * Two sizes unify when they are the same constant, the same symbol, or either is unknown. Two
 * different symbols (`N` and `J`, two independent data sizes) do not: a user who names two sizes
 * differently means two sizes, so `y: real[N]` against `Normal(theta: real[J], ...)` is an error.
 * A symbol against a constant unifies (the data's size is only known at fit time, and the data
 * checker compares it then). Broadcasting additionally lets a constant 1 stretch to any size.
 */
import { UNKNOWN_DIM, constDim, showDim, symDim, type Dim } from "../types.js";

export const sameDim = (a: Dim, b: Dim): boolean =>
  a.kind === "const" ? b.kind === "const" && a.value === b.value : a.kind === "sym" ? b.kind === "sym" && a.name === b.name : b.kind === "unknown";

/** The two sizes can be equal at run time. */
export function dimsUnify(a: Dim, b: Dim): boolean {
  if (a.kind === "unknown" || b.kind === "unknown") return true;
  if (a.kind === "const" && b.kind === "const") return a.value === b.value;
  if (a.kind === "sym" && b.kind === "sym") return a.name === b.name;
  return true; // a symbol against a constant: checked against the data at fit time
}

/** The more informative of two sizes that unify. */
export function unifiedDim(a: Dim, b: Dim): Dim {
  if (a.kind === "unknown") return b;
  if (b.kind === "unknown") return a;
  if (a.kind === "const") return a;
  if (b.kind === "const") return b;
  return a;
}

const isOne = (d: Dim): boolean => d.kind === "const" && d.value === 1;

export interface ShapeMismatch {
  /** Axis in each operand (0-based from the left of that operand). */
  readonly axisA: number;
  readonly axisB: number;
  readonly dimA: Dim;
  readonly dimB: Dim;
}

export type BroadcastResult = { readonly ok: true; readonly shape: readonly Dim[] } | { readonly ok: false; readonly mismatch: ShapeMismatch };

/** NumPy broadcasting: align the trailing axes; a size 1 stretches; otherwise the sizes must unify. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): BroadcastResult {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = new Array<Dim>(n);
  for (let k = 1; k <= n; k++) {
    const da = a[a.length - k];
    const db = b[b.length - k];
    if (da === undefined) out[n - k] = db!;
    else if (db === undefined) out[n - k] = da;
    else if (isOne(da)) out[n - k] = db;
    else if (isOne(db)) out[n - k] = da;
    else if (dimsUnify(da, db)) out[n - k] = unifiedDim(da, db);
    else return { ok: false, mismatch: { axisA: a.length - k, axisB: b.length - k, dimA: da, dimB: db } };
  }
  return { ok: true, shape: out };
}

/**
 * Whether values of shape `from` broadcast into `into` without changing it (a distribution's
 * shape against its sample target, an assigned value against its slot).
 */
export function broadcastsInto(from: readonly Dim[], into: readonly Dim[]): boolean {
  if (from.length > into.length) return false;
  for (let k = 1; k <= from.length; k++) {
    const f = from[from.length - k]!;
    const t = into[into.length - k]!;
    if (!isOne(f) && !dimsUnify(f, t)) return false;
  }
  return true;
}

export const showShape = (s: readonly Dim[]): string => (s.length ? `[${s.map(showDim).join(", ")}]` : "a scalar");

// ---------------------------------------------------------------------------------------------
// Symbolic size arithmetic: `K - 1` stays `K-1`, `K + 1 - 1` folds back to `K`.

/** Splits `K-1` into `K` and -1; a symbol with no trailing offset has offset 0. */
export function splitOffset(name: string): { base: string; offset: number } {
  const m = /^(.*[^+\-\d].*?)([+-]\d+)$/.exec(name);
  if (m && m[1] && !/[*/]/.test(m[1].slice(-1))) return { base: m[1], offset: Number(m[2]) };
  return { base: name, offset: 0 };
}

function withOffset(base: string, offset: number): string {
  return offset === 0 ? base : offset > 0 ? `${base}+${offset}` : `${base}${offset}`;
}

/** `d + k` for an integer `k`. */
export function offsetDim(d: Dim, k: number): Dim {
  if (k === 0) return d;
  if (d.kind === "const") return constDim(d.value + k);
  if (d.kind === "unknown") return UNKNOWN_DIM;
  const { base, offset } = splitOffset(d.name);
  return symDim(withOffset(base, offset + k));
}

const needsParens = (name: string): boolean => /[+\-]/.test(name);

/** Combines two sizes with + - * / (integer division for sizes): constants fold, the rest print. */
export function combineDims(op: "+" | "-" | "*" | "/", a: Dim, b: Dim): Dim {
  if (a.kind === "unknown" || b.kind === "unknown") return UNKNOWN_DIM;
  if (a.kind === "const" && b.kind === "const") {
    switch (op) {
      case "+":
        return constDim(a.value + b.value);
      case "-":
        return constDim(a.value - b.value);
      case "*":
        return constDim(a.value * b.value);
      case "/":
        return b.value === 0 ? UNKNOWN_DIM : constDim(Math.trunc(a.value / b.value));
    }
  }
  if (op === "+" && b.kind === "const") return offsetDim(a, b.value);
  if (op === "+" && a.kind === "const") return offsetDim(b, a.value);
  if (op === "-" && b.kind === "const") return offsetDim(a, -b.value);
  if ((op === "*" || op === "/") && b.kind === "const" && b.value === 1) return a;
  if (op === "*" && a.kind === "const" && a.value === 1) return b;
  const show = (d: Dim, right: boolean): string => {
    const s = showDim(d);
    return d.kind === "sym" && needsParens(s) && (op === "*" || op === "/" || (op === "-" && right)) ? `(${s})` : s;
  };
  return symDim(`${show(a, false)}${op}${show(b, true)}`);
}
