import { describe, expect, it } from "vitest";
import { LOWER_CODES, type GraphIR } from "../../compiler/index.js";
import { codes, compileExample, compileText } from "./helpers.js";

const kinds = (g: GraphIR) => Object.fromEntries([...g.nodes.values()].map((n) => [n.id, n.kind]));
const edges = (g: GraphIR) => g.edges.map((e) => `${e.from}->${e.to}`).sort();
const platesOf = (g: GraphIR, id: string) => g.nodes.get(id)!.plates;

describe("lower: the examples", () => {
  it("eight_schools: plate J holds eta, theta and y; theta depends on mu, tau, eta", () => {
    const g = compileExample("eight_schools").graph;
    expect(g.model).toBe("EightSchools");
    expect(kinds(g)).toEqual({ J: "data", y: "observed", sigma: "data", mu: "latent", tau: "latent", eta: "latent", theta: "deterministic" });
    expect([...g.plates.keys()]).toEqual(["J"]);
    const J = g.plates.get("J")!;
    expect(J.size).toEqual({ kind: "sym", name: "J" });
    expect(J.origin).toBe("vectorised");
    expect(J.nodes).toEqual(expect.arrayContaining(["eta", "theta", "y", "sigma"]));
    expect(J.nodes).not.toContain("mu");
    expect(J.nodes).not.toContain("tau");
    expect(g.nodes.get("theta")!.parents).toEqual(["mu", "tau", "eta"]);
    expect(edges(g)).toEqual(["eta->theta", "mu->theta", "sigma->y", "tau->theta", "theta->y"]);
    const theta = g.nodes.get("theta")!;
    expect(theta.definitions).toHaveLength(1);
    const d = g.definitions.get(theta.definitions[0]!)!;
    expect(d.kind).toBe("init");
    expect(d.uses.find((u) => u.node === "eta")!.elementwise).toEqual(["J"]);
    expect(d.uses.find((u) => u.node === "mu")!.elementwise).toEqual([]);
    const y = g.factors.get(g.nodes.get("y")!.factors[0]!)!;
    expect(y.distribution).toBe("Normal");
    expect(y.signature?.name).toBe("Normal");
    expect(y.plates).toEqual(["J"]);
    expect(y.span.line).toBe(17);
    expect(g.nodes.get("mu")!.span.line).toBe(8);
    expect(g.nodes.get("eta")!.shape).toEqual({ symbolic: [{ kind: "sym", name: "J" }], concrete: null });
  });

  it("eight_schools with sizes: concrete plate sizes and shapes", () => {
    const g = compileExample("eight_schools", new Map([["J", 8]])).graph;
    expect(g.plates.get("J")!.concreteSize).toBe(8);
    expect(g.nodes.get("theta")!.shape.concrete).toEqual([8]);
    expect(g.nodes.get("mu")!.shape.concrete).toEqual([]);
  });

  it("gmm: plate N holds z and x; weights and mu stay outside", () => {
    const g = compileExample("gmm").graph;
    expect(kinds(g)).toMatchObject({ x: "observed", weights: "latent", mu: "latent", sigma: "latent", z: "latent" });
    const N = g.plates.get("N")!;
    expect(N.nodes).toEqual(expect.arrayContaining(["z", "x"]));
    for (const global of ["weights", "mu", "sigma"]) expect(N.nodes).not.toContain(global);
    expect(platesOf(g, "weights")).toEqual([]); // a simplex's axis is one event, not a plate
    expect(platesOf(g, "mu")).toEqual([]); // ordered: likewise
    expect(platesOf(g, "sigma")).toEqual(["K"]); // independent scales over K
    expect(g.nodes.get("z")!.discrete).toBe(true);
    expect(g.nodes.get("mu")!.discrete).toBe(false);
    // mu[z]: an index edge z -> x and an argument edge mu -> x.
    const zx = g.edges.find((e) => e.from === "z" && e.to === "x")!;
    expect(zx.kinds).toContain("index");
    expect(g.edges.find((e) => e.from === "mu" && e.to === "x")!.kinds).toEqual(["arg"]);
    expect(edges(g)).toEqual(["K->weights", "mu->x", "sigma->x", "weights->z", "z->x"]);
    const fx = g.factors.get(g.nodes.get("x")!.factors[0]!)!;
    expect(fx.uses.find((u) => u.node === "z")!.elementwise).toEqual(["N"]);
    expect(fx.uses.find((u) => u.node === "mu")!.elementwise).toEqual([]);
  });

  it("linreg: X @ w gives edges X -> y and w -> y; X sits in plate N, w in plate D", () => {
    const g = compileExample("linreg").graph;
    expect(edges(g)).toEqual(["X->y", "b->y", "sigma->y", "w->y"]);
    expect(platesOf(g, "X")).toEqual(["N"]);
    expect(g.nodes.get("X")!.axisPlates).toEqual(["N", null]);
    expect(platesOf(g, "w")).toEqual(["D"]);
    const fy = g.factors.get(g.nodes.get("y")!.factors[0]!)!;
    expect(fy.uses.find((u) => u.node === "X")!.elementwise).toEqual(["N"]);
    expect(fy.uses.find((u) => u.node === "w")!.elementwise).toEqual([]); // contracted by @
    expect(g.nodes.get("sigma")!.kind).toBe("data");
  });

  it("coin, normal_gamma, logreg: kinds and plates", () => {
    const coin = compileExample("coin").graph;
    expect(kinds(coin)).toEqual({ N: "data", y: "observed", p: "latent" });
    expect(platesOf(coin, "y")).toEqual(["N"]);
    const ng = compileExample("normal_gamma").graph;
    expect(edges(ng)).toEqual(["mu->x", "tau->x"]);
    const lr = compileExample("logreg").graph;
    expect(g(lr, "y").factors.length).toBe(1);
    expect(lr.factors.get(g(lr, "y").factors[0]!)!.distribution).toBe("BernoulliLogit");
  });

  it("vae: networks keep layers and activations; the guide targets z; z is local to N", () => {
    const c = compileExample("vae", new Map([["N", 100], ["D", 784]]));
    const gr = c.graph;
    const dec = gr.nodes.get("decoder")!;
    expect(dec.kind).toBe("network");
    expect(dec.network!.stochastic).toBe(false);
    expect(dec.network!.concreteLayers).toEqual([20, 400, 784]);
    expect(dec.network!.activations).toMatchObject({ hidden: "relu", out: "sigmoid" });
    expect(gr.edges.find((e) => e.from === "decoder" && e.to === "x")!.kinds).toEqual(["network"]);
    expect(platesOf(gr, "z")).toEqual(["N"]);
    expect(gr.plates.get("N")!.concreteSize).toBe(100);
    expect(gr.guide).not.toBeNull();
    const gf = [...gr.guide!.factors.values()];
    expect(gf.map((f) => f.target)).toEqual(["z"]);
    expect(gf[0]!.plates).toEqual(["N"]);
    expect([...gr.guide!.params].sort()).toEqual(["enc_loc", "enc_scale"]);
    expect(gr.guide!.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(["enc_loc->z", "enc_scale->z", "x->z"]);
  });

  it("cvae: the let c = one_hot(label) sits in plate N with its data", () => {
    const gr = compileExample("cvae").graph;
    expect(g(gr, "c").kind).toBe("deterministic");
    expect(platesOf(gr, "c")).toEqual(["N"]);
    expect(platesOf(gr, "label")).toEqual(["N"]);
    expect(g(gr, "x").parents).toEqual(expect.arrayContaining(["decoder", "z", "c"]));
  });

  it("bnn: a latent network with a prior", () => {
    const gr = compileExample("bnn").graph;
    const f = g(gr, "f");
    expect(f.kind).toBe("network");
    expect(f.network!.stochastic).toBe(true);
    expect(f.network!.activations).toMatchObject({ hidden: "tanh" });
    expect(f.factors).toHaveLength(1);
    expect(gr.edges.find((e) => e.from === "f" && e.to === "y")!.kinds).toEqual(["network"]);
    expect(platesOf(gr, "x")).toEqual(["N"]);
  });
});

function g(graph: GraphIR, id: string) {
  return graph.nodes.get(id)!;
}

describe("lower: loops, lets and potentials", () => {
  const loops = `model L {
  data N: int<lower=1>
  data D: int<lower=1>
  data X: real[N, D]
  data y: real[N]
  latent w: real[D]
  latent mu: real[N]
  let theta: real[N]
  for i in 0..N {
    mu[i] ~ Normal(0, 1)
    theta[i] = mu[i] + dot(X[i], w)
    y[i] ~ Normal(theta[i], 1)
  }
  w ~ Normal(0, 1)
  factor(-0.5 * sum(w * w))
}`;

  it("a for loop over 0..N is a plate N, shared with vectorised statements over N", () => {
    const gr = compileText(loops).value!.graph;
    const N = gr.plates.get("N")!;
    expect(N.origin).toBe("for");
    expect(N.indexVars).toEqual(["i"]);
    expect(N.nodes).toEqual(expect.arrayContaining(["X", "y", "mu", "theta"]));
    expect(platesOf(gr, "w")).toEqual(["D"]);
    const def = gr.definitions.get(g(gr, "theta").definitions[0]!)!;
    expect(def.kind).toBe("assign");
    expect(def.plates).toEqual(["N"]);
    expect(def.uses.find((u) => u.node === "mu")!.elementwise).toEqual(["N"]);
    expect(def.uses.find((u) => u.node === "X")!.elementwise).toEqual(["N"]);
    expect(def.uses.find((u) => u.node === "w")!.elementwise).toEqual([]);
  });

  it("a factor(e) is a potential with no target and no edges", () => {
    const gr = compileText(loops).value!.graph;
    const pot = [...gr.factors.values()].filter((f) => f.kind === "potential");
    expect(pot).toHaveLength(1);
    expect(pot[0]!.target).toBeNull();
    expect(pot[0]!.parents).toEqual(["w"]);
  });

  it("nested loops give nested plates", () => {
    const r = compileText(`model M {
  data N: int<lower=1>
  data D: int<lower=1>
  data y: real[N, D]
  latent mu: real[N, D]
  for i in 0..N {
    for j in 0..D {
      mu[i, j] ~ Normal(0, 1)
      y[i, j] ~ Normal(mu[i, j], 1)
    }
  }
}`);
    const gr = r.value!.graph;
    expect([...gr.plates.keys()]).toEqual(["N", "N/D"]);
    expect(gr.plates.get("N/D")!.parent).toBe("N");
    expect(platesOf(gr, "mu")).toEqual(["N", "N/D"]);
    expect(g(gr, "mu").axisPlates).toEqual(["N", "N/D"]);
  });

  it("a constant loop is a plate named after its variable", () => {
    const gr = compileText(`model C {
  latent a: real[3]
  for k in 0..3 {
    a[k] ~ Normal(0, 1)
  }
}`).value!.graph;
    const p = [...gr.plates.values()][0]!;
    expect(p.name).toBe("k");
    expect(p.concreteSize).toBe(3);
    expect(platesOf(gr, "a")).toEqual([p.id]);
  });

  it("non-overlapping pieces of a latent are fine", () => {
    const r = compileText(`model P {
  data T: int<lower=2>
  latent x: real[T]
  x[0] ~ Normal(0, 1)
  for t in 1..T {
    x[t] ~ Normal(0, 2)
  }
}`);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const gr = r.value!.graph;
    expect(g(gr, "x").factors).toHaveLength(2);
    expect(gr.plates.get("T-1")!.size).toEqual({ kind: "sym", name: "T-1" });
  });
});

describe("lower: diagnostics", () => {
  it("PPL3001: a latent given a distribution twice", () => {
    const r = compileText(`model T {
  latent mu: real
  mu ~ Normal(0, 1)
  mu ~ Normal(1, 1)
}`);
    expect(r.value).toBeUndefined();
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.latentDefinedTwice]);
    expect(r.diagnostics[0]!.span!.line).toBe(4);
    expect(r.diagnostics[0]!.related![0]!.span.line).toBe(3);
  });

  it("PPL3001: overlapping pieces (a point inside a loop's range)", () => {
    const r = compileText(`model P {
  data T: int<lower=2>
  latent x: real[T]
  x[0] ~ Normal(0, 1)
  for t in 1..T {
    x[t] ~ Normal(0, 1)
  }
  x[1] ~ Normal(0, 2)
}`);
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.latentDefinedTwice]);
  });

  it("PPL3002: a latent sampled in a loop that does not index it", () => {
    const r = compileText(`model R {
  data N: int<lower=1>
  latent mu: real
  for i in 0..N {
    mu ~ Normal(0, 1)
  }
}`);
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.latentRepeatedInLoop]);
  });

  it("PPL3003: data observed twice is a warning", () => {
    const r = compileText(`model O {
  data N: int<lower=1>
  data y: real[N]
  latent mu: real
  mu ~ Normal(0, 1)
  y ~ Normal(mu, 1)
  y ~ Normal(mu, 2)
}`);
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.observedTwice]);
    expect(r.diagnostics[0]!.severity).toBe("warning");
    expect(r.value).toBeDefined();
  });

  it("PPL3004: loop bounds that are not a size", () => {
    const r = compileText(`model B {
  data N: int<lower=1>
  data n: int<lower=0>[N]
  data y: real[N]
  latent mu: real
  mu ~ Normal(0, 1)
  for i in 0..n[0] {
    y[i] ~ Normal(mu, 1)
  }
}`);
    expect(codes(r.diagnostics)).toContain(LOWER_CODES.plateSizeNotSize);
  });

  it("PPL3005: lets defined in terms of each other", () => {
    const r = compileText(`model C {
  latent a: real
  let p: real
  let q = p * 2
  p = q + a
  a ~ Normal(0, 1)
}`);
    if (r.diagnostics.some((d) => d.code.startsWith("PPL2"))) return; // the checker may already reject it
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.letCycle]);
  });

  it("PPL3006: a latent whose distribution uses itself", () => {
    const r = compileText(`model S {
  data T: int<lower=2>
  latent x: real[T]
  x[0] ~ Normal(0, 1)
  for t in 1..T {
    x[t] ~ Normal(x[t-1], 1)
  }
}`);
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.latentDependsOnItself]);
  });

  it("an observed series may depend on itself (AR(1) on data)", () => {
    const r = compileText(`model AR {
  data T: int<lower=2>
  data y: real[T]
  latent phi: real
  phi ~ Normal(0, 1)
  for t in 1..T {
    y[t] ~ Normal(phi * y[t-1], 1)
  }
}`);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.value!.graph.edges.some((e) => e.from === e.to)).toBe(false);
  });

  it("PPL3007: latents whose distributions form a cycle", () => {
    const r = compileText(`model C {
  latent a: real
  latent b: real
  a ~ Normal(b, 1)
  b ~ Normal(a, 1)
}`);
    expect(codes(r.diagnostics)).toEqual([LOWER_CODES.latentCycle]);
    expect(r.diagnostics[0]!.message).toMatch(/a -> b|b -> a/);
  });

  it("PPL3008: a plate of negative size with the given sizes", () => {
    const r = compileText(`model P {
  data T: int<lower=0>
  data y: real[T]
  latent mu: real
  mu ~ Normal(0, 1)
  for t in 2..T {
    y[t] ~ Normal(mu, 1)
  }
}`, new Map([["T", 1]]));
    expect(codes(r.diagnostics)).toContain(LOWER_CODES.negativePlateSize);
  });
});

describe("lower: guides with their own params", () => {
  it("guide params and lets are guide nodes; guide factors target latents", () => {
    const r = compileText(`model G {
  data N: int<lower=1>
  data y: real[N]
  latent mu: real
  latent s: real<lower=0>
  mu ~ Normal(0, 1)
  s ~ Exponential(1)
  y ~ Normal(mu, s)
  guide {
    param loc: real
    param log_scale: real
    let scale = exp(log_scale)
    mu ~ Normal(loc, scale)
    s ~ LogNormal(0, 1)
  }
}`);
    const gr = r.value!.graph;
    const guide = gr.guide!;
    expect([...guide.nodes.keys()]).toEqual(["loc", "log_scale", "scale"]);
    expect(guide.nodes.get("scale")!.kind).toBe("deterministic");
    expect(guide.params).toEqual(["loc", "log_scale"]);
    expect([...guide.targets.keys()]).toEqual(["mu", "s"]);
    expect(guide.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(["loc->mu", "log_scale->scale", "scale->mu"]);
    expect(gr.analyses.order.guideNodes).toEqual(["loc", "log_scale", "scale"]);
    // The model graph does not see guide nodes.
    expect(gr.nodes.has("loc")).toBe(false);
  });
});
