/**
 * The type checker: every diagnostic it reports (code and position), and programs that must
 * check clean. Programs are parsed with the real parser and checked against the stdlib's
 * signatures.
 */
import { describe, expect, it } from "vitest";
import { parse } from "../../language/parse.js";
import { typecheck, type TypecheckOptions } from "../../language/typecheck.js";
import { renderDiagnostics, type Diagnostic } from "../../language/diagnostics.js";
import type { Signatures } from "../../language/signatures.js";
import type { DeclStmt, Program } from "../../language/ast.js";
import { showType } from "../../language/types.js";
import { stdlibSignatures } from "../../stdlib/signatures.js";

const SIGS = stdlibSignatures() as unknown as Signatures;

function parsed(src: string): Program {
  const p = parse({ name: "t.ppl", text: src });
  expect(p.diagnostics, renderDiagnostics(p.diagnostics, { name: "t.ppl", text: src })).toEqual([]);
  return p.value!;
}

function check(src: string, opts?: TypecheckOptions) {
  return typecheck(parsed(src), SIGS, opts);
}

const render = (ds: readonly Diagnostic[], src: string) => renderDiagnostics(ds, { name: "t.ppl", text: src });

/** The program gives a diagnostic with this code at this line and column (and returns it). */
function expectDiag(src: string, code: string, line: number, column: number, opts?: TypecheckOptions): Diagnostic {
  const r = check(src, opts);
  const d = r.diagnostics.find((x) => x.code === code);
  expect(d, `expected ${code}; got:\n${render(r.diagnostics, src)}`).toBeDefined();
  expect([d!.span?.line, d!.span?.column], render([d!], src)).toEqual([line, column]);
  expect(d!.hint, "every diagnostic has a hint").toBeTruthy();
  return d!;
}

function expectClean(src: string, opts?: TypecheckOptions) {
  const r = check(src, opts);
  expect(r.diagnostics, render(r.diagnostics, src)).toEqual([]);
  expect(r.value).toBeDefined();
  return r.value!;
}

