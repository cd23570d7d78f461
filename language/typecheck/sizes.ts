/**
 * Evaluating size expressions (`N`, `K - 1`, `latent_dim + classes`, `size(x, 0)`) into axis
 * sizes: constants when they fold (literals and compile-time arguments), symbols when they
 * involve int data.
 */
import type { Expr } from "../ast.js";
import { UNKNOWN_DIM, constDim, symDim, tensorT, type Dim } from "../types.js";
import * as E from "../errors/types.js";
import type { Checker } from "./context.js";
import { combineDims } from "./shapes.js";
import { showExpr } from "./show.js";

export interface SizeOptions {
  /** Report nothing: answer undefined when the expression is not a size (used to read bounds). */
  readonly quiet?: boolean;
}

/** The size an expression stands for; UNKNOWN_DIM after an error (reported unless quiet). */
export function evalSize(e: Expr, ck: Checker, opts: SizeOptions = {}): Dim {
  return evalSizeOrUndefined(e, ck, opts) ?? UNKNOWN_DIM;
}

export function evalSizeOrUndefined(e: Expr, ck: Checker, opts: SizeOptions = {}): Dim | undefined {
  const fail = (message: string): undefined => {
    if (!opts.quiet) ck.report(E.badSize(message, e.span));
    return undefined;
  };
  const done = (d: Dim): Dim => {
    ck.exprTypes.set(e, tensorT("int", [], { kind: "integer", lower: d.kind === "const" ? d.value : 0, upper: d.kind === "const" ? d.value : null }));
    return d;
  };
  switch (e.kind) {
    case "Number":
      if (!e.isInt) return fail(`a size must be an int, got the real ${showExpr(e)}`);
      return done(constDim(e.value));
    case "Identifier": {
      const sym = opts.quiet ? ck.scope.lookup(e.name) : ck.resolve(e);
      if (!sym || (opts.quiet && !sym.declared)) return opts.quiet ? undefined : UNKNOWN_DIM;
      if (opts.quiet) ck.references.set(e, sym);
      const t = sym.type;
      if (t.kind === "error") return opts.quiet ? undefined : UNKNOWN_DIM;
      if (sym.role === "arg") {
        if (typeof sym.value !== "number" || t.kind !== "tensor" || t.elem !== "int") {
          return fail(`compile-time argument '${e.name}' is used as a size, so it must be an int${t.kind === "tensor" ? ` (it is ${t.elem})` : ""}`);
        }
        return done(constDim(sym.value));
      }
      if (sym.role === "data" && t.kind === "tensor" && t.elem === "int" && t.shape.length === 0) return done(symDim(e.name));
      const what = t.kind === "tensor" ? `${sym.role} '${e.name}' of type ${t.elem}${t.shape.length ? "[...]" : ""}` : `${sym.role} '${e.name}'`;
      return fail(`${what} cannot be used as a size: sizes are int data, int compile-time arguments or literals`);
    }
    case "Unary": {
      if (e.op === "+") return evalSizeOrUndefined(e.operand, ck, opts);
      if (e.op === "-") {
        const d = evalSizeOrUndefined(e.operand, ck, opts);
        if (d === undefined) return undefined;
        return done(d.kind === "const" ? constDim(-d.value) : combineDims("-", constDim(0), d));
      }
      return fail(`'${showExpr(e)}' is not a size`);
    }
    case "Binary": {
      if (e.op !== "+" && e.op !== "-" && e.op !== "*" && e.op !== "/") return fail(`'${e.op}' cannot be used in a size; use + - * /`);
      const a = evalSizeOrUndefined(e.left, ck, opts);
      const b = evalSizeOrUndefined(e.right, ck, opts);
      if (a === undefined || b === undefined) return undefined;
      return done(combineDims(e.op, a, b));
    }
    case "Call": {
      if (e.callee.name !== "size") return fail(`'${showExpr(e)}' is not a size expression`);
      const arg = e.args[0];
      if (!arg || e.args.length > 2) return fail("size(x, axis) takes the value and an optional axis");
      const obj = ck.scope.lookup(arg.kind === "Identifier" ? arg.name : "");
      if (arg.kind !== "Identifier" || !obj) return fail("size(x, axis) in a size needs a declared name");
      if (!opts.quiet) ck.resolve(arg);
      const t = obj.type;
      if (t.kind !== "tensor") return opts.quiet ? undefined : UNKNOWN_DIM;
      let axis = 0;
      if (e.args[1]) {
        const ax = e.args[1];
        if (ax.kind !== "Number" || !ax.isInt) return fail("the axis of size(x, axis) must be an int literal");
        axis = ax.value;
      }
      const d = t.shape[axis];
      if (d === undefined) return fail(`'${arg.name}' has no axis ${axis}`);
      ck.exprTypes.set(arg, t);
      return done(d);
    }
    default:
      return fail(`'${showExpr(e)}' is not a size expression`);
  }
}
