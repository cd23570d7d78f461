import { describe, expect, it } from "vitest";
import { buildGraph, isRandom, nodeOf, plateChain, randomNodes, validateGraph, INVARIANT_CODES } from "../../compiler/index.js";
import { codes, def, factor, graph, node, plate, span, sym } from "./helpers.js";

/** Eight schools, by hand. */
function eightSchools() {
  return graph({
    nodes: [
      node("J", "data", { discrete: true }),
      node("y", "observed", { shape: [sym("J")], plates: ["J"] }),
      node("sigma", "data", { shape: [sym("J")], plates: ["J"] }),
      node("mu", "latent"),
      node("tau", "latent"),
      node("eta", "latent", { shape: [sym("J")], plates: ["J"] }),
      node("theta", "deterministic", { shape: [sym("J")], plates: ["J"] }),
    ],
    factors: [
      factor("f0", "mu", "Normal", []),
      factor("f1", "tau", "HalfCauchy", []),
      factor("f2", "eta", "Normal", [], ["J"]),
      factor("f3", "y", "Normal", [["theta", ["J"]], ["sigma", ["J"]]], ["J"]),
    ],
    definitions: [def("d0", "theta", ["mu", "tau", ["eta", ["J"]]], ["J"])],
    plates: [plate("J", "J")],
  });
}

