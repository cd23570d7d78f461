/** The printer: canonical output, and print -> parse gives back the same AST (fast-check). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  BaseType,
  BinaryOp,
  Bounds,
  Expr,
  Identifier,
  ImportDecl,
  IndexArg,
  ModelArg,
  ModelDecl,
  NamedArg,
  Program,
  Statement,
  TypeExpr,
  UnaryOp,
} from "../../language/ast.js";
import { stripSpans } from "../../language/ast.js";
import { NO_SPAN } from "../../language/span.js";
import { parse } from "../../language/parse.js";
import { formatNumber, printExpr, printProgram, printType } from "../../language/printer.js";
import { KEYWORDS } from "../../language/tokens.js";

const span = NO_SPAN;

// ---------------------------------------------------------------------------------------------
// Arbitraries: random ASTs, spans all NO_SPAN (the comparison strips them)

const identifier: fc.Arbitrary<Identifier> = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/)
  .filter((s) => !KEYWORDS.has(s))
  .map((name) => ({ kind: "Identifier", name, span }));

const number: fc.Arbitrary<Expr> = fc.oneof(
  fc.nat({ max: 1_000_000 }).map((value) => ({ kind: "Number" as const, value, isInt: true, span })),
  fc.maxSafeNat().map((value) => ({ kind: "Number" as const, value, isInt: true, span })),
  fc
    .double({ min: 0, max: 1e300, noNaN: true })
    .filter((v) => Number.isInteger(v))
    .map((v) => ({ kind: "Number" as const, value: v === 0 ? 0 : v, isInt: true, span })),
  fc
    .double({ min: 0, noNaN: true, noDefaultInfinity: true })
    .map((v) => ({ kind: "Number" as const, value: v === 0 ? 0 : v, isInt: false, span })),
  fc.integer({ min: 0, max: 100 }).map((value) => ({ kind: "Number" as const, value, isInt: false, span })),
);

const bool: fc.Arbitrary<Expr> = fc.boolean().map((value) => ({ kind: "Bool" as const, value, span }));

const binaryOps: BinaryOp[] = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "@", "^"];
const unaryOps: UnaryOp[] = ["-", "+", "!"];

const { expr } = fc.letrec<{ expr: Expr; indexArg: IndexArg }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    identifier,
    number,
    bool,
    fc
      .record({ op: fc.constantFrom(...unaryOps), operand: tie("expr") })
      .map(({ op, operand }) => ({ kind: "Unary" as const, op, operand, span })),
    fc
      .record({ op: fc.constantFrom(...binaryOps), left: tie("expr"), right: tie("expr") })
      .map(({ op, left, right }) => ({ kind: "Binary" as const, op, left, right, span })),
    fc
      .record({ cond: tie("expr"), then: tie("expr"), otherwise: tie("expr") })
      .map(({ cond, then, otherwise }) => ({ kind: "Ternary" as const, cond, then, otherwise, span })),
    fc
      .record({ callee: identifier, args: fc.array(tie("expr"), { maxLength: 3 }) })
      .map(({ callee, args }) => ({ kind: "Call" as const, callee, args, span })),
    fc
      .record({ object: tie("expr"), indices: fc.array(tie("indexArg"), { minLength: 1, maxLength: 3 }) })
      .map(({ object, indices }) => ({ kind: "Index" as const, object, indices, span })),
    fc.array(tie("expr"), { maxLength: 3 }).map((elements) => ({ kind: "Array" as const, elements, span })),
  ),
  indexArg: fc.oneof(
    tie("expr"),
    fc
      .record({ start: fc.option(tie("expr"), { nil: null }), end: fc.option(tie("expr"), { nil: null }) })
      .map(({ start, end }) => ({ kind: "Slice" as const, start, end, span })),
  ),
})) as { expr: fc.Arbitrary<Expr>; indexArg: fc.Arbitrary<IndexArg> };

const bases: BaseType[] = ["int", "real", "bool", "simplex", "ordered", "positive_ordered", "cov_matrix", "cholesky_cov", "cholesky_corr"];

const bounds: fc.Arbitrary<Bounds> = fc
  .record({ lower: fc.option(expr, { nil: null }), upper: fc.option(expr, { nil: null }) })
  .filter((b) => b.lower !== null || b.upper !== null)
  .map((b) => ({ ...b, span }));

const namedArg: fc.Arbitrary<NamedArg> = fc
  .record({ name: identifier, value: expr })
  .map(({ name, value }) => ({ kind: "NamedArg", name, value, span }));

const typeExpr: fc.Arbitrary<TypeExpr> = fc.oneof(
  fc
    .record({
      base: fc.constantFrom(...bases),
      bounds: fc.option(bounds, { nil: null }),
      dims: fc.array(expr, { maxLength: 3 }),
    })
    .map((t) => ({ kind: "TensorType" as const, ...t, span })),
  fc
    .record({
      name: identifier,
      layers: fc.array(expr, { minLength: 2, maxLength: 4 }),
      options: fc.array(namedArg, { maxLength: 2 }),
    })
    .map((t) => ({ kind: "NetworkType" as const, ...t, span })),
);

const simpleStatement: fc.Arbitrary<Statement> = fc.oneof(
  fc
    .record({ role: fc.constantFrom("data" as const, "latent" as const, "param" as const), name: identifier, type: typeExpr })
    .map((d) => ({ kind: "Decl" as const, ...d, init: null, span })),
  fc
    .record({ name: identifier, type: fc.option(typeExpr, { nil: null }), init: fc.option(expr, { nil: null }) })
    .filter((d) => d.type !== null || d.init !== null)
    .map((d) => ({ kind: "Decl" as const, role: "let" as const, ...d, span })),
  fc
    .record({ target: expr, name: identifier, args: fc.array(expr, { maxLength: 3 }) })
    .map(({ target, name, args }) => ({ kind: "Sample" as const, target, dist: { kind: "DistCall" as const, name, args, span }, span })),
  fc.record({ target: expr, value: expr }).map((a) => ({ kind: "Assign" as const, ...a, span })),
  expr.map((value) => ({ kind: "Factor" as const, value, span })),
);

const { statement } = fc.letrec<{ statement: Statement }>((tie) => ({
  statement: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    simpleStatement,
    fc
      .record({ variable: identifier, from: expr, to: expr, body: fc.array(tie("statement"), { maxLength: 4 }) })
      .map((f) => ({ kind: "For" as const, ...f, span })),
    fc.array(tie("statement"), { maxLength: 4 }).map((body) => ({ kind: "Guide" as const, body, span })),
  ),
})) as { statement: fc.Arbitrary<Statement> };

const modelArg: fc.Arbitrary<ModelArg> = fc
  .record({ name: identifier, type: fc.option(typeExpr, { nil: null }), default: fc.option(expr, { nil: null }) })
  .map((a) => ({ kind: "ModelArg", ...a, span }));

const model: fc.Arbitrary<ModelDecl> = fc
  .record({
    name: identifier,
    args: fc.option(fc.array(modelArg, { maxLength: 3 }), { nil: null }),
    body: fc.array(statement, { maxLength: 8 }),
  })
  .map((m) => ({ kind: "Model", ...m, span }));

const importDecl: fc.Arbitrary<ImportDecl> = fc
  .record({ names: fc.array(identifier, { minLength: 1, maxLength: 3 }), module: fc.string({ unit: "grapheme", maxLength: 12 }) })
  .map((i) => ({ kind: "Import", ...i, moduleSpan: span, span }));

const program: fc.Arbitrary<Program> = fc
  .record({ imports: fc.array(importDecl, { maxLength: 2 }), models: fc.array(model, { maxLength: 3 }) })
  .map((p) => ({ kind: "Program", ...p, span }));

// ---------------------------------------------------------------------------------------------

function reparse(text: string): Program {
  const r = parse({ name: "printed.ppl", text });
  if (r.diagnostics.length > 0) throw new Error(`printed text does not parse:\n${text}\n${r.diagnostics.map((d) => d.message).join("\n")}`);
  return r.value!;
}

const exprOf = (p: Program): Expr => {
  const s = p.models[0]!.body[0]!;
  if (s.kind !== "Decl" || !s.init) throw new Error("expected a let");
  return s.init;
};
const typeOf = (p: Program): TypeExpr => {
  const s = p.models[0]!.body[0]!;
  if (s.kind !== "Decl" || !s.type) throw new Error("expected a declaration");
  return s.type;
};

const runs = { numRuns: 300 };

describe("printer round trip (fast-check)", () => {
  it("expressions", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = `model M {\n  let x = ${printExpr(e)}\n}\n`;
        expect(stripSpans(exprOf(reparse(text)))).toEqual(stripSpans(e));
      }),
      { numRuns: 1000 },
    );
  });

  it("types", () => {
    fc.assert(
      fc.property(typeExpr, (t) => {
        const text = `model M {\n  data x: ${printType(t)}\n}\n`;
        expect(stripSpans(typeOf(reparse(text)))).toEqual(stripSpans(t));
      }),
      runs,
    );
  });

  it("statements", () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 6 }), (body) => {
        const p: Program = { kind: "Program", imports: [], models: [{ kind: "Model", name: { kind: "Identifier", name: "M", span }, args: null, body, span }], span };
        expect(stripSpans(reparse(printProgram(p)))).toEqual(stripSpans(p));
      }),
      runs,
    );
  });

  it("whole programs, and printing is a fixed point", () => {
    fc.assert(
      fc.property(program, (p) => {
        const text = printProgram(p);
        const back = reparse(text);
        expect(stripSpans(back)).toEqual(stripSpans(p));
        expect(printProgram(back)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});

describe("printer output", () => {
  const show = (src: string): string => printExpr(exprOf(reparse(`model M { let x = ${src} }`)));

  it("keeps only the parentheses precedence needs", () => {
    expect(show("((a + b)) * c")).toBe("(a + b) * c");
    expect(show("a + (b * c)")).toBe("a + b * c");
    expect(show("(a - b) - c")).toBe("a - b - c");
    expect(show("a - (b - c)")).toBe("a - (b - c)");
    expect(show("(2 ^ 3) ^ 2")).toBe("(2 ^ 3) ^ 2");
    expect(show("2 ^ (3 ^ 2)")).toBe("2 ^ 3 ^ 2");
    expect(show("-(x ^ 2)")).toBe("-x ^ 2");
    expect(show("(-x) ^ 2")).toBe("(-x) ^ 2");
    expect(show("2 ^ (-x)")).toBe("2 ^ -x");
    expect(show("(a ? b : c) ? d : e")).toBe("(a ? b : c) ? d : e");
    expect(show("a ? (b ? c : d) : (e ? f : g)")).toBe("a ? b ? c : d : e ? f : g");
    expect(show("(a + b)[0]")).toBe("(a + b)[0]");
    expect(show("-(-x)")).toBe("--x");
    expect(show("!(a && b)")).toBe("!(a && b)");
    expect(show("x[1:, :2, :]")).toBe("x[1:, :2, :]");
  });

  it("prints numbers so they read back the same", () => {
    expect(formatNumber(3, true)).toBe("3");
    expect(formatNumber(3, false)).toBe("3.0");
    expect(formatNumber(0.5, false)).toBe("0.5");
    expect(formatNumber(1e-7, false)).toBe("1e-7");
    expect(formatNumber(1e21, false)).toBe("1e+21");
    expect(formatNumber(1e21, true)).toBe("1000000000000000000000");
    expect(formatNumber(1e20, false)).toBe("100000000000000000000.0");
    expect(formatNumber(-2, true)).toBe("(-2)");
    for (const [v, isInt] of [
      [5e-324, false],
      [Number.MAX_VALUE, false],
      [Number.MAX_VALUE, true],
      [2 ** 60, true],
      [0.1 + 0.2, false],
    ] as const) {
      const back = exprOf(reparse(`model M { let x = ${formatNumber(v, isInt)} }`));
      expect(stripSpans(back)).toEqual({ kind: "Number", value: v, isInt });
    }
  });

  it("separates statements that would otherwise run together", () => {
    const text = "model M {\n  y = a;\n  -b ~ Normal(0, 1)\n  data x: real;\n  [1] ~ N()\n  let z = f;\n  (q) = 1\n}\n";
    const p = reparse(text);
    expect(p.models[0]!.body.map((s) => s.kind)).toEqual(["Assign", "Sample", "Decl", "Sample", "Decl", "Assign"]);
    expect(printProgram(p)).toBe(text.replace("f;\n  (q)", "f\n  q"));
  });

  it("prints a whole program canonically", () => {
    const text = 'import { MLP } from "stdlib/nn"\nmodel   M ( K:int=3 ) { data N : int<lower = 1> ; latent w: real[N,K]\n for i in 0 .. N { w[i] ~ Normal(0,1) }\n guide { param m: real }\n factor(-w[0,0]^2) }';
    expect(printProgram(reparse(text))).toBe(
      [
        'import { MLP } from "stdlib/nn"',
        "",
        "model M(K: int = 3) {",
        "  data N: int<lower=1>",
        "  latent w: real[N, K]",
        "  for i in 0..N {",
        "    w[i] ~ Normal(0, 1)",
        "  }",
        "  guide {",
        "    param m: real",
        "  }",
        "  factor(-w[0, 0] ^ 2)",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("prints long chains without overflowing the stack", () => {
    const n = 20_000;
    const src = Array.from({ length: n }, (_, i) => `x${i}`).join(" + ");
    expect(show(src)).toBe(src);
    const pow = Array.from({ length: 5000 }, () => "a").join(" ^ ");
    expect(show(pow)).toBe(pow);
    expect(show(`${"-".repeat(5000)}x`)).toBe(`${"-".repeat(5000)}x`);
  });
});

describe("examples", () => {
  const dir = join(import.meta.dirname, "../../examples");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ppl"));

  it.each(files)("printing %s then parsing is a fixed point", (f) => {
    const original = reparse(readFileSync(join(dir, f), "utf8"));
    const printed = printProgram(original);
    const back = reparse(printed);
    expect(stripSpans(back)).toEqual(stripSpans(original));
    expect(printProgram(back)).toBe(printed);
  });
});
