/** The parser and CST-to-AST visitor: every construct of docs/language.md, precedence, spans, errors. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DeclStmt, Expr, ModelDecl, Program, Statement, TypeExpr } from "../../language/ast.js";
import { stripSpans } from "../../language/ast.js";
import type { Diagnostic } from "../../language/diagnostics.js";
import { MAX_ERRORS, MAX_NESTING, parse } from "../../language/parse.js";
import { generatedModel } from "../../bench/generate.js";

const run = (text: string) => parse({ name: "t.ppl", text });

function ok(text: string): Program {
  const r = run(text);
  expect(r.diagnostics).toEqual([]);
  expect(r.value).toBeDefined();
  return r.value!;
}

const body = (text: string): readonly Statement[] => ok(`model M {\n${text}\n}`).models[0]!.body;
const stmt = (text: string): Statement => {
  const b = body(text);
  expect(b).toHaveLength(1);
  return b[0]!;
};
const expr = (text: string): Expr => (stmt(`let e = ${text}`) as DeclStmt).init!;
const type = (text: string): TypeExpr => (stmt(`data e: ${text}`) as DeclStmt).type!;

/** Fully parenthesised prefix form, to read precedence at a glance. */
function sx(e: unknown): string {
  const n = e as Expr;
  switch (n.kind) {
    case "Number":
      return `${n.value}${n.isInt ? "" : "r"}`;
    case "Bool":
      return String(n.value);
    case "Identifier":
      return n.name;
    case "Unary":
      return `(${n.op} ${sx(n.operand)})`;
    case "Binary":
      return `(${n.op} ${sx(n.left)} ${sx(n.right)})`;
    case "Ternary":
      return `(? ${sx(n.cond)} ${sx(n.then)} ${sx(n.otherwise)})`;
    case "Call":
      return `(call ${n.callee.name}${n.args.map((a) => ` ${sx(a)}`).join("")})`;
    case "Array":
      return `[${n.elements.map(sx).join(" ")}]`;
    case "Index":
      return `(idx ${sx(n.object)}${n.indices
        .map((i) => (i.kind === "Slice" ? ` ${i.start ? sx(i.start) : ""}:${i.end ? sx(i.end) : ""}` : ` ${sx(i)}`))
        .join("")})`;
  }
}

const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.code);

describe("program structure", () => {
  it("parses an empty file", () => {
    expect(stripSpans(ok(""))).toEqual({ kind: "Program", imports: [], models: [] });
  });

  it("parses imports", () => {
    const p = ok('import { MLP } from "stdlib/nn"\nimport { VAE, CVAE } from "stdlib/vae"');
    expect(p.imports.map((i) => [i.names.map((n) => n.name), i.module])).toEqual([
      [["MLP"], "stdlib/nn"],
      [["VAE", "CVAE"], "stdlib/vae"],
    ]);
    expect(p.imports[0]!.moduleSpan).toMatchObject({ line: 1, column: 21, endColumn: 32 });
  });

  it("decodes string escapes", () => {
    expect(ok('import { A } from "a\\"b\\\\c\\n\\u0041"').imports[0]!.module).toBe('a"b\\c\nA');
  });

  it("parses models with and without arguments", () => {
    const p = ok("model A {}\nmodel B() {}\nmodel C(K: int<lower=1> = 3, scale: real = 5.0, n, m = 2) {}");
    expect(p.models.map((m) => m.name.name)).toEqual(["A", "B", "C"]);
    expect(p.models[0]!.args).toBeNull();
    expect(p.models[1]!.args).toEqual([]);
    const args = p.models[2]!.args!;
    expect(args.map((a) => a.name.name)).toEqual(["K", "scale", "n", "m"]);
    expect(stripSpans(args[0]!.type)).toEqual({
      kind: "TensorType",
      base: "int",
      bounds: { lower: { kind: "Number", value: 1, isInt: true }, upper: null },
      dims: [],
    });
    expect(sx(args[0]!.default)).toBe("3");
    expect(sx(args[1]!.default)).toBe("5r");
    expect(args[2]!.type).toBeNull();
    expect(args[2]!.default).toBeNull();
    expect(args[3]!.type).toBeNull();
  });

  it("accepts optional semicolons and statements on one line", () => {
    const b = body("data N: int; latent mu: real;; mu ~ Normal(0, 1); let x = mu y ~ Normal(x, 1)");
    expect(b.map((s) => s.kind)).toEqual(["Decl", "Decl", "Sample", "Decl", "Sample"]);
  });
});

