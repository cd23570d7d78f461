import { describe, expect, it } from "vitest";
import { dependencyOrder, topoSort } from "../../compiler/index.js";
import { compileExample, def, factor, graph, node, span } from "./helpers.js";

describe("topoSort", () => {
  it("orders parents first, ties by input order", () => {
    const parents: Record<string, string[]> = { a: [], b: ["c"], c: [], d: ["a", "b"] };
    expect(topoSort(["a", "b", "c", "d"], (id) => parents[id]!)).toEqual({ order: ["a", "c", "b", "d"], cycle: null });
  });

  it("finds a cycle", () => {
    const parents: Record<string, string[]> = { a: ["c"], b: ["a"], c: ["b"], d: ["c"] };
    const r = topoSort(["a", "b", "c", "d"], (id) => parents[id]!);
    expect(r.order).toEqual([]);
    expect(new Set(r.cycle)).toEqual(new Set(["a", "b", "c"]));
  });
});

describe("dependencyOrder", () => {
  it("is topological and stable by declaration order", () => {
    // Declared: y before its parents; the order still puts parents first.
    const g = graph({
      nodes: [node("y", "observed"), node("b", "latent"), node("a", "latent"), node("s", "deterministic"), node("c", "latent")],
      factors: [factor("f0", "y", "Normal", ["s"]), factor("f1", "b", "Normal", []), factor("f2", "a", "Normal", []), factor("f3", "c", "Normal", ["a"]), factor("f4", null, "", ["b", "c"])],
      definitions: [def("d0", "s", ["a", "b"])],
    });
    const o = dependencyOrder(g);
    expect(o.nodes).toEqual(["b", "a", "s", "y", "c"]);
    // Factors follow their targets; the potential follows the last node it mentions.
    expect(o.factors).toEqual(["f1", "f2", "f0", "f3", "f4"]);
    expect(g.analyses.order).toEqual(o);
  });

  it("is deterministic", () => {
    const a = compileExample("gmm").graph.analyses.order;
    const b = compileExample("gmm").graph.analyses.order;
    expect(a).toEqual(b);
  });

  it("eight_schools: every node comes after its parents", () => {
    const g = compileExample("eight_schools").graph;
    const order = g.analyses.order.nodes;
    expect(order).toEqual(["J", "sigma", "mu", "tau", "eta", "theta", "y"]);
    for (const n of g.nodes.values()) for (const p of n.parents) expect(order.indexOf(p)).toBeLessThan(order.indexOf(n.id));
  });

  it("orders guide factors by their dependencies", () => {
    const g = graph({
      nodes: [node("a", "latent"), node("b", "latent")],
      factors: [factor("f0", "a", "Normal", []), factor("f1", "b", "Normal", ["a"])],
      guide: {
        span: span(),
        nodes: [node("loc", "param")],
        // g0 (for b) uses a, so it must come after g1 (for a).
        factors: [factor("g0", "b", "Normal", ["a", "loc"]), factor("g1", "a", "Normal", ["loc"])],
      },
    });
    expect(g.analyses.order.guideFactors).toEqual(["g1", "g0"]);
    expect(g.analyses.order.guideNodes).toEqual(["loc"]);
  });
});
