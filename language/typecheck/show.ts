/** Short source-like text of expressions, for messages ("Normal(theta, sigma)"). */
import type { DistCall, Expr, IndexArg } from "../ast.js";

const MAX = 40;

function show(e: Expr | IndexArg): string {
  switch (e.kind) {
    case "Number":
      return e.isInt || !Number.isInteger(e.value) ? String(e.value) : `${e.value}.0`;
    case "Bool":
      return String(e.value);
    case "Identifier":
      return e.name;
    case "Array":
      return `[${e.elements.map(show).join(", ")}]`;
    case "Unary":
      return `${e.op}${atom(e.operand)}`;
    case "Binary":
      return `${atom(e.left)} ${e.op} ${atom(e.right)}`;
    case "Ternary":
      return `${atom(e.cond)} ? ${atom(e.then)} : ${atom(e.otherwise)}`;
    case "Call":
      return `${e.callee.name}(${e.args.map(show).join(", ")})`;
    case "Index":
      return `${atom(e.object)}[${e.indices.map(show).join(", ")}]`;
    case "Slice":
      return `${e.start ? show(e.start) : ""}:${e.end ? show(e.end) : ""}`;
  }
}

function atom(e: Expr): string {
  const s = show(e);
  return e.kind === "Binary" || e.kind === "Ternary" ? `(${s})` : s;
}

/** The expression as source-like text, shortened to about 40 characters. */
export function showExpr(e: Expr): string {
  const s = show(e);
  return s.length > MAX ? `${s.slice(0, MAX - 3)}...` : s;
}

export function showDistCall(d: DistCall): string {
  const s = `${d.name.name}(${d.args.map(show).join(", ")})`;
  return s.length > MAX + 20 ? `${d.name.name}(...)` : s;
}
