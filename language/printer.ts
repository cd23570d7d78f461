/**
 * AST -> canonical source: two-space indentation, one statement per line, spaces around binary
 * operators, and only the parentheses that precedence and associativity require. Parsing the
 * output gives back the same AST (up to spans); printing is a fixed point on parsed programs.
 *
 * Long flat chains (`a + b + ...`, `a ^ b ^ ...`, `c ? x : d ? y : ...`, `--x`, `x[i][j]...`)
 * are walked in loops, so printing does not recurse once per link.
 */
import type {
  BinaryOp,
  Expr,
  IndexArg,
  ModelArg,
  ModelDecl,
  ImportDecl,
  Program,
  Statement,
  TypeExpr,
} from "./ast.js";

// Binding strength, loosest first; an operand printed below its slot's minimum gets parentheses.
const TERNARY = 1;
const BINARY_LEVEL: Record<BinaryOp, number> = {
  "||": 2,
  "&&": 3,
  "==": 4,
  "!=": 4,
  "<": 5,
  "<=": 5,
  ">": 5,
  ">=": 5,
  "+": 6,
  "-": 6,
  "*": 7,
  "/": 7,
  "%": 7,
  "@": 7,
  "^": 9,
};
const ADDITIVE = 6;
const UNARY = 8;
const POSTFIX = 10;
const ATOM = 11;

function levelOf(e: Expr): number {
  switch (e.kind) {
    case "Ternary":
      return TERNARY;
    case "Binary":
      return BINARY_LEVEL[e.op];
    case "Unary":
      return UNARY;
    case "Call":
    case "Index":
      return POSTFIX;
    default:
      return ATOM;
  }
}

/**
 * A number that parses back to the same value and the same `isInt`: integers without a point
 * (in full, never in exponent form), reals always with a point or an exponent. A negative value
 * (which the parser only produces as unary minus) is printed in parentheses.
 */