describe("statements", () => {
  it("parses declarations of every role", () => {
    const b = body("data N: int<lower=1>\nlatent mu: real[K]\nparam w: real<lower=0, upper=1>[N, 2]\nlet t = mu + 1\nlet theta: real[J]\nlet s: real = 2");
    expect(b.map((s) => (s as DeclStmt).role)).toEqual(["data", "latent", "param", "let", "let", "let"]);
    const [, , , t, theta, s] = b as DeclStmt[];
    expect(t!.type).toBeNull();
    expect(sx(t!.init)).toBe("(+ mu 1)");
    expect(theta!.init).toBeNull();
    expect(stripSpans(theta!.type)).toEqual({ kind: "TensorType", base: "real", bounds: null, dims: [{ kind: "Identifier", name: "J" }] });
    expect(s!.type).not.toBeNull();
    expect(sx(s!.init)).toBe("2");
  });

  it("parses samples, with indexed targets", () => {
    const s = stmt("y[i, :] ~ Normal(mu[i], sigma)");
    expect(s.kind).toBe("Sample");
    if (s.kind !== "Sample") return;
    expect(sx(s.target)).toBe("(idx y i :)");
    expect(s.dist.name.name).toBe("Normal");
    expect(s.dist.args.map(sx)).toEqual(["(idx mu i)", "sigma"]);
    const flat = stmt("x ~ Flat()");
    expect(flat.kind === "Sample" && flat.dist.args).toEqual([]);
  });

  it("parses assignments", () => {
    const s = stmt("theta[j] = mu + tau * eta[j]");
    expect(s.kind).toBe("Assign");
    if (s.kind !== "Assign") return;
    expect(sx(s.target)).toBe("(idx theta j)");
    expect(sx(s.value)).toBe("(+ mu (* tau (idx eta j)))");
  });

  it("parses for loops, nested", () => {
    const s = stmt("for i in 0..N {\n  for j in 1..K - 1 { y[i, j] ~ Normal(0, 1) }\n  z[i] ~ Normal(0, 1)\n}");
    expect(s.kind).toBe("For");
    if (s.kind !== "For") return;
    expect(s.variable.name).toBe("i");
    expect([sx(s.from), sx(s.to)]).toEqual(["0", "N"]);
    expect(s.body.map((x) => x.kind)).toEqual(["For", "Sample"]);
    const inner = s.body[0]!;
    expect(inner.kind === "For" && sx(inner.to)).toBe("(- K 1)");
    expect(stmt("for i in 0..N {}").kind).toBe("For");
  });

  it("parses factor and guide", () => {
    const f = stmt("factor(-0.5 * x ^ 2)");
    expect(f.kind === "Factor" && sx(f.value)).toBe("(* (- 0.5r) (^ x 2))");
    const g = stmt("guide {\n  param m: real\n  mu ~ Normal(m, 1)\n}");
    expect(g.kind).toBe("Guide");
    expect(g.kind === "Guide" && g.body.map((x) => x.kind)).toEqual(["Decl", "Sample"]);
  });
});

