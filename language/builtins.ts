/**
 * The built-in functions and their typing rules: element-wise math (exp, log, sigmoid, ...),
 * reductions (sum, mean, logsumexp, ...), constructors (ones, zeros, fill/rep, one_hot), shape
 * helpers (size, transpose, concat) and linear algebra (dot). Each rule gives the result's element
 * type, shape and range of values (exp and softplus are positive, sigmoid is in [0, 1], softmax a
 * simplex), so constraint checks see through them.
 *
 * Network application (`decoder(z)`) is not here: it depends on the name's declared network type
 * (see typecheck/expressions.ts).
 */
import type { CallExpr, Expr } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { showDim, showType, UNKNOWN_DIM, type Dim, type ElemType, type TensorT } from "./types.js";
import * as E from "./errors/types.js";
import { INT_RANGE, REAL_RANGE, intervalOf, intervals, rangeFromInterval, type Interval, type Range } from "./typecheck/constraints.js";
import { ERROR_CHECKED, joinElems, numericElem, tensorChecked, type Checked } from "./typecheck/context.js";
import { combineDims, dimsUnify, unifiedDim } from "./typecheck/shapes.js";

/** What a typing rule may ask of the checker. */
export interface BuiltinContext {
  /** Checks an argument that is a value. */
  check(e: Expr): Checked;
  /** Evaluates an argument that is a size (`ones(K)`). */
  size(e: Expr): Dim;
  /** The tensor behind a checked argument, or null (a network where a value is needed is reported). */
  tensor(c: Checked, e: Expr): TensorT | null;
  report(d: Diagnostic): void;
  /** Broadcasts two argument shapes, reporting a mismatch; null after one. */
  broadcast(a: readonly Dim[], b: readonly Dim[], ea: Expr, eb: Expr): readonly Dim[] | null;
}

export interface Builtin {
  readonly name: string;
  /** How to call it, for hints: "sum(x) or sum(x, axis)". */
  readonly doc: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Arguments that are sizes rather than values. */
  readonly sizeArgs?: (index: number) => boolean;
  check(call: CallExpr, ctx: BuiltinContext): Checked;
}

const SIMPLEX_RANGE: Range = { ...rangeFromInterval({ lo: 0, hi: 1 }, false), structure: "simplex" };

/** The values a network's output activation gives. */
export function activationRange(activation: string): Range {
  switch (activation) {
    case "sigmoid":
      return rangeFromInterval({ lo: 0, hi: 1 }, false);
    case "softplus":
    case "exp":
    case "relu":
    case "elu_plus_one":
      return rangeFromInterval({ lo: 0, hi: Infinity }, false);
    case "softmax":
      return SIMPLEX_RANGE;
    case "tanh":
      return rangeFromInterval({ lo: -1, hi: 1 }, false);
    default:
      return REAL_RANGE;
  }
}

function numericArg(call: CallExpr, i: number, ctx: BuiltinContext): { t: TensorT; c: Checked } | null {
  const e = call.args[i]!;
  const c = ctx.check(e);
  const t = ctx.tensor(c, e);
  if (!t) return null;
  return { t, c };
}

// ---------------------------------------------------------------------------------------------
// Element-wise functions

const safe = (f: (x: number) => number) => (x: number) => {
  const y = f(x);
  return Number.isNaN(y) ? -Infinity : y;
};
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function squareLike(i: Interval, f: (x: number) => number): Interval {
  if (i.lo >= 0) return { lo: f(i.lo), hi: f(i.hi) };
  if (i.hi <= 0) return { lo: f(-i.hi), hi: f(-i.lo) };
  return { lo: 0, hi: Math.max(f(-i.lo), f(i.hi)) };
}