export function formatNumber(value: number, isInt: boolean): string {
  if (Number.isNaN(value)) return "(0.0 / 0.0)";
  if (value < 0 || Object.is(value, -0)) return `(-${formatNumber(-value, isInt)})`;
  if (value === Infinity) return "1e999";
  if (isInt && Number.isInteger(value)) return value < 1e21 ? String(value) : BigInt(value).toString();
  const s = String(value);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function wrap(e: Expr, min: number): string {
  const s = printExprRaw(e);
  return levelOf(e) < min ? `(${s})` : s;
}

/** An expression in canonical form (no outer parentheses). */
export function printExpr(e: Expr): string {
  return printExprRaw(e);
}

function printExprRaw(e: Expr): string {
  switch (e.kind) {
    case "Number":
      return formatNumber(e.value, e.isInt);
    case "Bool":
      return e.value ? "true" : "false";
    case "Identifier":
      return e.name;
    case "Array":
      return `[${e.elements.map((x) => wrap(x, TERNARY)).join(", ")}]`;
    case "Call":
      return `${e.callee.name}(${e.args.map((x) => wrap(x, TERNARY)).join(", ")})`;
    case "Index": {
      const groups: string[] = [];
      let cur: Expr = e;
      while (cur.kind === "Index") {
        groups.push(`[${cur.indices.map(printIndexArg).join(", ")}]`);
        cur = cur.object;
      }
      return wrap(cur, POSTFIX) + groups.reverse().join("");
    }
    case "Unary": {
      let ops = "";
      let cur: Expr = e;
      while (cur.kind === "Unary") {
        ops += cur.op;
        cur = cur.operand;
      }
      return ops + wrap(cur, UNARY);
    }
    case "Binary": {
      if (e.op === "^") {
        // Right-associative: walk the right spine. The left of `^` must be postfix or tighter
        // (`(-x) ^ 2`); the right may be a prefix expression (`2 ^ -x`).
        const parts: string[] = [];
        let cur: Expr = e;
        while (cur.kind === "Binary" && cur.op === "^") {
          parts.push(wrap(cur.left, POSTFIX));
          cur = cur.right;
        }
        parts.push(wrap(cur, UNARY));
        return parts.join(" ^ ");
      }
      // Left-associative: walk the left spine of operators of the same level.
      const level = BINARY_LEVEL[e.op];
      const links: { op: BinaryOp; right: Expr }[] = [];
      let cur: Expr = e;
      while (cur.kind === "Binary" && cur.op !== "^" && BINARY_LEVEL[cur.op] === level) {
        links.push({ op: cur.op, right: cur.right });
        cur = cur.left;
      }
      let s = wrap(cur, level);
      for (let i = links.length - 1; i >= 0; i--) s += ` ${links[i]!.op} ${wrap(links[i]!.right, level + 1)}`;
      return s;
    }
    case "Ternary": {
      let s = "";
      let cur: Expr = e;
      while (cur.kind === "Ternary") {
        s += `${wrap(cur.cond, TERNARY + 1)} ? ${wrap(cur.then, TERNARY)} : `;
        cur = cur.otherwise;
      }
      return s + wrap(cur, TERNARY);
    }
  }
}

function printIndexArg(a: IndexArg): string {
  if (a.kind === "Slice") {
    return `${a.start ? wrap(a.start, TERNARY) : ""}:${a.end ? wrap(a.end, TERNARY) : ""}`;
  }
  return wrap(a, TERNARY);
}

/** A type in canonical form: `real<lower=0>[N, K]`, `MLP(10 -> 20 -> 1, hidden: relu)`. */
export function printType(t: TypeExpr): string {
  if (t.kind === "NetworkType") {
    const layers = t.layers.map((l) => wrap(l, ADDITIVE)).join(" -> ");
    const options = t.options.map((o) => `, ${o.name.name}: ${wrap(o.value, TERNARY)}`).join("");
    return `${t.name.name}(${layers}${options})`;
  }
  let s: string = t.base;
  if (t.bounds && (t.bounds.lower || t.bounds.upper)) {
    const parts: string[] = [];
    if (t.bounds.lower) parts.push(`lower=${wrap(t.bounds.lower, ADDITIVE)}`);
    if (t.bounds.upper) parts.push(`upper=${wrap(t.bounds.upper, ADDITIVE)}`);
    s += `<${parts.join(", ")}>`;
  }
  if (t.dims.length > 0) s += `[${t.dims.map((d) => wrap(d, ADDITIVE)).join(", ")}]`;
  return s;
}

function printStatementHead(s: Statement): string {
  switch (s.kind) {
    case "Decl": {
      let out = `${s.role} ${s.name.name}`;
      if (s.type) out += `: ${printType(s.type)}`;
      if (s.init) out += ` = ${wrap(s.init, TERNARY)}`;
      return out;
    }
    case "Sample":
      return `${wrap(s.target, TERNARY)} ~ ${s.dist.name.name}(${s.dist.args.map((a) => wrap(a, TERNARY)).join(", ")})`;
    case "Assign":
      return `${wrap(s.target, TERNARY)} = ${wrap(s.value, TERNARY)}`;
    case "Factor":
      return `factor(${wrap(s.value, TERNARY)})`;
    case "For":
      return `for ${s.variable.name} in ${wrap(s.from, TERNARY)}..${wrap(s.to, TERNARY)}`;
    case "Guide":
      return "guide";
  }
}

/** Text that would continue the expression or type ending the previous line. */
const CONTINUES = /^[-+([]/;

function printBlock(body: readonly Statement[], indent: string, out: string[]): void {
  const inner = `${indent}  `;
  for (let i = 0; i < body.length; i++) {
    const s = body[i]!;
    let line = inner + printStatementHead(s);
    if (s.kind === "For" || s.kind === "Guide") {
      if (s.body.length === 0) {
        out.push(`${line} {}`);
      } else {
        out.push(`${line} {`);
        printBlock(s.body, inner, out);
        out.push(`${inner}}`);
      }
      continue;
    }
    // Newlines do not end statements, so `y = a` followed by `-b ~ ...` needs a `;`.
    const next = body[i + 1];
    if ((s.kind === "Decl" || s.kind === "Assign") && next && CONTINUES.test(printStatementHead(next))) line += ";";
    out.push(line);
  }
}

/** One statement (with its nested blocks), indented by `indent`. */
export function printStatement(s: Statement, indent = ""): string {
  const out: string[] = [];
  printBlock([s], indent.length >= 2 ? indent.slice(2) : "", out);
  if (indent.length < 2) return out.map((l) => l.slice(2)).join("\n");
  return out.join("\n");
}

function printModelArg(a: ModelArg): string {
  let s = a.name.name;
  if (a.type) s += `: ${printType(a.type)}`;
  if (a.default) s += ` = ${wrap(a.default, TERNARY)}`;
  return s;
}

function printImport(i: ImportDecl): string {
  return `import { ${i.names.map((n) => n.name).join(", ")} } from ${JSON.stringify(i.module)}`;
}

function printModel(m: ModelDecl, out: string[]): void {
  const head = `model ${m.name.name}${m.args ? `(${m.args.map(printModelArg).join(", ")})` : ""}`;
  if (m.body.length === 0) {
    out.push(`${head} {}`);
    return;
  }
  out.push(`${head} {`);
  printBlock(m.body, "", out);
  out.push("}");
}

/** A whole file in canonical form, ending with a newline. */
export function printProgram(p: Program): string {
  const out: string[] = [];
  for (const i of p.imports) out.push(printImport(i));
  for (let k = 0; k < p.models.length; k++) {
    if (out.length > 0) out.push("");
    printModel(p.models[k]!, out);
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}