describe("types", () => {
  it("parses every base type", () => {
    for (const base of ["int", "real", "bool", "simplex", "ordered", "positive_ordered", "cov_matrix", "cholesky_cov", "cholesky_corr"]) {
      expect(type(base)).toMatchObject({ kind: "TensorType", base, bounds: null, dims: [] });
    }
  });

  it("parses bounds at the additive level, so `>` closes them", () => {
    const t = type("int<lower=0, upper=K-1>[N]");
    expect(t.kind).toBe("TensorType");
    if (t.kind !== "TensorType") return;
    expect(sx(t.bounds!.lower)).toBe("0");
    expect(sx(t.bounds!.upper)).toBe("(- K 1)");
    expect(t.dims.map(sx)).toEqual(["N"]);
    const u = type("real<upper=-1>");
    expect(u.kind === "TensorType" && [u.bounds!.lower, sx(u.bounds!.upper)]).toEqual([null, "(- 1)"]);
    const p = type("real<lower=(a > b ? 1 : 0)>");
    expect(p.kind === "TensorType" && sx(p.bounds!.lower)).toBe("(? (> a b) 1 0)");
    const m = type("simplex[N, K * 2]");
    expect(m.kind === "TensorType" && m.dims.map(sx)).toEqual(["N", "(* K 2)"]);
  });

  it("parses network types", () => {
    const t = type("MLP(latent_dim + classes -> hidden -> D, hidden: relu, out: sigmoid)");
    expect(t.kind).toBe("NetworkType");
    if (t.kind !== "NetworkType") return;
    expect(t.name.name).toBe("MLP");
    expect(t.layers.map(sx)).toEqual(["(+ latent_dim classes)", "hidden", "D"]);
    expect(t.options.map((o) => [o.name.name, sx(o.value)])).toEqual([
      ["hidden", "relu"],
      ["out", "sigmoid"],
    ]);
  });

  it("rejects a bound other than lower/upper, and a repeated bound", () => {
    const r = run("model M { data x: real<low=0> }");
    expect(codes(r.diagnostics)).toEqual(["PPL1020"]);
    expect(r.diagnostics[0]!.span).toMatchObject({ line: 1, column: 24, endColumn: 27 });
    const d = run("model M {\n data x: real<lower=0, lower=1> }");
    expect(codes(d.diagnostics)).toEqual(["PPL1021"]);
    expect(d.diagnostics[0]!.related?.[0]?.span).toMatchObject({ line: 2, column: 15 });
  });

  it("requires two layer sizes in a network", () => {
    const r = run("model M { param f: MLP(10) }");
    expect(codes(r.diagnostics)).toEqual(["PPL1012"]);
    expect(r.diagnostics[0]!.message).toMatch(/expected '->'/);
  });
});