const ELEMENTWISE: Record<string, { readonly keepInt?: boolean; readonly image: (i: Interval) => Interval; readonly simplex?: boolean }> = {
  exp: { image: (i) => intervals.monotone(i, Math.exp) },
  log: { image: (i) => (i.lo >= 0 ? intervals.monotone(i, safe(Math.log)) : intervals.all) },
  log1p: { image: (i) => (i.lo >= -1 ? intervals.monotone(i, safe(Math.log1p)) : intervals.all) },
  expm1: { image: (i) => intervals.monotone(i, Math.expm1) },
  sqrt: { image: (i) => intervals.monotone({ lo: Math.max(0, i.lo), hi: Math.max(0, i.hi) }, Math.sqrt) },
  square: { keepInt: true, image: (i) => squareLike(i, (x) => x * x) },
  abs: { keepInt: true, image: (i) => squareLike(i, (x) => x) },
  sin: { image: () => ({ lo: -1, hi: 1 }) },
  cos: { image: () => ({ lo: -1, hi: 1 }) },
  tanh: { image: (i) => intervals.monotone(i, Math.tanh) },
  sigmoid: { image: (i) => intervals.monotone(i, sigmoid) },
  inv_logit: { image: (i) => intervals.monotone(i, sigmoid) },
  logit: { image: () => intervals.all },
  softplus: { image: (i) => intervals.monotone(i, softplus) },
  log_sigmoid: { image: (i) => intervals.monotone(i, (x) => -softplus(-x)) },
  relu: { keepInt: true, image: (i) => ({ lo: Math.max(0, i.lo), hi: Math.max(0, i.hi) }) },
  lgamma: { image: () => intervals.all },
  digamma: { image: () => intervals.all },
  log_softmax: { image: () => ({ lo: -Infinity, hi: 0 }) },
  softmax: { image: () => ({ lo: 0, hi: 1 }), simplex: true },
};

