import { describe, expect, it } from "vitest";
import { markovBlankets, type MarkovBlanket } from "../../compiler/index.js";
import { compileExample, def, factor, graph, node, plate, sym } from "./helpers.js";

const ids = (ms: MarkovBlanket["parents"]) => ms.map((m) => (m.scope === "element" ? `${m.node}[i]` : m.node));
const fs = (b: MarkovBlanket) => b.factors.map((f) => `${f.factor}:${f.role}${f.scope === "element" ? "[i]" : ""}`);

describe("markov blankets on hand-built graphs", () => {
  // a -> b -> y <- c, with s = a + c a let between c and y? Here: y ~ N(b + s), s = c * 2.
  const g = graph({
    nodes: [node("a", "latent"), node("b", "latent"), node("c", "latent"), node("s", "deterministic"), node("y", "observed"), node("k", "data")],
    factors: [
      factor("f0", "a", "Normal", ["k"]),
      factor("f1", "b", "Normal", ["a"]),
      factor("f2", "c", "Normal", []),
      factor("f3", "y", "Normal", ["b", "s"]),
    ],
    definitions: [def("d0", "s", ["c"])],
  });

  it("a chain: parents, children, co-parents (looking through lets)", () => {
    const mb = g.analyses.markovBlankets;
    const a = mb.get("a")!;
    expect(ids(a.parents)).toEqual(["k"]);
    expect(ids(a.children)).toEqual(["b"]);
    expect(ids(a.coParents)).toEqual([]);
    expect(a.blanket).toEqual(["k", "b"]);
    expect(fs(a)).toEqual(["f0:prior", "f1:child"]);

    const b = mb.get("b")!;
    expect(ids(b.parents)).toEqual(["a"]);
    expect(ids(b.children)).toEqual(["y"]);
    expect(ids(b.coParents)).toEqual(["c"]);
    expect(new Set(b.blanket)).toEqual(new Set(["a", "c", "y"]));
    // Blanket members follow the dependency order.
    const order = g.analyses.order.nodes;
    expect([...b.blanket]).toEqual([...b.blanket].sort((p, q) => order.indexOf(p) - order.indexOf(q)));

    const c = mb.get("c")!;
    expect(ids(c.children)).toEqual(["y"]);
    expect(c.through).toEqual(["s"]);
    expect(ids(c.coParents)).toEqual(["b"]);
    expect(fs(c)).toEqual(["f2:prior", "f3:child"]);
    expect(c.local).toBe(false);
  });

  it("only random nodes get a blanket", () => {
    expect([...markovBlankets(g).keys()]).toEqual(["a", "b", "c"]);
  });

  it("a local latent: per-element scopes", () => {
    // Mixture: w ~ Dir; z[n] ~ Cat(w); x[n] ~ N(mu[z[n]], 1) over plate N.
    const m = graph({
      nodes: [
        node("w", "latent"),
        node("mu", "latent", { shape: [sym("K")] }),
        node("z", "latent", { shape: [sym("N")], plates: ["N"], discrete: true }),
        node("x", "observed", { shape: [sym("N")], plates: ["N"] }),
      ],
      factors: [
        factor("f0", "w", "Dirichlet", []),
        factor("f1", "mu", "Normal", []),
        factor("f2", "z", "Categorical", ["w"], ["N"]),
        factor("f3", "x", "Normal", ["mu", ["z", ["N"], "index"]], ["N"]),
      ],
      plates: [plate("N", "N")],
    });
    const z = m.analyses.markovBlankets.get("z")!;
    expect(z.local).toBe(true);
    expect(z.plates).toEqual(["N"]);
    expect(ids(z.parents)).toEqual(["w"]);
    expect(ids(z.children)).toEqual(["x[i]"]);
    expect(ids(z.coParents)).toEqual(["mu"]);
    expect(fs(z)).toEqual(["f2:prior[i]", "f3:child[i]"]);
    const mu = m.analyses.markovBlankets.get("mu")!;
    expect(ids(mu.children)).toEqual(["x"]);
    expect(ids(mu.coParents)).toEqual(["z"]);
    expect(fs(mu)).toEqual(["f1:prior", "f3:child"]);
  });

  it("a potential joins the blanket of every latent it mentions", () => {
    const p = graph({
      nodes: [node("a", "latent"), node("b", "latent")],
      factors: [factor("f0", "a", "Normal", []), factor("f1", "b", "Normal", []), factor("f2", null, "", ["a", "b"])],
    });
    const a = p.analyses.markovBlankets.get("a")!;
    expect(fs(a)).toEqual(["f0:prior", "f2:potential"]);
    expect(ids(a.coParents)).toEqual(["b"]);
    expect(ids(a.children)).toEqual([]);
  });
});

describe("markov blankets of the examples (hand-computed)", () => {
  it("eight_schools", () => {
    const g = compileExample("eight_schools").graph;
    const mb = g.analyses.markovBlankets;
    expect([...mb.keys()]).toEqual(["mu", "tau", "eta"]);
    const mu = mb.get("mu")!;
    expect(ids(mu.parents)).toEqual([]);
    expect(ids(mu.children)).toEqual(["y"]);
    expect(mu.through).toEqual(["theta"]);
    expect(new Set(ids(mu.coParents))).toEqual(new Set(["tau", "eta", "sigma"]));
    expect(mu.factors.map((f) => f.role)).toEqual(["prior", "child"]);
    // eta[j]: its prior term j, y[j] through theta[j], sigma[j]; mu and tau whole.
    const eta = mb.get("eta")!;
    expect(eta.local).toBe(true);
    expect(ids(eta.children)).toEqual(["y[i]"]);
    expect(new Set(ids(eta.coParents))).toEqual(new Set(["sigma[i]", "mu", "tau"]));
    expect(eta.factors.map((f) => f.scope)).toEqual(["element", "element"]);
    expect(new Set(eta.blanket)).toEqual(new Set(["y", "sigma", "mu", "tau"]));
  });

  it("gmm: z[n] sees weights, x[n], mu and sigma", () => {
    const mb = compileExample("gmm").graph.analyses.markovBlankets;
    const z = mb.get("z")!;
    expect(ids(z.parents)).toEqual(["weights"]);
    expect(ids(z.children)).toEqual(["x[i]"]);
    expect(new Set(ids(z.coParents))).toEqual(new Set(["mu", "sigma"]));
    const weights = mb.get("weights")!;
    expect(ids(weights.parents)).toEqual(["K"]);
    expect(ids(weights.children)).toEqual(["z"]);
    // sigma[k] is read through a gather (sigma[z]): its child factor is needed whole.
    const sigma = mb.get("sigma")!;
    expect(sigma.local).toBe(true);
    expect(ids(sigma.children)).toEqual(["x"]);
    expect(sigma.factors.map((f) => `${f.role}:${f.scope}`)).toEqual(["prior:element", "child:all"]);
  });

  it("linreg: w's child factor is whole (X @ w contracts w)", () => {
    const w = compileExample("linreg").graph.analyses.markovBlankets.get("w")!;
    expect(ids(w.children)).toEqual(["y"]);
    expect(new Set(ids(w.coParents))).toEqual(new Set(["X", "b", "sigma"]));
  });

  it("vae: z[n] sees x[n] and the decoder", () => {
    const z = compileExample("vae").graph.analyses.markovBlankets.get("z")!;
    expect(ids(z.children)).toEqual(["x[i]"]);
    expect(ids(z.coParents)).toEqual(["decoder"]);
  });
});