describe("expressions", () => {
  it("parses atoms", () => {
    expect(stripSpans(expr("3"))).toEqual({ kind: "Number", value: 3, isInt: true });
    expect(stripSpans(expr("3.0"))).toEqual({ kind: "Number", value: 3, isInt: false });
    expect(stripSpans(expr(".5"))).toEqual({ kind: "Number", value: 0.5, isInt: false });
    expect(stripSpans(expr("1e-3"))).toEqual({ kind: "Number", value: 0.001, isInt: false });
    expect(stripSpans(expr("2.5E+4"))).toEqual({ kind: "Number", value: 25000, isInt: false });
    expect(stripSpans(expr("true"))).toEqual({ kind: "Bool", value: true });
    expect(stripSpans(expr("false"))).toEqual({ kind: "Bool", value: false });
    expect(sx(expr("[1, 2, 3]"))).toBe("[1 2 3]");
    expect(sx(expr("[[1, 0], [0, 1]]"))).toBe("[[1 0] [0 1]]");
    expect(sx(expr("[]"))).toBe("[]");
    expect(sx(expr("f()"))).toBe("(call f)");
    expect(sx(expr("decoder(concat(z, c))"))).toBe("(call decoder (call concat z c))");
  });

  it("parses indexing and slices", () => {
    expect(sx(expr("x[i]"))).toBe("(idx x i)");
    expect(sx(expr("X[i, :]"))).toBe("(idx X i :)");
    expect(sx(expr("x[2:5]"))).toBe("(idx x 2:5)");
    expect(sx(expr("x[:b, a:]"))).toBe("(idx x :b a:)");
    expect(sx(expr("x[i][j]"))).toBe("(idx (idx x i) j)");
    expect(sx(expr("f(x)[:, 0]"))).toBe("(idx (call f x) : 0)");
    expect(sx(expr("(a + b)[0]"))).toBe("(idx (+ a b) 0)");
    expect(sx(expr("x[c ? a : b]"))).toBe("(idx x (? c a b))");
    expect(sx(expr("x[c ? a : b : d]"))).toBe("(idx x (? c a b):d)");
  });

  it("follows the precedence table", () => {
    expect(sx(expr("a || b && c"))).toBe("(|| a (&& b c))");
    expect(sx(expr("a && b == c"))).toBe("(&& a (== b c))");
    expect(sx(expr("a == b < c"))).toBe("(== a (< b c))");
    expect(sx(expr("a < b + c"))).toBe("(< a (+ b c))");
    expect(sx(expr("a + b * c"))).toBe("(+ a (* b c))");
    expect(sx(expr("a * -b"))).toBe("(* a (- b))");
    expect(sx(expr("X @ w + b"))).toBe("(+ (@ X w) b)");
    expect(sx(expr("a % b / c"))).toBe("(/ (% a b) c)");
    expect(sx(expr("a ? b : c || d"))).toBe("(? a b (|| c d))");
    expect(sx(expr("a || b ? c + 1 : d"))).toBe("(? (|| a b) (+ c 1) d)");
    expect(sx(expr("a <= b != c >= d"))).toBe("(!= (<= a b) (>= c d))");
    expect(sx(expr("(a + b) * c"))).toBe("(* (+ a b) c)");
  });

  it("is left-associative where the table says so", () => {
    expect(sx(expr("a - b - c"))).toBe("(- (- a b) c)");
    expect(sx(expr("a / b * c"))).toBe("(* (/ a b) c)");
    expect(sx(expr("a < b < c"))).toBe("(< (< a b) c)");
    expect(sx(expr("a || b || c"))).toBe("(|| (|| a b) c)");
    expect(sx(expr("a - b + c * d - e"))).toBe("(- (+ (- a b) (* c d)) e)");
  });

  it("is right-associative for ^ and the ternary", () => {
    expect(sx(expr("2^3^2"))).toBe("(^ 2 (^ 3 2))");
    expect(sx(expr("a ? b : c ? d : e"))).toBe("(? a b (? c d e))");
    expect(sx(expr("a ? b ? c : d : e"))).toBe("(? a (? b c d) e)");
  });

  it("binds unary looser than ^", () => {
    expect(sx(expr("-x^2"))).toBe("(- (^ x 2))");
    expect(sx(expr("-x^2^3"))).toBe("(- (^ x (^ 2 3)))");
    expect(sx(expr("2^-x"))).toBe("(^ 2 (- x))");
    expect(sx(expr("2^-x^2"))).toBe("(^ 2 (- (^ x 2)))");
    expect(sx(expr("(-x)^2"))).toBe("(^ (- x) 2)");
    expect(sx(expr("--x"))).toBe("(- (- x))");
    expect(sx(expr("!a && +b"))).toBe("(&& (! a) (+ b))");
    expect(sx(expr("x[i]^2"))).toBe("(^ (idx x i) 2)");
    expect(sx(expr("f(x)^-2"))).toBe("(^ (call f x) (- 2))");
  });

  it("builds long chains without recursing per link", () => {
    const n = 10_000;
    const e = expr(Array.from({ length: n }, (_, i) => `x${i}`).join(" + "));
    let depth = 0;
    let cur: Expr = e;
    while (cur.kind === "Binary") {
      depth++;
      cur = cur.left;
    }
    expect(depth).toBe(n - 1);
    expect(sx(expr(`${"-".repeat(5000)}x`)).length).toBeGreaterThan(5000);
    const pow = expr(Array.from({ length: 5000 }, () => "a").join("^"));
    expect(pow.kind).toBe("Binary");
    const tern = expr(`${Array.from({ length: 3000 }, (_, i) => `c${i} ? ${i} :`).join(" ")} 0`);
    expect(tern.kind).toBe("Ternary");
    expect(sx(expr(`x${"[0]".repeat(5000)}`)).startsWith("(idx (idx")).toBe(true);
  });
});

