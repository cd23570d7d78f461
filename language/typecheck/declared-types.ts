/**
 * Declared tensor types: `real<lower=0>[N, D]`, `int<lower=0, upper=K-1>[N]`, `simplex[K]`.
 * Sizes are evaluated to dims; bounds to numbers when they are constants, and to symbolic sizes
 * (`K-1`) when they are built from int data, so they can be compared with a distribution's support.
 */
import type { Expr, TensorType } from "../ast.js";
import { ERROR_T, showDim, tensorT, type Dim, type ElemType, type Type } from "../types.js";
import * as E from "../errors/types.js";
import { NONE, UNKNOWN_BOUND, constraintOf, num, symBound, type Bound, type Range, type Structure, REAL_RANGE } from "./constraints.js";
import type { Checker } from "./context.js";
import { checkExpr } from "./expressions.js";
import { dimsUnify } from "./shapes.js";
import { showExpr } from "./show.js";
import { evalSize, evalSizeOrUndefined } from "./sizes.js";

export interface DeclaredType {
  readonly type: Type;
  readonly range: Range;
}

const STRUCTURE: Partial<Record<TensorType["base"], { structure: Structure; rank: number }>> = {
  simplex: { structure: "simplex", rank: 1 },
  ordered: { structure: "ordered", rank: 1 },
  positive_ordered: { structure: "positive_ordered", rank: 1 },
  cov_matrix: { structure: "positive_definite", rank: 2 },
  cholesky_cov: { structure: "lower_cholesky", rank: 2 },
  cholesky_corr: { structure: "corr_cholesky", rank: 2 },
};

export function checkTensorType(t: TensorType, ck: Checker): DeclaredType {
  const dims: Dim[] = t.dims.map((d) => {
    const dim = evalSize(d, ck);
    if (dim.kind === "const" && dim.value < 0) ck.report(E.badSize(`a size must not be negative, got ${showExpr(d)} = ${dim.value}`, d.span));
    return dim;
  });
  const elem: ElemType = t.base === "int" ? "int" : t.base === "bool" ? "bool" : "real";
  const structural = STRUCTURE[t.base];
  let ok = true;
  if (structural) {
    if (dims.length < structural.rank) {
      ck.report(
        E.badDeclaredType(
          `${t.base} needs ${structural.rank === 1 ? "a size" : "two sizes"}, got ${dims.length}`,
          t.span,
          structural.rank === 1 ? `write \`${t.base}[K]\`` : `write \`${t.base}[K, K]\``,
        ),
      );
      ok = false;
    } else if (structural.rank === 2 && !dimsUnify(dims[dims.length - 1]!, dims[dims.length - 2]!)) {
      ck.report(E.badDeclaredType(`${t.base} must be square, got [${dims.map(showDim).join(", ")}]`, t.span, `write \`${t.base}[K, K]\``));
      ok = false;
    }
  }
  if (t.bounds && (structural || elem === "bool")) {
    ck.report(E.badDeclaredType(`${t.base} takes no bounds`, t.bounds.span, "bounds apply to int and real"));
    ok = false;
  }
  if (!ok) return { type: ERROR_T, range: REAL_RANGE };
  if (structural) {
    const base = structural.structure;
    const lo = base === "simplex" || base === "positive_ordered" ? num(0) : base === "corr_cholesky" ? num(-1) : NONE;
    const hi = base === "simplex" || base === "corr_cholesky" ? num(1) : NONE;
    const range: Range = { lo, hi, discrete: false, structure: base };
    return { type: tensorT("real", dims, constraintOf(range, "real")), range };
  }
  if (elem === "bool") {
    const range: Range = { lo: num(0), hi: num(1), discrete: true, structure: null };
    return { type: tensorT("bool", dims, { kind: "boolean" }), range };
  }
  const lo = t.bounds?.lower ? checkBound(t.bounds.lower, elem, ck) : NONE;
  const hi = t.bounds?.upper ? checkBound(t.bounds.upper, elem, ck) : NONE;
  if (lo.kind === "num" && hi.kind === "num" && lo.value > hi.value) {
    ck.report(E.badDeclaredType(`the lower bound ${lo.value} is above the upper bound ${hi.value}`, t.bounds!.span, "swap the bounds"));
  }
  const range: Range = { lo, hi, discrete: elem === "int", structure: null };
  return { type: tensorT(elem, dims, constraintOf(range, elem)), range };
}

/** A bound: a constant, a size built from int data (`K-1`), or unknown (a real data value, say). */
function checkBound(e: Expr, elem: ElemType, ck: Checker): Bound {
  const c = checkExpr(e, ck);
  if (c.type.kind !== "tensor") return UNKNOWN_BOUND;
  if (c.type.elem === "bool" || c.type.shape.length !== 0) {
    ck.report(E.badDeclaredType(`a bound must be a number, got ${c.type.elem === "bool" ? "a bool" : "a tensor"}`, e.span, "write e.g. `<lower=0>`"));
    return UNKNOWN_BOUND;
  }
  if (elem === "int" && c.type.elem === "real") {
    ck.report(E.badDeclaredType(`an int's bound must be an int, got ${showExpr(e)}`, e.span, "write an int bound, e.g. `int<lower=0>`"));
    return UNKNOWN_BOUND;
  }
  if (typeof c.value === "number") return num(c.value);
  if (c.type.elem === "int") {
    const d = evalSizeOrUndefined(e, ck, { quiet: true });
    if (d) return symBound(d);
  }
  return UNKNOWN_BOUND;
}