describe("names", () => {
  it("PPL2001 undeclared name, with the nearest name in scope", () => {
    const d = expectDiag(`model M {\n  data sigma: real<lower=0>\n  latent mu: real\n  mu ~ Normal(0, sigam)\n}`, "PPL2001", 4, 18);
    expect(d.hint).toContain("'sigma'");
  });
  it("PPL2002 duplicate declaration, pointing at the first", () => {
    const d = expectDiag(`model M {\n  latent mu: real\n  latent mu: real\n  mu ~ Normal(0, 1)\n}`, "PPL2002", 3, 10);
    expect(d.related?.[0]?.span.line).toBe(2);
  });
  it("PPL2002 a loop variable shadowing a model name", () => {
    expectDiag(`model M {\n  data N: int\n  for N in 0..3 {\n  }\n}`, "PPL2002", 3, 7);
  });
  it("PPL2003 unknown distribution: nearest, or a list", () => {
    expect(expectDiag(`model M {\n  latent mu: real\n  mu ~ Normall(0, 1)\n}`, "PPL2003", 3, 8).hint).toContain("'Normal'");
    expect(expectDiag(`model M {\n  latent mu: real\n  mu ~ Gaussian(0, 1)\n}`, "PPL2003", 3, 8).hint).toContain("known distributions include");
  });
  it("PPL2004 use before declaration says where the name is declared", () => {
    const d = expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, s)\n  data s: real<lower=0>\n}`, "PPL2004", 3, 18);
    expect(d.message).toContain("line 4");
    expect(d.related?.[0]?.span.line).toBe(4);
  });
  it("PPL2004 a let used before its line", () => {
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(t, 1)\n  let t = 2.0\n}`, "PPL2004", 3, 15);
  });
  it("PPL2037 unknown function", () => {
    expect(expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  let y = lgo(mu)\n}`, "PPL2037", 4, 11).hint).toContain("'log'");
  });
  it("PPL2033 unknown module, PPL2034 a name the module does not export", () => {
    expect(expectDiag(`import { MLP } from "stdlib/neural"\nmodel M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n}`, "PPL2033", 1, 21).hint).toBeTruthy();
    expect(expectDiag(`import { MLPP } from "stdlib/nn"\nmodel M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n}`, "PPL2034", 1, 10).hint).toContain("'MLP'");
  });
  it("PPL2040 a model that is not in the file", () => {
    const r = check(`model Alpha {\n}\n`, { model: "Alpah" });
    expect(r.diagnostics[0]?.code).toBe("PPL2040");
    expect(r.diagnostics[0]?.hint).toContain("'Alpha'");
    expect(r.value).toBeUndefined();
  });
});

describe("compile-time arguments", () => {
  it("PPL2041 an argument with no default and no value", () => {
    expectDiag(`model M(K: int) {\n  latent mu: real[K]\n  mu ~ Normal(0, 1)\n}`, "PPL2041", 1, 9);
  });
  it("a value passed in fills it, and sizes fold to constants", () => {
    const tm = expectClean(`model M(K: int) {\n  latent mu: real[K]\n  mu ~ Normal(0, 1)\n}`, { args: { K: 4 } });
    expect(showType(tm.symbols.get("mu")!.type)).toBe("real[4]");
    expect(tm.args.get("K")).toBe(4);
  });
  it("defaults are used, and overrides win", () => {
    const src = `model M(K: int = 3, s: real = 2.5) {\n  latent mu: real[K + 1]\n  mu ~ Normal(0, s)\n}`;
    expect(showType(expectClean(src).symbols.get("mu")!.type)).toBe("real[4]");
    expect(showType(expectClean(src, { args: { K: 9 } }).symbols.get("mu")!.type)).toBe("real[10]");
  });
  it("PPL2041 a real passed for an int argument, and an unknown argument", () => {
    expect(check(`model M(K: int = 3) {\n}`, { args: { K: 2.5 } }).diagnostics[0]?.code).toBe("PPL2041");
    expect(check(`model M(K: int = 3) {\n}`, { args: { J: 2 } }).diagnostics[0]?.hint).toContain("'K'");
  });
  it("PPL2035 a real argument used as a size", () => {
    expectDiag(`model M(s: real = 2.0) {\n  latent mu: real[s]\n  mu ~ Normal(0, 1)\n}`, "PPL2035", 2, 19);
  });
  it("PPL2035 a latent used as a size", () => {
    expectDiag(`model M {\n  latent k: real\n  k ~ Normal(0, 1)\n  latent mu: real[k]\n  mu ~ Normal(0, 1)\n}`, "PPL2035", 4, 19);
  });
});

describe("distributions", () => {
  it("PPL2005 wrong arity names the signature", () => {
    const d = expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1, 2)\n}`, "PPL2005", 3, 8);
    expect(d.message).toBe("Normal takes 2 arguments but 3 were given");
    expect(d.hint).toContain("Normal(loc, scale)");
  });
  it("PPL2006 a real where an int is needed (Binomial's n)", () => {
    expectDiag(`model M {\n  data x: int\n  latent p: real<lower=0, upper=1>\n  p ~ Beta(1, 1)\n  x ~ Binomial(2.5, p)\n}`, "PPL2006", 5, 16);
  });
  it("PPL2007 a constant that violates the constraint is an error", () => {
    const d = expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, -1)\n}`, "PPL2007", 3, 18);
    expect(d.message).toBe("argument 'scale' of Normal must be positive, got -1");
    expect(d.severity).toBe("error");
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 0)\n}`, "PPL2007", 3, 18);
    expectDiag(`model M {\n  data y: int\n  y ~ Bernoulli(1.5)\n}`, "PPL2007", 3, 17);
  });
  it("PPL2007 a literal simplex that does not sum to one", () => {
    expectDiag(`model M {\n  data y: int\n  y ~ Categorical([0.5, 0.6])\n}`, "PPL2007", 3, 19);
  });
  it("PPL2008 a plain real used as a scale is a warning suggesting the declaration", () => {
    const d = expectDiag(`model M {\n  latent s: real\n  s ~ Normal(0, 1)\n  latent mu: real\n  mu ~ Normal(0, s)\n}`, "PPL2008", 5, 18);
    expect(d.severity).toBe("warning");
    expect(d.hint).toContain("latent s: real<lower=0>");
  });
  it("PPL2008 an unconstrained expression gets a hint to transform it", () => {
    const d = expectDiag(`model M {\n  latent s: real\n  s ~ Normal(0, 1)\n  latent mu: real\n  mu ~ Normal(0, s * 2)\n}`, "PPL2008", 5, 18);
    expect(d.hint).toMatch(/softplus|exp/);
  });
  it("inference sees through exp, softplus, sigmoid, softmax and arithmetic", () => {
    expectClean(`model M {
  data N: int<lower=1>
  data K: int<lower=1>
  data y: real[N]
  data c: int<lower=0, upper=K-1>[N]
  data b: int<lower=0, upper=1>[N]
  latent s: real
  latent t: real<lower=0>
  latent a: real[K]
  s ~ Normal(0, 1)
  t ~ Gamma(2, 2)
  a ~ Normal(0, exp(s))
  y ~ Normal(s, softplus(s) + 1 / sqrt(t))
  b ~ Bernoulli(sigmoid(s))
  c ~ Categorical(softmax(a))
  y ~ StudentT(3, 0, t * t + 0.5)
}`);
  });
  it("PPL2009 a latent whose declaration is wider than its prior's support", () => {
    const d = expectDiag(`model M {\n  latent p: real\n  p ~ Beta(1, 1)\n}`, "PPL2009", 3, 3);
    expect(d.hint).toBe("declare it as `latent p: real<lower=0, upper=1>`");
    expect(expectDiag(`model M {\n  latent s: real[3]\n  s ~ Gamma(2, 2)\n}`, "PPL2009", 3, 3).hint).toContain("real<lower=0>[3]");
  });
  it("PPL2009 a discrete latent without the support's symbolic bounds", () => {
    const d = expectDiag(
      `model M {\n  data N: int\n  data K: int\n  latent w: simplex[K]\n  w ~ Dirichlet(ones(K))\n  latent z: int[N]\n  z ~ Categorical(w)\n}`,
      "PPL2009",
      7,
      3,
    );
    expect(d.hint).toContain("int<lower=0, upper=K-1>[N]");
  });
  it("a truncated prior (declaration inside the support) is fine", () => {
    expectClean(`model M {\n  latent s: real<lower=0>\n  s ~ Normal(0, 1)\n}`);
  });
  it("PPL2010 int latent with a continuous prior, real latent or data with a discrete one", () => {
    expectDiag(`model M {\n  latent n: int<lower=0>\n  n ~ Normal(0, 1)\n}`, "PPL2010", 3, 3);
    expectDiag(`model M {\n  latent n: real\n  n ~ Poisson(3)\n}`, "PPL2010", 3, 3);
    expectDiag(`model M {\n  data k: real\n  k ~ Poisson(3)\n}`, "PPL2010", 3, 3);
    expectDiag(`model M {\n  data k: bool\n  k ~ Normal(0, 1)\n}`, "PPL2010", 3, 3);
  });
  it("bool data with Bernoulli and int data with a continuous likelihood are fine", () => {
    expectClean(`model M {\n  data N: int\n  data y: bool[N]\n  data c: int[N]\n  latent p: real<lower=0, upper=1>\n  p ~ Beta(1, 1)\n  y ~ Bernoulli(p)\n  c ~ Normal(0, 1)\n}`);
  });
  it("PPL2011 a latent with no prior", () => {
    expectDiag(`model M {\n  latent mu: real\n}`, "PPL2011", 2, 10);
  });
  it("PPL2012 `~` on a let, a param, an argument", () => {
    expectDiag(`model M {\n  latent mu: real\n  let s = mu\n  s ~ Normal(0, 1)\n  mu ~ Normal(0, 1)\n}`, "PPL2012", 4, 3);
    expect(expectDiag(`model M {\n  param w: real\n  w ~ Normal(0, 1)\n}`, "PPL2012", 3, 3).hint).toContain("latent");
    expectDiag(`model M(k: real = 1.0) {\n  k ~ Normal(0, 1)\n}`, "PPL2012", 2, 3);
  });
  it("PPL2013 a target that is not a name or an index of one", () => {
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  mu + 1 ~ Normal(0, 1)\n}`, "PPL2013", 4, 3);
  });
  it("PPL2022 a distribution argument with the wrong event rank", () => {
    const d = expectDiag(`model M {\n  latent w: simplex[3]\n  w ~ Dirichlet(2.0)\n}`, "PPL2022", 3, 17);
    expect(d.message).toContain("must be a vector");
  });
});

describe("declarations and assignment", () => {
  it("PPL2014 assigning to data, a latent or a param", () => {
    expectDiag(`model M {\n  data y: real\n  latent mu: real\n  mu ~ Normal(0, 1)\n  y = mu\n}`, "PPL2014", 5, 3);
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  mu = 3\n}`, "PPL2014", 4, 3);
    expectDiag(`model M {\n  param w: real[3]\n  w[0] = 3\n}`, "PPL2014", 3, 3);
  });
  it("PPL2015 a let with neither type nor value (built by hand: the parser already rejects it)", () => {
    const prog = parsed(`model M {\n  let t = 1\n}`);
    const decl = prog.models[0]!.body[0] as DeclStmt;
    const bare: DeclStmt = { ...decl, init: null };
    const r = typecheck({ ...prog, models: [{ ...prog.models[0]!, body: [bare] }] }, SIGS);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PPL2015"]);
    expect(r.diagnostics[0]!.span?.line).toBe(2);
  });
  it("PPL2016 a typed let never assigned", () => {
    expectDiag(`model M {\n  data J: int\n  let theta: real[J]\n}`, "PPL2016", 3, 7);
  });
  it("a typed let filled in a loop is fine, and is reported as defined", () => {
    const tm = expectClean(`model M {
  data J: int<lower=1>
  data y: real[J]
  latent mu: real
  latent eta: real[J]
  let theta: real[J]
  for j in 0..J {
    theta[j] = mu + eta[j]
  }
  mu ~ Normal(0, 5)
  eta ~ Normal(0, 1)
  y ~ Normal(theta, 1)
}`);
    expect(tm.symbols.get("theta")!.definitions.length).toBe(1);
  });
  it("PPL2045 a value that does not fit the declared type", () => {
    expectDiag(`model M {\n  let t: int = 2.5\n}`, "PPL2045", 2, 16);
    expectDiag(`model M {\n  let t: real[3]\n  t = [1.0, 2.0]\n}`, "PPL2045", 3, 7);
  });
  it("PPL2042 data in a loop, a latent in the guide", () => {
    expectDiag(`model M {\n  for i in 0..3 {\n    data x: real\n  }\n}`, "PPL2042", 3, 5);
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  guide {\n    latent nu: real\n    mu ~ Normal(0, 1)\n  }\n}`, "PPL2042", 5, 5);
  });
  it("PPL2047 a simplex without a size, bounds on a bool", () => {
    expectDiag(`model M {\n  latent w: simplex\n  w ~ Dirichlet([1.0, 1.0])\n}`, "PPL2047", 2, 13);
    expectDiag(`model M {\n  data b: bool<lower=0>\n}`, "PPL2047", 2, 15);
  });
});

describe("shapes", () => {
  it("PPL2017 size mismatch between operands, naming both sizes", () => {
    const d = expectDiag(`model M {\n  data x: real[3]\n  data y: real[4]\n  let z = x + y\n}`, "PPL2017", 4, 11);
    expect(d.message).toBe("size mismatch: x has 3 along axis 0 but y has 4");
    expect(expectDiag(`model M {\n  data N: int\n  data K: int\n  data x: real[N]\n  data y: real[K]\n  let z = x * y\n}`, "PPL2017", 6, 11).message).toBe(
      "size mismatch: x has N along axis 0 but y has K",
    );
  });
  it("broadcasting: 1 stretches, scalars broadcast, the same symbol unifies", () => {
    const tm = expectClean(`model M {\n  data N: int\n  data x: real[N, 1]\n  data y: real[3]\n  data w: real[N]\n  let z = x + y\n  let u = w * 2 + w\n}`);
    const z = tm.symbols.get("z")!;
    expect(showType(z.type)).toBe("real[N, 3]");
    expect(showType(tm.symbols.get("u")!.type)).toBe("real[N]");
  });
  it("PPL2018 the sample target against the distribution's shape", () => {
    const d = expectDiag(
      `model M {\n  data N: int\n  data J: int\n  data y: real[N]\n  latent theta: real[J]\n  theta ~ Normal(0, 1)\n  y ~ Normal(theta, 1)\n}`,
      "PPL2018",
      7,
      3,
    );
    expect(d.message).toBe("y is real[N] but Normal(theta, 1) gives real[J]");
    expectDiag(`model M {\n  data N: int\n  latent mu: real\n  data m: real[N]\n  mu ~ Normal(m, 1)\n}`, "PPL2018", 5, 3);
  });
  it("PPL2019 matrix product needs matching inner sizes", () => {
    expectDiag(
      `model M {\n  data N: int\n  data D: int\n  data K: int\n  data X: real[N, D]\n  latent w: real[K]\n  w ~ Normal(0, 1)\n  data y: real[N]\n  y ~ Normal(X @ w, 1)\n}`,
      "PPL2019",
      9,
      14,
    );
    expectDiag(`model M {\n  data x: real\n  let y = x @ x\n}`, "PPL2019", 3, 11);
  });
  it("matrix product shapes", () => {
    const tm = expectClean(`model M {\n  data N: int\n  data D: int\n  data X: real[N, D]\n  data W: real[D, 3]\n  data v: real[D]\n  let a = X @ W\n  let b = X @ v\n  let c = v @ v\n}`);
    expect(showType(tm.symbols.get("a")!.type)).toBe("real[N, 3]");
    expect(showType(tm.symbols.get("b")!.type)).toBe("real[N]");
    expect(showType(tm.symbols.get("c")!.type)).toBe("real");
  });
  it("PPL2020 too many indices", () => {
    expectDiag(`model M {\n  data N: int\n  data y: real[N]\n  let a = y[0, 1]\n}`, "PPL2020", 4, 16);
  });
  it("PPL2021 a real index, PPL2044 a constant out of range", () => {
    expectDiag(`model M {\n  data N: int\n  data y: real[N]\n  let a = y[0.5]\n}`, "PPL2021", 4, 13);
    expectDiag(`model M {\n  data y: real[3]\n  let a = y[3]\n}`, "PPL2044", 3, 13);
  });
  it("indexing reduces shape, slices and gathers keep axes", () => {
    const tm = expectClean(`model M {
  data N: int
  data K: int
  data X: real[N, K]
  data z: int<lower=0, upper=K-1>[N]
  data mu: real[K]
  let a = X[0]
  let b = X[:, 1]
  let c = X[1:3, :]
  let d = mu[z]
  let e = X[2:, 0]
}`);
    const t = (n: string) => showType(tm.symbols.get(n)!.type);
    expect([t("a"), t("b"), t("c"), t("d"), t("e")]).toEqual(["real[K]", "real[N]", "real[2, K]", "real[N]", "real[N-2]"]);
  });
  it("PPL2023 a number as a condition, a number in &&", () => {
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  let t = mu > 0 ? 1 : 0\n  let u = mu ? 1 : 0\n}`, "PPL2023", 5, 11);
    expectDiag(`model M {\n  data a: real\n  let u = a && true\n}`, "PPL2023", 3, 11);
  });
  it("bool takes part in arithmetic as 0/1", () => {
    const tm = expectClean(`model M {\n  data b: bool\n  let t = b + 1\n  let u = b ? 2.0 : 3.0\n}`);
    expect(showType(tm.symbols.get("t")!.type)).toBe("int<lower=1, upper=2>");
  });
  it("PPL2024 a real loop bound", () => {
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  for i in 0..2.5 {\n    mu ~ Normal(0, 1)\n  }\n}`, "PPL2024", 4, 15);
  });
  it("loop variables are ints scoped to the body; indexing in loops gives scalars", () => {
    const src = `model M {
  data N: int<lower=1>
  data K: int<lower=1>
  data y: real[N]
  data g: int<lower=0, upper=K-1>[N]
  latent mu: real[K]
  latent sigma: real<lower=0>
  mu ~ Normal(0, 1)
  sigma ~ HalfNormal(1)
  for i in 0..N {
    let m = mu[g[i]]
    y[i] ~ Normal(m, sigma)
  }
}`;
    const tm = expectClean(src);
    const loop = [...tm.loopVars.entries()][0]!;
    expect(showType(loop[1].type)).toMatch(/^int/);
    expectDiag(src.replace("  }\n}", "  }\n  let after = i\n}"), "PPL2001", 14, 15);
  });
  it("PPL2036 a bool factor; a tensor factor is summed", () => {
    expectDiag(`model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  factor(mu > 0)\n}`, "PPL2036", 4, 10);
    expectClean(`model M {\n  latent mu: real[3]\n  mu ~ Normal(0, 1)\n  factor(-mu * mu)\n}`);
  });
});

describe("functions", () => {
  it("builtins type-check with their shapes", () => {
    const tm = expectClean(`model M {
  data N: int
  data D: int
  data X: real[N, D]
  data z: int<lower=0, upper=4>[N]
  let a = sum(X)
  let b = mean(X, 0)
  let c = ones(N, D)
  let d = zeros(D)
  let e = fill(2.0, N)
  let f = one_hot(z, 5)
  let g = concat(X, f)
  let h = transpose(X)
  let i = size(X, 1)
  let j = logsumexp(X, 1)
  let k = dot(X, X)
  let l = pow(X, 2)
  let m = maximum(X, 0)
  let n = cumsum(d)
  let o = log_softmax(X)
  let p = sd(X)
}`);
    const t = (n: string) => showType(tm.symbols.get(n)!.type);
    expect(t("a")).toBe("real");
    expect(t("b")).toBe("real[D]");
    expect(t("c")).toMatch(/^real.*\[N, D\]$/);
    expect(t("f")).toMatch(/\[N, 5\]$/);
    expect(t("g")).toMatch(/\[N, D\+5\]$/);
    expect(t("h")).toBe("real[D, N]");
    expect(t("i")).toMatch(/^int/);
    expect(t("j")).toBe("real[N]");
    expect(t("k")).toBe("real[N]");
    expect(t("p")).toMatch(/^real<lower=0>$/);
  });
  it("PPL2038 wrong arity, PPL2039 a bad argument", () => {
    expectDiag(`model M {\n  let a = exp(1.0, 2.0)\n}`, "PPL2038", 2, 11);
    expectDiag(`model M {\n  let a = softmax(1.0)\n}`, "PPL2039", 2, 19);
  });
  it("PPL2043 calling a value, using a network as a value", () => {
    expectDiag(`model M {\n  data x: real\n  let a = x(2)\n}`, "PPL2043", 3, 11);
    expectDiag(`model M {\n  param f: MLP(2 -> 3)\n  let a = f + 1\n}`, "PPL2043", 3, 11);
  });
});

describe("networks", () => {
  const net = (t: string, extra = "") => `model M {\n  data N: int\n  data x: real[N, 2]\n  param f: ${t}\n${extra}}`;
  it("PPL2025 unknown network", () => {
    expect(expectDiag(net("MLPP(2 -> 10 -> 1)"), "PPL2025", 4, 12).hint).toContain("'MLP'");
  });
  it("PPL2026 layer sizes must be positive ints", () => {
    expectDiag(net("MLP(2 -> 0 -> 1)"), "PPL2026", 4, 21);
    expectDiag(net("MLP(2 -> 2.5 -> 1)"), "PPL2026", 4, 21);
  });
  it("PPL2027 unknown option lists the valid ones; PPL2028 unknown activation", () => {
    expect(expectDiag(net("MLP(2 -> 10 -> 1, hiden: relu)"), "PPL2027", 4, 30).hint).toContain("'hidden'");
    expect(expectDiag(net("MLP(2 -> 10 -> 1, hidden: relux)"), "PPL2028", 4, 38).hint).toContain("'relu'");
  });
  it("PPL2029 the wrong number of layers", () => {
    expectDiag(net("Linear(2 -> 10 -> 1)"), "PPL2029", 4, 12);
  });
  it("PPL2046 the input's last size must match the first layer; the output takes the last", () => {
    expectDiag(`model M {\n  data N: int\n  data x: real[N, 3]\n  data y: real[N]\n  param f: MLP(2 -> 10 -> 1)\n  y ~ Normal(f(x)[:, 0], 1)\n}`, "PPL2046", 6, 16);
    const tm = expectClean(net("MLP(2 -> 10 -> 4, out: sigmoid)", "  let h = f(x)\n"));
    expect(showType(tm.symbols.get("h")!.type)).toBe("real<lower=0, upper=1>[N, 4]");
  });
  it("PPL2011 a latent network needs a prior; with one it checks", () => {
    expectDiag(`model M {\n  data N: int\n  data x: real[N, 2]\n  data y: real[N]\n  latent f: MLP(2 -> 10 -> 1)\n  y ~ Normal(f(x)[:, 0], 1)\n}`, "PPL2011", 5, 10);
    expectClean(`model M {\n  data N: int\n  data x: real[N, 2]\n  data y: real[N]\n  latent f: MLP(2 -> 10 -> 1)\n  f ~ Normal(0, 1)\n  y ~ Normal(f(x)[:, 0], 1)\n}`);
  });
  it("a network's prior must be over the reals", () => {
    expectDiag(`model M {\n  latent f: MLP(2 -> 1)\n  f ~ Gamma(1, 1)\n}`, "PPL2010", 3, 7);
  });
});

describe("guide", () => {
  it("PPL2031 a guide that misses a latent names it", () => {
    const d = expectDiag(
      `model M {\n  latent mu: real\n  latent s: real<lower=0>\n  mu ~ Normal(0, 1)\n  s ~ Gamma(1, 1)\n  guide {\n    param m: real\n    mu ~ Normal(m, 1)\n  }\n}`,
      "PPL2031",
      6,
      3,
    );
    expect(d.message).toContain("'s'");
    expect(d.hint).toContain("automatic mean-field guide");
  });
  it("PPL2030 a guide naming something the model lacks, or a non-latent", () => {
    const src = `model M {\n  latent mu: real\n  mu ~ Normal(0, 1)\n  guide {\n    param m: real\n    nu ~ Normal(m, 1)\n  }\n}`;
    expect(expectDiag(src, "PPL2030", 6, 5).hint).toContain("'mu'");
    // The typo is not also reported as a missing latent.
    expect(check(src).diagnostics.map((d) => d.code)).toEqual(["PPL2030"]);
    expectDiag(`model M {\n  data y: real\n  latent mu: real\n  mu ~ Normal(0, 1)\n  guide {\n    y ~ Normal(0, 1)\n    mu ~ Normal(0, 1)\n  }\n}`, "PPL2030", 6, 5);
  });
  it("PPL2032 the guide's support must fit the latent", () => {
    const d = expectDiag(`model M {\n  latent s: real<lower=0>\n  s ~ Gamma(1, 1)\n  guide {\n    param m: real\n    s ~ Normal(m, 1)\n  }\n}`, "PPL2032", 6, 9);
    expect(d.hint).toContain("LogNormal");
  });
  it("a full guide with its own params checks, and is recorded", () => {
    const tm = expectClean(`model M {
  data N: int
  data y: real[N]
  latent mu: real
  latent s: real<lower=0>
  mu ~ Normal(0, 1)
  s ~ Gamma(1, 1)
  y ~ Normal(mu, s)
  guide {
    param m: real
    param log_sd: real
    param a: real
    param b: real
    mu ~ Normal(m, exp(log_sd))
    s ~ LogNormal(a, softplus(b))
  }
}`);
    expect([...tm.guideSamples.keys()].sort()).toEqual(["mu", "s"]);
    expect(tm.symbols.has("m")).toBe(false);
    expect([...tm.guideSymbols!.keys()]).toEqual(["m", "log_sd", "a", "b"]);
  });
});

describe("no cascades", () => {
  it("one mistake gives one error", () => {
    const cases = [
      `model M {\n  data N: int\n  data y: real[N]\n  latent mu: real\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu + sigmaa * 2, exp(sigmaa))\n}`,
      `model M {\n  data N: int\n  data y: real[M]\n  latent mu: real\n  mu ~ Normal(0, 1)\n  y ~ Normal(mu, 1)\n}`,
      `model M {\n  latent w: real[3]\n  w ~ Normal(0, 1)\n  let a = w[0.5] + 1\n  let b = a * 2\n}`,
    ];
    for (const src of cases) {
      const r = check(src);
      expect(r.diagnostics.length, render(r.diagnostics, src)).toBe(1);
    }
  });
  it("a guide with loops and indexed targets", () => {
    expectClean(`model M {
  data N: int<lower=1>
  data y: real[N]
  latent mu: real[N]
  mu ~ Normal(0, 1)
  y ~ Normal(mu, 1)
  guide {
    param m: real[N]
    param s: real<lower=0>[N]
    for i in 0..N {
      mu[i] ~ Normal(m[i], s[i])
    }
  }
}`);
  });
  it("the declared constraint is shown with its symbolic bounds", () => {
    const d = expectDiag(`model M {\n  data K: int\n  latent w: simplex[K]\n  w ~ Dirichlet(ones(K))\n  latent z: int<lower=0, upper=K>\n  z ~ Categorical(w)\n}`, "PPL2009", 6, 3);
    expect(d.message).toContain("int<lower=0, upper=K>");
    expect(d.hint).toContain("int<lower=0, upper=K-1>");
  });
});

describe("the typed model", () => {
  it("records symbols, references, expression types and distributions", () => {
    const tm = expectClean(`model M(scale: real = 5.0) {\n  data J: int<lower=1>\n  data y: real[J]\n  latent mu: real\n  let t = mu * 2\n  mu ~ Normal(0, scale)\n  y ~ Normal(t, 1)\n}`);
    expect([...tm.symbols.keys()]).toEqual(["scale", "J", "y", "mu", "t"]);
    expect(tm.symbols.get("scale")!.role).toBe("arg");
    expect(tm.symbols.get("mu")!.samples.length).toBe(1);
    expect(tm.symbols.get("y")!.samples.length).toBe(1);
    const samples = [...tm.distributions.entries()];
    expect(samples.map(([, d]) => d.name)).toEqual(["Normal", "Normal"]);
    const refs = [...tm.references.entries()].map(([id, s]) => `${id.name}->${s.role}`);
    expect(refs).toContain("t->let");
    expect(refs).toContain("scale->arg");
    for (const [s] of samples) expect(tm.exprTypes.get(s.target)).toBeDefined();
  });
  it("checks the last model by default, or the one named", () => {
    const src = `model A {\n  latent a: real\n  a ~ Normal(0, 1)\n}\nmodel B {\n  latent b: real\n  b ~ Normal(0, 1)\n}`;
    expect(expectClean(src).model.name.name).toBe("B");
    expect(expectClean(src, { model: "A" }).model.name.name).toBe("A");
  });
  it("PPL9001 an unexpected exception becomes an internal error, not a throw", () => {
    const broken = { ...SIGS, distributions: { get: () => { throw new Error("boom"); }, keys: () => [][Symbol.iterator](), values: () => [][Symbol.iterator]() } } as unknown as Signatures;
    const r = typecheck(parsed(`model M {\n  latent a: real\n  a ~ Normal(0, 1)\n}`), broken);
    expect(r.diagnostics.at(-1)!.code).toBe("PPL9001");
  });
});