describe("spans", () => {
  const text = "model M {\n  data N: int<lower=1>\n  latent mu: real[N]\n  mu ~ Normal(0, 1 + x)\n  for i in 0..N {\n    y[i] = mu[i] * 2\n  }\n}\n";
  const m = ok(text).models[0]!;

  it("covers the model and each statement", () => {
    expect(m.span).toMatchObject({ line: 1, column: 1, endLine: 8, endColumn: 2 });
    expect(m.name.span).toMatchObject({ line: 1, column: 7, endColumn: 8 });
    const [n, mu, s, f] = m.body;
    expect(n!.span).toMatchObject({ line: 2, column: 3, endLine: 2, endColumn: 23 });
    expect(mu!.span).toMatchObject({ line: 3, column: 3, endColumn: 21 });
    expect(s!.span).toMatchObject({ line: 4, column: 3, endColumn: 24 });
    expect(f!.span).toMatchObject({ line: 5, column: 3, endLine: 7, endColumn: 4 });
  });

  it("points sub-expressions at their text", () => {
    const s = m.body[2]!;
    if (s.kind !== "Sample") throw new Error("expected a sample");
    expect(s.dist.span).toMatchObject({ line: 4, column: 8, endColumn: 24 });
    const sum = s.dist.args[1]!;
    expect(text.slice(sum.span.start, sum.span.end)).toBe("1 + x");
    const f = m.body[3]!;
    if (f.kind !== "For") throw new Error("expected a for");
    const a = f.body[0]!;
    if (a.kind !== "Assign") throw new Error("expected an assignment");
    expect(text.slice(a.target.span.start, a.target.span.end)).toBe("y[i]");
    expect(text.slice(a.value.span.start, a.value.span.end)).toBe("mu[i] * 2");
    expect(a.value.span).toMatchObject({ line: 6, column: 12, endColumn: 21 });
  });

  it("gives types and bounds spans", () => {
    const d = m.body[0] as DeclStmt;
    const t = d.type!;
    expect(text.slice(t.span.start, t.span.end)).toBe("int<lower=1>");
    if (t.kind !== "TensorType") throw new Error("expected a tensor type");
    expect(text.slice(t.bounds!.span.start, t.bounds!.span.end)).toBe("<lower=1>");
  });
});