describe("buildGraph", () => {
  it("derives parents, children, edges and plate membership", () => {
    const g = eightSchools();
    expect(g.nodes.get("theta")!.parents).toEqual(["mu", "tau", "eta"]);
    expect(g.nodes.get("y")!.parents).toEqual(["theta", "sigma"]);
    expect(g.nodes.get("mu")!.children).toEqual(["theta"]);
    expect(g.nodes.get("y")!.factors).toEqual(["f3"]);
    expect(g.nodes.get("theta")!.definitions).toEqual(["d0"]);
    expect(g.factors.get("f3")!.parents).toEqual(["theta", "sigma"]);
    expect(g.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(["eta->theta", "mu->theta", "sigma->y", "tau->theta", "theta->y"]);
    expect(g.edges.find((e) => e.from === "mu")!.kinds).toEqual(["term"]);
    const J = g.plates.get("J")!;
    expect(J.nodes).toEqual(["y", "sigma", "eta", "theta"]);
    expect(J.factors).toEqual(["f2", "f3"]);
    expect(J.definitions).toEqual(["d0"]);
    expect(J.hasObserved).toBe(true);
  });

  it("merges repeated dependencies into one edge with every kind and carrier", () => {
    const g = graph({
      nodes: [node("mu", "latent", { shape: [sym("K")] }), node("z", "latent", { discrete: true }), node("x", "observed")],
      factors: [factor("f0", "mu", "Normal", []), factor("f1", "z", "Categorical", []), factor("f2", "x", "Normal", ["mu", ["z", [], "index"], "mu"])],
    });
    expect(g.edges.filter((e) => e.to === "x").map((e) => [e.from, e.kinds])).toEqual([
      ["mu", ["arg"]],
      ["z", ["index"]],
    ]);
  });

  it("is frozen", () => {
    const g = eightSchools();
    expect(Object.isFrozen(g)).toBe(true);
    expect(Object.isFrozen(g.nodes.get("mu"))).toBe(true);
    expect(Object.isFrozen(g.nodes.get("mu")!.parents)).toBe(true);
    expect(Object.isFrozen(g.factors.get("f3")!.uses[0])).toBe(true);
    expect(Object.isFrozen(g.edges)).toBe(true);
    expect(Object.isFrozen(g.analyses)).toBe(true);
    expect(() => (g.nodes.get("mu")!.parents as string[]).push("x")).toThrow();
  });

  it("answers queries", () => {
    const g = eightSchools();
    expect(randomNodes(g).map((n) => n.id)).toEqual(["mu", "tau", "eta"]);
    expect(isRandom(nodeOf(g, "theta"))).toBe(false);
    expect(() => nodeOf(g, "nope")).toThrow(/no node 'nope'/);
    const nested = graph({ nodes: [], factors: [], plates: [plate("N", "N"), plate("N/D", "D", "N")] });
    expect(plateChain(nested, "N/D").map((p) => p.id)).toEqual(["N", "N/D"]);
  });

  it("keeps the guide apart, with its targets and params", () => {
    const g = graph({
      nodes: [node("x", "observed", { shape: [sym("N")], plates: ["N"] }), node("z", "latent", { shape: [sym("N")], plates: ["N"] }), node("dec", "network")],
      factors: [factor("f0", "z", "Normal", [], ["N"]), factor("f1", "x", "Bernoulli", [["dec", [], "network"], ["z", ["N"]]], ["N"])],
      plates: [plate("N", "N")],
      guide: {
        span: span(),
        nodes: [node("enc", "network")],
        factors: [factor("g0", "z", "Normal", [["enc", [], "network"], ["x", ["N"]]], ["N"])],
      },
    });
    expect(g.guide!.targets.get("z")).toEqual(["g0"]);
    expect(g.guide!.params).toEqual(["enc"]);
    expect(g.guide!.edges.map((e) => `${e.from}->${e.to}`)).toEqual(["enc->z", "x->z"]);
    // Model edges never include the guide's, so both stay acyclic.
    expect(g.edges.map((e) => `${e.from}->${e.to}`)).toEqual(["dec->x", "z->x"]);
    expect(g.plates.get("N")!.guideFactors).toEqual(["g0"]);
    expect(validateGraph(g)).toEqual([]);
  });
});

describe("validateGraph", () => {
  it("accepts a well-formed graph", () => {
    expect(validateGraph(eightSchools())).toEqual([]);
  });

  it("reports a dangling reference as an internal error", () => {
    const g = buildGraph({ model: "T", span: span(), nodes: [node("x", "observed")], factors: [factor("f0", "x", "Normal", ["ghost"])] });
    const ds = validateGraph(g);
    expect(codes(ds)).toContain(INVARIANT_CODES.danglingEdge);
    expect(ds[0]!.message).toMatch(/internal compiler error/);
    expect(ds[0]!.hint).toMatch(/please report/);
  });

  it("reports a cycle", () => {
    const g = buildGraph({
      model: "T",
      span: span(),
      nodes: [node("a", "latent"), node("b", "latent")],
      factors: [factor("f0", "a", "Normal", ["b"]), factor("f1", "b", "Normal", ["a"])],
    });
    expect(codes(validateGraph(g))).toContain(INVARIANT_CODES.cycle);
  });

  it("reports a latent without a factor, and an observed node with a definition", () => {
    const g = buildGraph({
      model: "T",
      span: span(),
      nodes: [node("a", "latent"), node("y", "observed")],
      factors: [factor("f0", "y", "Normal", [])],
      definitions: [def("d0", "y", [])],
    });
    const cs = codes(validateGraph(g));
    expect(cs).toContain(INVARIANT_CODES.latentWithoutFactor);
    expect(cs).toContain(INVARIANT_CODES.observedWithDefinition);
  });

  it("reports plates that do not nest", () => {
    const g = buildGraph({
      model: "T",
      span: span(),
      nodes: [node("a", "latent", { shape: [sym("D")], plates: ["N/D"], axisPlates: ["N/D"] })],
      factors: [factor("f0", "a", "Normal", [], ["N", "N/D"])],
      plates: [plate("N", "N"), plate("N/D", "D", "N"), plate("X", "X", "nope")],
    });
    const ds = validateGraph(g);
    expect(codes(ds).filter((c) => c === INVARIANT_CODES.plateNesting).length).toBeGreaterThanOrEqual(2);
  });

  it("reports a missing span", () => {
    const bad = { ...node("a", "latent"), span: undefined as never };
    const g = buildGraph({ model: "T", span: span(), nodes: [bad], factors: [factor("f0", "a", "Normal", [])] });
    expect(codes(validateGraph(g))).toContain(INVARIANT_CODES.missingSpan);
  });
});