function elementwise(name: string): Builtin {
  const rule = ELEMENTWISE[name]!;
  const vectorOnly = name === "softmax" || name === "log_softmax";
  return {
    name,
    doc: `${name}(x)`,
    minArgs: 1,
    maxArgs: 1,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      if (!a) return ERROR_CHECKED;
      if (vectorOnly && a.t.shape.length === 0) {
        ctx.report(E.functionArgument(`${name} needs a vector (it normalises over the last axis), got ${showType(a.t)}`, call.args[0]!.span, `pass a vector, e.g. a \`real[K]\``));
        return ERROR_CHECKED;
      }
      const elem: ElemType = rule.keepInt ? numericElem(a.t) : "real";
      const iv = rule.image(intervalOf(a.c.range));
      const range = rule.simplex ? SIMPLEX_RANGE : rangeFromInterval(iv, elem === "int");
      return tensorChecked(elem, a.t.shape, range);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reductions: over everything, or over one axis given as an int literal.

function reduction(name: string, image: (i: Interval) => Interval, result: "keep" | "real"): Builtin {
  return {
    name,
    doc: `${name}(x) or ${name}(x, axis)`,
    minArgs: 1,
    maxArgs: 2,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      let axis: number | undefined;
      if (call.args[1]) {
        const ax = call.args[1];
        const c = ctx.check(ax);
        if (typeof c.value !== "number" || !Number.isInteger(c.value)) {
          ctx.report(E.functionArgument(`the axis of ${name} must be an int constant`, ax.span, `write e.g. \`${name}(x, 0)\``));
          return ERROR_CHECKED;
        }
        axis = c.value;
      }
      if (!a) return ERROR_CHECKED;
      const elem: ElemType = result === "keep" ? numericElem(a.t) : "real";
      const iv = image(intervalOf(a.c.range));
      if (axis === undefined) return tensorChecked(elem, [], rangeFromInterval(iv, elem === "int"));
      const rank = a.t.shape.length;
      const k = axis < 0 ? rank + axis : axis;
      if (k < 0 || k >= rank) {
        ctx.report(E.functionArgument(`${name}: axis ${axis} is out of range for ${showType(a.t)}`, call.args[1]!.span, rank ? `use an axis from 0 to ${rank - 1}` : "a scalar has no axes"));
        return ERROR_CHECKED;
      }
      return tensorChecked(elem, a.t.shape.filter((_, j) => j !== k), rangeFromInterval(iv, elem === "int"));
    },
  };
}

const sumImage = (i: Interval): Interval => (i.lo >= 0 ? { lo: 0, hi: Infinity } : i.hi <= 0 ? { lo: -Infinity, hi: 0 } : intervals.all);

// ---------------------------------------------------------------------------------------------
// Constructors

function filled(name: string, value: number | null): Builtin {
  const first = value === null ? 1 : 0;
  return {
    name,
    doc: value === null ? `${name}(value, N, ...)` : `${name}(N, ...)`,
    minArgs: first + 1,
    maxArgs: first + 8,
    sizeArgs: (i) => i >= first,
    check(call, ctx) {
      let range: Range;
      let elem: ElemType = "real";
      if (value === null) {
        const v = numericArg(call, 0, ctx);
        if (v && v.t.shape.length !== 0) {
          ctx.report(E.functionArgument(`the value of ${name} must be a scalar, got ${showType(v.t)}`, call.args[0]!.span, `${name}(value, N) repeats one number`));
        }
        const dims = call.args.slice(1).map((x) => ctx.size(x));
        if (!v) return ERROR_CHECKED;
        elem = v.t.elem;
        range = v.c.range;
        return tensorChecked(elem, dims, range);
      }
      const dims = call.args.map((x) => ctx.size(x));
      return tensorChecked(elem, dims, rangeFromInterval(intervals.point(value), false));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The table

const list: Builtin[] = [
  ...Object.keys(ELEMENTWISE).map(elementwise),
  reduction("sum", sumImage, "keep"),
  reduction("prod", (i) => (i.lo >= 0 ? { lo: 0, hi: Infinity } : intervals.all), "keep"),
  reduction("mean", (i) => i, "real"),
  reduction("max", (i) => i, "keep"),
  reduction("min", (i) => i, "keep"),
  reduction("logsumexp", () => intervals.all, "real"),
  reduction("sd", () => ({ lo: 0, hi: Infinity }), "real"),
  reduction("variance", () => ({ lo: 0, hi: Infinity }), "real"),
  filled("ones", 1),
  filled("zeros", 0),
  filled("fill", null),
  filled("rep", null),
  {
    name: "cumsum",
    doc: "cumsum(x)",
    minArgs: 1,
    maxArgs: 1,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      if (!a) return ERROR_CHECKED;
      if (a.t.shape.length === 0) {
        ctx.report(E.functionArgument(`cumsum needs a vector, got ${showType(a.t)}`, call.args[0]!.span, "pass a vector"));
        return ERROR_CHECKED;
      }
      return tensorChecked(numericElem(a.t), a.t.shape, rangeFromInterval(sumImage(intervalOf(a.c.range)), a.t.elem !== "real"));
    },
  },
  {
    name: "dot",
    doc: "dot(a, b) (over the last axis)",
    minArgs: 2,
    maxArgs: 2,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      const b = numericArg(call, 1, ctx);
      if (!a || !b) return ERROR_CHECKED;
      for (const [x, e] of [
        [a, call.args[0]!],
        [b, call.args[1]!],
      ] as const) {
        if (x.t.shape.length === 0) {
          ctx.report(E.functionArgument(`dot needs vectors, got ${showType(x.t)}`, e.span, "use * to multiply scalars"));
          return ERROR_CHECKED;
        }
      }
      const la = a.t.shape[a.t.shape.length - 1]!;
      const lb = b.t.shape[b.t.shape.length - 1]!;
      if (!dimsUnify(la, lb)) {
        ctx.report(E.sizeMismatch("the first argument of dot", a.t.shape.length - 1, showDim(la), "the second", b.t.shape.length - 1, showDim(lb), call.span));
        return ERROR_CHECKED;
      }
      const batch = ctx.broadcast(a.t.shape.slice(0, -1), b.t.shape.slice(0, -1), call.args[0]!, call.args[1]!);
      if (!batch) return ERROR_CHECKED;
      const elem = joinElems(numericElem(a.t), numericElem(b.t));
      return tensorChecked(elem, batch, elem === "int" ? INT_RANGE : REAL_RANGE);
    },
  },
  {
    name: "transpose",
    doc: "transpose(X) (swaps the last two axes)",
    minArgs: 1,
    maxArgs: 1,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      if (!a) return ERROR_CHECKED;
      const s = a.t.shape;
      if (s.length < 2) {
        ctx.report(E.functionArgument(`transpose needs a matrix, got ${showType(a.t)}`, call.args[0]!.span, "a vector has nothing to transpose"));
        return ERROR_CHECKED;
      }
      return tensorChecked(a.t.elem, [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!], { ...a.c.range, structure: null });
    },
  },
  {
    name: "size",
    doc: "size(x) or size(x, axis)",
    minArgs: 1,
    maxArgs: 2,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      let axis = 0;
      if (call.args[1]) {
        const c = ctx.check(call.args[1]);
        if (typeof c.value !== "number" || !Number.isInteger(c.value)) {
          ctx.report(E.functionArgument("the axis of size must be an int constant", call.args[1].span, "write e.g. `size(x, 0)`"));
          return ERROR_CHECKED;
        }
        axis = c.value;
      }
      if (!a) return ERROR_CHECKED;
      const d = a.t.shape[axis];
      if (d === undefined) {
        ctx.report(E.functionArgument(`size: ${showType(a.t)} has no axis ${axis}`, (call.args[1] ?? call.args[0])!.span, a.t.shape.length ? `use an axis from 0 to ${a.t.shape.length - 1}` : "a scalar has no axes"));
        return ERROR_CHECKED;
      }
      const iv = d.kind === "const" ? intervals.point(d.value) : { lo: 0, hi: Infinity };
      return tensorChecked("int", [], rangeFromInterval(iv, true), d.kind === "const" ? d.value : undefined);
    },
  },
  binaryElementwise("pow", (a, b) => intervals.pow(a, b), "real"),
  binaryElementwise("minimum", (a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }), "keep"),
  binaryElementwise("maximum", (a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }), "keep"),
  {
    name: "one_hot",
    doc: "one_hot(z, K)",
    minArgs: 2,
    maxArgs: 2,
    sizeArgs: (i) => i === 1,
    check(call, ctx) {
      const z = numericArg(call, 0, ctx);
      const k = ctx.size(call.args[1]!);
      if (!z) return ERROR_CHECKED;
      if (z.t.elem !== "int") {
        ctx.report(E.functionArgument(`one_hot needs int categories, got ${showType(z.t)}`, call.args[0]!.span, "pass int labels from 0 to K-1"));
        return ERROR_CHECKED;
      }
      return tensorChecked("real", [...z.t.shape, k], rangeFromInterval({ lo: 0, hi: 1 }, false));
    },
  },
  {
    name: "concat",
    doc: "concat(a, b, ...) (along the last axis)",
    minArgs: 2,
    maxArgs: 16,
    check(call, ctx) {
      const parts = call.args.map((_, i) => numericArg(call, i, ctx));
      if (parts.some((p) => p === null)) return ERROR_CHECKED;
      const ps = parts as { t: TensorT; c: Checked }[];
      const first = ps[0]!;
      const rank = first.t.shape.length;
      if (rank === 0) {
        ctx.report(E.functionArgument("concat joins vectors or arrays along their last axis, got a scalar", call.args[0]!.span, "wrap scalars in an array: `[a, b]`"));
        return ERROR_CHECKED;
      }
      let lead: readonly Dim[] = first.t.shape.slice(0, -1);
      let last: Dim = first.t.shape[rank - 1]!;
      let elem: ElemType = numericElem(first.t);
      let iv = intervalOf(first.c.range);
      for (let i = 1; i < ps.length; i++) {
        const p = ps[i]!;
        const e = call.args[i]!;
        if (p.t.shape.length !== rank) {
          ctx.report(E.functionArgument(`concat needs arguments of the same rank: ${showType(first.t)} and ${showType(p.t)}`, e.span, "index or reshape so that all parts have the same number of axes"));
          return ERROR_CHECKED;
        }
        const pl = p.t.shape.slice(0, -1);
        for (let k = 0; k < pl.length; k++) {
          if (!dimsUnify(lead[k]!, pl[k]!)) {
            ctx.report(E.sizeMismatch(`argument 0 of concat`, k, showDim(lead[k]!), `argument ${i}`, k, showDim(pl[k]!), e.span));
            return ERROR_CHECKED;
          }
        }
        lead = lead.map((d, k) => unifiedDim(d, pl[k]!));
        last = combineDims("+", last, p.t.shape[rank - 1] ?? UNKNOWN_DIM);
        elem = joinElems(elem, numericElem(p.t));
        iv = intervals.hull(iv, intervalOf(p.c.range));
      }
      return tensorChecked(elem, [...lead, last], rangeFromInterval(iv, elem === "int"));
    },
  },
];

function binaryElementwise(name: string, image: (a: Interval, b: Interval) => Interval, result: "keep" | "real"): Builtin {
  return {
    name,
    doc: `${name}(a, b)`,
    minArgs: 2,
    maxArgs: 2,
    check(call, ctx) {
      const a = numericArg(call, 0, ctx);
      const b = numericArg(call, 1, ctx);
      if (!a || !b) return ERROR_CHECKED;
      const shape = ctx.broadcast(a.t.shape, b.t.shape, call.args[0]!, call.args[1]!);
      if (!shape) return ERROR_CHECKED;
      const elem: ElemType = result === "real" ? "real" : joinElems(numericElem(a.t), numericElem(b.t));
      return tensorChecked(elem, shape, rangeFromInterval(image(intervalOf(a.c.range), intervalOf(b.c.range)), elem === "int"));
    },
  };
}

/** Every built-in function by name. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(list.map((b) => [b.name, b]));