describe("syntax errors", () => {
  it("reports several errors in one run", () => {
    const r = run("model M {\n  data N int\n  latent mu: real\n  mu ~ Normal(0, )\n  x = = 3\n  let k\n}\nfoo\n");
    expect(codes(r.diagnostics)).toEqual(["PPL1010", "PPL1011", "PPL1011", "PPL1022", "PPL1013"]);
    expect(r.diagnostics.map((d) => d.span!.line)).toEqual([2, 4, 5, 6, 8]);
    expect(r.diagnostics[0]!.message).toBe("expected ':' but found keyword 'int'");
    expect(r.diagnostics[1]!.message).toBe("expected an expression but found ')'");
    // the rest of the model is still there
    expect(r.value!.models[0]!.body.map((s) => s.kind)).toEqual(["Decl", "Decl"]);
    for (const d of r.diagnostics) expect(d.hint).toBeTruthy();
  });

  it("words messages like a person would", () => {
    const missingParen = run("model M {\n  mu ~ Normal(0, 1\n  x ~ Normal(0, 1)\n}");
    expect(missingParen.diagnostics[0]!.message).toBe("expected ')' but found 'x'");
    // shown at the end of the line where the ')' is missing
    expect(missingParen.diagnostics[0]!.span).toMatchObject({ line: 2, column: 19 });
    const stray = run("model M {\n  ) x ~ N()\n}");
    expect(stray.diagnostics[0]!.message).toBe(
      "expected a statement (a declaration, `x ~ Dist(...)`, `for`, `guide` or `factor`) or '}' but found ')'",
    );
    expect(run("model M { mu ~ 3 }").diagnostics[0]!.message).toMatch(/^expected a distribution/);
    expect(run("model M { data x: rea }").diagnostics[0]!.message).toMatch(/^expected a type/);
    expect(run("model M { x + 1 }").diagnostics[0]!.message).toBe(
      "expected '~' (a sample) or '=' (an assignment) after the expression but found '}'",
    );
    expect(run("model M {").diagnostics[0]!.message).toMatch(/but found end of file$/);
    expect(run("model M { let model = 1 }").diagnostics[0]!.message).toBe("expected an identifier but found keyword 'model'");
    expect(run("model M { for i in 0 to N {} }").diagnostics[0]!.message).toBe("expected '..' but found 'to'");
  });

  it("reports statements outside a model", () => {
    const r = run("x ~ Normal(0, 1)\nmodel M {}\n");
    expect(codes(r.diagnostics)).toEqual(["PPL1013"]);
    expect(r.value!.models.map((m) => m.name.name)).toEqual(["M"]);
  });

  it("does not echo an unterminated comment as a parse error", () => {
    expect(codes(run("model M {\n  /* open\n}").diagnostics)).toEqual(["PPL1002"]);
  });

  it("reports too-large numbers", () => {
    expect(codes(run("model M { let x = 1e999 }").diagnostics)).toEqual(["PPL1005"]);
  });

  it("caps the number of errors with a note", () => {
    const text = `model M {\n${Array.from({ length: 80 }, () => "  x = = 1").join("\n")}\n}`;
    const ds = run(text).diagnostics;
    expect(ds.filter((d) => d.severity === "error")).toHaveLength(MAX_ERRORS);
    expect(ds[ds.length - 1]).toMatchObject({ code: "PPL1099", severity: "note" });
    expect(ds[ds.length - 1]!.message).toMatch(/too many errors/);
  });

  it("refuses input nested too deeply, at the first token beyond the limit", () => {
    const depth = MAX_NESTING + 10;
    const text = `model M {\n  let x = ${"(".repeat(depth)}1${")".repeat(depth)}\n}`;
    const r = run(text);
    expect(r.value).toBeUndefined();
    expect(codes(r.diagnostics)).toEqual(["PPL1004"]);
    expect(r.diagnostics[0]!.message).toBe(`expression nested too deeply (${depth + 1} levels; the limit is ${MAX_NESTING})`);
    // `{` is level 1, so the first '(' beyond the limit is number MAX_NESTING
    expect(r.diagnostics[0]!.span).toMatchObject({ line: 2, column: 11 + MAX_NESTING - 1 });
    // just under the limit parses
    const fine = MAX_NESTING - 2;
    expect(run(`model M { let x = ${"[".repeat(fine)}1${"]".repeat(fine)} }`).diagnostics).toEqual([]);
    expect(run(`model M { let x = ${"f(".repeat(fine)}1${")".repeat(fine)} }`).diagnostics).toEqual([]);
    expect(run(`model M { let x = ${"x[".repeat(fine)}1${"]".repeat(fine)} }`).diagnostics).toEqual([]);
    expect(run(`model M { let x = ${"a ? ".repeat(fine)}1${" : 2".repeat(fine)} }`).diagnostics).toEqual([]);
  });
});

describe("examples and speed", () => {
  const dir = join(import.meta.dirname, "../../examples");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ppl"));

  it.each(files)("parses %s cleanly", (f) => {
    const p = ok(readFileSync(join(dir, f), "utf8"));
    expect(p.models.length).toBeGreaterThan(0);
  });

  // Its speed is measured by `npm run bench` (bench/frontend.ts), never by a timed test.
  it("parses the generated 2,000-statement benchmark model cleanly", () => {
    const r = parse({ name: "gen.ppl", text: generatedModel(2000) });
    expect(r.diagnostics).toEqual([]);
    const m: ModelDecl = r.value!.models[0]!;
    expect(m.body.length).toBeGreaterThanOrEqual(1990);
  });
});
