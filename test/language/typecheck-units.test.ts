/**
 * The checker's pure parts: edit distance and suggestions, shapes (broadcasting, unification,
 * symbolic sizes), and constraints (containment, inference, constants).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { editDistance, listNames, nearestName } from "../../language/suggest.js";
import { broadcastShapes, broadcastsInto, combineDims, dimsUnify, offsetDim, splitOffset } from "../../language/typecheck/shapes.js";
import {
  constantViolation,
  declarationFor,
  describeRange,
  intervals,
  num,
  rangeOf,
  rangeWithin,
  symBound,
  type Range,
} from "../../language/typecheck/constraints.js";
import { constDim, showDim, symDim, UNKNOWN_DIM } from "../../language/types.js";
import { BUILTINS } from "../../language/builtins.js";
import { TYPE_ERROR_CODES } from "../../language/errors/types.js";

describe("suggest", () => {
  it("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("sigma", "sigam")).toBe(1); // a transposition is one edit
    expect(editDistance("", "abc")).toBe(3);
  });
  it("is a metric-like distance: symmetric, zero only on equal strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
  it("nearest name within a third of the length, case-insensitive first", () => {
    expect(nearestName("Normall", ["Normal", "Gamma"])).toBe("Normal");
    expect(nearestName("normal", ["Normal", "Gamma"])).toBe("Normal");
    expect(nearestName("Gaussian", ["Normal", "Gamma"])).toBeUndefined();
    expect(nearestName("x", ["y"])).toBe("y");
    expect(nearestName("mu", ["mu"])).toBeUndefined();
  });
  it("lists names briefly", () => {
    expect(listNames(["a", "b", "c"])).toBe("'a', 'b' and 'c'");
    expect(listNames(["a", "b", "c"], 2)).toBe("'a', 'b' and 1 more");
  });
});

describe("shapes", () => {
  const N = symDim("N");
  const K = symDim("K");
  it("unification: same constant or symbol; a symbol against a constant; unknown with anything", () => {
    expect(dimsUnify(N, N)).toBe(true);
    expect(dimsUnify(N, K)).toBe(false);
    expect(dimsUnify(constDim(3), constDim(4))).toBe(false);
    expect(dimsUnify(N, constDim(4))).toBe(true);
    expect(dimsUnify(UNKNOWN_DIM, K)).toBe(true);
  });
  it("broadcasting from the last axis, with 1 stretching", () => {
    const r = broadcastShapes([N, constDim(1)], [constDim(3)]);
    expect(r.ok && r.shape.map(showDim)).toEqual(["N", "3"]);
    const bad = broadcastShapes([N], [K]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.mismatch.axisA, showDim(bad.mismatch.dimA), showDim(bad.mismatch.dimB)]).toEqual([0, "N", "K"]);
    const axes = broadcastShapes([N, K], [constDim(2), symDim("J"), constDim(5)]);
    expect(axes.ok).toBe(false);
    if (!axes.ok) expect([axes.mismatch.axisA, axes.mismatch.axisB]).toEqual([0, 1]);
  });
  it("broadcasting is commutative", () => {
    const dim = fc.oneof(fc.constantFrom(constDim(1), constDim(2), constDim(3), N, K, UNKNOWN_DIM));
    fc.assert(
      fc.property(fc.array(dim, { maxLength: 3 }), fc.array(dim, { maxLength: 3 }), (a, b) => {
        const ab = broadcastShapes(a, b);
        const ba = broadcastShapes(b, a);
        expect(ab.ok).toBe(ba.ok);
      }),
    );
  });
  it("broadcastsInto: a distribution's shape into its target's", () => {
    expect(broadcastsInto([], [N])).toBe(true);
    expect(broadcastsInto([N], [])).toBe(false);
    expect(broadcastsInto([constDim(1)], [N])).toBe(true);
    expect(broadcastsInto([K], [N])).toBe(false);
  });
  it("symbolic size arithmetic", () => {
    expect(showDim(offsetDim(K, -1))).toBe("K-1");
    expect(showDim(offsetDim(offsetDim(K, -1), 1))).toBe("K");
    expect(showDim(combineDims("+", symDim("latent_dim"), symDim("classes")))).toBe("latent_dim+classes");
    expect(showDim(combineDims("*", constDim(2), constDim(3)))).toBe("6");
    expect(showDim(combineDims("-", symDim("N"), constDim(2)))).toBe("N-2");
    expect(showDim(combineDims("*", offsetDim(N, 1), constDim(2)))).toBe("(N+1)*2");
    expect(splitOffset("N+M-1")).toEqual({ base: "N+M", offset: -1 });
  });
});

describe("constraints", () => {
  const positive = rangeOf({ kind: "positive" });
  const real = rangeOf({ kind: "real" });
  const unit = rangeOf({ kind: "unit_interval" });
  it("containment of element ranges (closures: boundaries do not count)", () => {
    expect(rangeWithin(rangeOf({ kind: "greater_than", lower: 0 }), positive)).toBe("yes");
    expect(rangeWithin(real, positive)).toBe("no");
    expect(rangeWithin(unit, positive)).toBe("yes");
    expect(rangeWithin(positive, unit)).toBe("no");
  });
  it("structures: simplex within simplex and the unit interval; positive_ordered within ordered", () => {
    const simplex = rangeOf({ kind: "simplex" });
    expect(rangeWithin(simplex, simplex)).toBe("yes");
    expect(rangeWithin(simplex, unit)).toBe("yes");
    expect(rangeWithin(unit, simplex)).toBe("no");
    expect(rangeWithin(rangeOf({ kind: "positive_ordered" }), rangeOf({ kind: "ordered" }))).toBe("yes");
  });
  it("symbolic integer bounds compare as sizes", () => {
    const declared: Range = { lo: num(0), hi: symBound(offsetDim(symDim("K"), -1)), discrete: true, structure: null };
    const support = rangeOf({ kind: "integer", lower: 0, upper: { sizeOf: "probs", offset: -1 } }, () => symBound(offsetDim(symDim("K"), -1)));
    expect(rangeWithin(declared, support)).toBe("yes");
    expect(rangeWithin({ ...declared, hi: symBound(symDim("K")) }, support)).toBe("no");
    expect(rangeWithin({ ...declared, hi: symBound(symDim("J")) }, support)).toBe("unknown");
    expect(rangeWithin({ ...declared, hi: num(Infinity) }, support)).toBe("no");
  });
  it("interval arithmetic keeps signs", () => {
    const pos = { lo: 0, hi: Infinity };
    expect(intervals.mul(pos, pos)).toEqual(pos);
    expect(intervals.div({ lo: 1, hi: 1 }, pos)).toEqual(pos);
    expect(intervals.mul({ lo: -1, hi: -1 }, pos)).toEqual({ lo: -Infinity, hi: 0 });
    expect(intervals.add(pos, { lo: 0.5, hi: 0.5 })).toEqual({ lo: 0.5, hi: Infinity });
    expect(intervals.monotone({ lo: -Infinity, hi: Infinity }, Math.exp)).toEqual(pos);
  });
  it("constants are checked strictly", () => {
    expect(constantViolation(-1, { kind: "positive" })).toBe("got -1");
    expect(constantViolation(0, { kind: "positive" })).toBe("got 0");
    expect(constantViolation(0, { kind: "nonnegative" })).toBeNull();
    expect(constantViolation(2.5, { kind: "integer", lower: 0, upper: null })).toContain("not an integer");
    expect(constantViolation([0.2, 0.8], { kind: "simplex" })).toBeNull();
    expect(constantViolation([0.5, 0.6], { kind: "simplex" })).toContain("sums to 1.1");
    expect(constantViolation([1, 0], { kind: "ordered" })).toContain("not increasing");
  });
  it("words and declarations", () => {
    expect(describeRange(positive)).toBe("positive");
    expect(describeRange(unit)).toBe("in [0, 1]");
    expect(declarationFor(unit, "")).toBe("real<lower=0, upper=1>");
    expect(declarationFor(positive, "[J]")).toBe("real<lower=0>[J]");
    expect(declarationFor(rangeOf({ kind: "simplex" }), "[K]")).toBe("simplex[K]");
  });
});

describe("registries", () => {
  it("has the math functions users expect", () => {
    for (const f of ["exp", "log", "log1p", "expm1", "sqrt", "square", "abs", "sin", "cos", "tanh", "sigmoid", "logit", "softplus", "log_sigmoid", "softmax", "log_softmax", "sum", "mean", "prod", "max", "min", "logsumexp", "dot", "cumsum", "transpose", "ones", "zeros", "fill", "rep", "size", "pow", "minimum", "maximum", "sd", "variance", "relu", "one_hot", "concat"]) {
      expect(BUILTINS.has(f), f).toBe(true);
    }
  });
  it("every code is in the PPL2xxx band and documented once", () => {
    for (const [code, meaning] of Object.entries(TYPE_ERROR_CODES)) {
      expect(code).toMatch(/^PPL2\d{3}$/);
      expect(meaning.length).toBeGreaterThan(5);
    }
  });
});
