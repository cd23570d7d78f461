/**
 * Evaluating the dimension and bound expressions of a data declaration (`real[N]`, `K-1`, `N*D`,
 * `int<upper=classes - 1>`) over its AST, once the integer data and compile-time arguments are
 * known. (Symbolic dims of the checker's types are evaluated by compiler/sizes.ts.)
 */
import type { Expr, TensorType } from "../lang.js";

export type SizeLookup = (name: string) => number | undefined;

export type EvalResult =
  | { readonly ok: true; readonly value: number }
  /** `missing`: a name with no value yet (data not given); otherwise an operator sizes do not use. */
  | { readonly ok: false; readonly missing?: string };

const ok = (value: number): EvalResult => ({ ok: true, value });

/**
 * Evaluates a size or bound expression: literals, names (integer data, compile-time arguments),
 * unary `-`/`+`, and `+ - * / % ^`. `/` is real division: a size that comes out fractional is
 * reported by the caller rather than silently truncated.
 */
export function evalSizeExpr(e: Expr, lookup: SizeLookup): EvalResult {
  switch (e.kind) {
    case "Number":
      return ok(e.value);
    case "Bool":
      return ok(e.value ? 1 : 0);
    case "Identifier": {
      const v = lookup(e.name);
      return v === undefined ? { ok: false, missing: e.name } : ok(v);
    }
    case "Unary": {
      const r = evalSizeExpr(e.operand, lookup);
      if (!r.ok) return r;
      return e.op === "-" ? ok(-r.value) : e.op === "+" ? r : { ok: false };
    }
    case "Binary": {
      const a = evalSizeExpr(e.left, lookup);
      if (!a.ok) return a;
      const b = evalSizeExpr(e.right, lookup);
      if (!b.ok) return b;
      switch (e.op) {
        case "+":
          return ok(a.value + b.value);
        case "-":
          return ok(a.value - b.value);
        case "*":
          return ok(a.value * b.value);
        case "/":
          return ok(a.value / b.value);
        case "%":
          return ok(a.value % b.value);
        case "^":
          return ok(a.value ** b.value);
        default:
          return { ok: false };
      }
    }
    case "Ternary": {
      const c = evalSizeExpr(e.cond, lookup);
      if (!c.ok) return c;
      return evalSizeExpr(c.value !== 0 ? e.then : e.otherwise, lookup);
    }
    default:
      return { ok: false };
  }
}

const PREC: Record<string, number> = { "+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "@": 2, "^": 4 };

/** Prints a size expression as written (modulo spacing): `K - 1`, `N * D`, `(a + b) * 2`. */
export function printSizeExpr(e: Expr): string {
  const go = (x: Expr, outer: number): string => {
    switch (x.kind) {
      case "Number":
        return Number.isInteger(x.value) && !x.isInt ? x.value.toFixed(1) : String(x.value);
      case "Bool":
        return String(x.value);
      case "Identifier":
        return x.name;
      case "Unary":
        return `${x.op}${go(x.operand, 3)}`;
      case "Binary": {
        const p = PREC[x.op] ?? 0;
        const s = `${go(x.left, p)} ${x.op} ${go(x.right, p + (x.op === "^" ? 0 : 1))}`;
        return p < outer ? `(${s})` : s;
      }
      case "Call":
        return `${x.callee.name}(${x.args.map((a) => go(a, 0)).join(", ")})`;
      default:
        return "…";
    }
  };
  return go(e, 0);
}

/** `real<lower=0>[J]`, `int<lower=0, upper=K - 1>[N]`, `simplex[K]`. */
export function printTensorType(t: TensorType): string {
  const bounds: string[] = [];
  if (t.bounds?.lower) bounds.push(`lower=${printSizeExpr(t.bounds.lower)}`);
  if (t.bounds?.upper) bounds.push(`upper=${printSizeExpr(t.bounds.upper)}`);
  return `${t.base}${bounds.length ? `<${bounds.join(", ")}>` : ""}${t.dims.length ? `[${t.dims.map((d) => printSizeExpr(d)).join(", ")}]` : ""}`;
}
