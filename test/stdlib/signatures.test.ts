import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Signatures } from "../../language/signatures.js";
import {
  type ConstraintSpec,
  type DistributionDefinition,
  CONSTRAINT_KINDS,
  checkValue,
  constraints,
  describeConstraint,
  distributionRegistry,
  distributions,
  isSubsetOf,
  MLP,
  Linear,
  stdlibModules,
  stdlibSignatures,
  validateConstraint,
  validateDistribution,
} from "../../stdlib/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const distDir = join(here, "../../stdlib/distributions");

// Type-level: the stdlib is structurally what the type checker consumes.
const asLanguage: Signatures = stdlibSignatures();

describe("distribution registry", () => {
  it("lists every distribution file exactly once", async () => {
    const files = readdirSync(distDir).filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "define.ts");
    expect(files.length).toBe(distributions.length);
    for (const f of files) {
      const mod = (await import(join(distDir, f))) as Record<string, unknown>;
      const exported = Object.values(mod).filter((v) => v && typeof v === "object" && "params" in v);
      expect(exported, f).toHaveLength(1);
      expect(distributions as readonly unknown[], f).toContain(exported[0]);
      // kebab-case file of the PascalCase name
      const name = (exported[0] as { name: string }).name;
      expect(f).toBe(`${name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.ts`);
    }
  });

  it("has unique names and a map that agrees with the list", () => {
    const names = distributions.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...distributionRegistry.keys()]).toEqual(names);
    expect(asLanguage.distributions.get("Normal")).toBe(distributionRegistry.get("Normal"));
  });

  it("declares consistent signatures", () => {
    for (const d of distributions as readonly DistributionDefinition[]) {
      expect(validateDistribution(d), d.name).toEqual([]);
      for (const p of d.params) expect(validateConstraint(p.constraint), `${d.name}.${p.name}`).toEqual([]);
      if (d.eventRank > 0) expect(d.params.map((p) => p.name)).toContain(d.eventShapeFrom);
      expect(d.doc.startsWith(`${d.name}(${d.params.map((p) => p.name).join(", ")})`)).toBe(true);
    }
  });

  it("follows Stan's parameterisations", () => {
    const params = (n: string) => distributionRegistry.get(n)!.params.map((p) => p.name);
    expect(params("Normal")).toEqual(["loc", "scale"]);
    expect(params("LogNormal")).toEqual(["mu", "sigma"]);
    expect(params("Gamma")).toEqual(["shape", "rate"]);
    expect(params("InverseGamma")).toEqual(["shape", "scale"]);
    expect(params("StudentT")).toEqual(["df", "loc", "scale"]);
    expect(params("HalfCauchy")).toEqual(["loc", "scale"]);
    expect(params("NegativeBinomial")).toEqual(["mu", "phi"]);
    expect(distributionRegistry.get("HalfCauchy")!.support).toEqual({ kind: "positive" });
    expect(distributionRegistry.get("Categorical")!.support).toEqual({ kind: "integer", lower: 0, upper: { sizeOf: "probs", offset: -1 } });
    expect(distributionRegistry.get("Binomial")!.params[0]).toMatchObject({ name: "n", integer: true });
    expect(distributionRegistry.get("MultivariateNormal")!.params[1]).toMatchObject({ constraint: { kind: "lower_cholesky" }, eventRank: 2 });
  });

  it("rejects inconsistent definitions", () => {
    const base = distributionRegistry.get("Dirichlet")!;
    expect(validateDistribution({ ...base, eventShapeFrom: "beta" }).join()).toMatch(/eventShapeFrom 'beta'/);
    expect(validateDistribution({ ...base, discrete: true }).join()).toMatch(/discrete/);
    expect(validateDistribution({ ...base, support: constraints.integer(0, { param: "k" }), discrete: true, reparameterizable: false }).join()).toMatch(/refers to 'k'/);
  });
});

describe("networks and modules", () => {
  it("declares MLP and Linear", () => {
    expect(MLP.minLayers).toBe(2);
    expect(MLP.options.hidden.default).toBe("relu");
    expect(MLP.options.out.default).toBe("linear");
    expect(MLP.options.out.values).toContain("softmax");
    expect(MLP.options.hidden.values).not.toContain("softmax");
    expect(Linear.maxLayers).toBe(2);
    expect(Object.keys(Linear.options)).toEqual(["out"]);
  });

  it("exports every distribution and network from its module", () => {
    expect(stdlibModules.get("stdlib/distributions")).toEqual(distributions.map((d) => d.name));
    expect(stdlibModules.get("stdlib/nn")).toEqual(["MLP", "Linear"]);
    expect(stdlibModules.get("stdlib/vae")).toEqual(["VAE"]);
    expect(stdlibModules.get("stdlib/info")).toContain("klDivergence");
    expect([...asLanguage.modules.keys()].sort()).toEqual(
      ["stdlib/bnn", "stdlib/cvae", "stdlib/distributions", "stdlib/info", "stdlib/math", "stdlib/nn", "stdlib/vae"],
    );
  });
});

describe("constraints", () => {
  const { real, positive, nonnegative, unitInterval, simplex } = constraints;

  it("describes constraints in words", () => {
    expect(describeConstraint(positive)).toBe("positive");
    expect(describeConstraint(unitInterval)).toBe("in [0, 1]");
    expect(describeConstraint(constraints.interval(0, 1))).toBe("in [0, 1]");
    expect(describeConstraint(simplex)).toBe("a simplex (non-negative, summing to 1)");
    expect(describeConstraint(constraints.integer(0, 1))).toBe("an integer from 0 to 1");
    expect(describeConstraint(constraints.integer(0, { param: "n" }))).toBe("an integer from 0 to n");
    expect(describeConstraint(constraints.integer(0, { param: "n" }), () => 7)).toBe("an integer from 0 to 7");
    expect(describeConstraint(constraints.nonnegativeInteger)).toBe("a non-negative integer");
    for (const k of CONSTRAINT_KINDS) {
      const c = (k === "interval" ? constraints.interval(0, 2) : k === "greater_than" ? constraints.greaterThan(1) : k === "less_than" ? constraints.lessThan(1) : k === "integer" ? constraints.integer() : { kind: k }) as ConstraintSpec;
      expect(describeConstraint(c).length).toBeGreaterThan(0);
    }
  });

  it("orders the basic sets", () => {
    expect(isSubsetOf(positive, positive)).toBe(true);
    expect(isSubsetOf(positive, nonnegative)).toBe(true);
    expect(isSubsetOf(nonnegative, real)).toBe(true);
    expect(isSubsetOf(positive, real)).toBe(true);
    expect(isSubsetOf(real, positive)).toBe(false);
    expect(isSubsetOf(unitInterval, nonnegative)).toBe(true);
    expect(isSubsetOf(nonnegative, unitInterval)).toBe(false);
    expect(isSubsetOf(constraints.interval(0, 1), unitInterval)).toBe(true);
    expect(isSubsetOf(unitInterval, constraints.interval(0, 1))).toBe(true);
    expect(isSubsetOf(simplex, unitInterval)).toBe(true);
    expect(isSubsetOf(unitInterval, simplex)).toBe(false);
    expect(isSubsetOf(constraints.positiveOrdered, constraints.ordered)).toBe(true);
    expect(isSubsetOf(constraints.ordered, constraints.positiveOrdered)).toBe(false);
    expect(isSubsetOf(constraints.corrCholesky, constraints.lowerCholesky)).toBe(true);
    expect(isSubsetOf(constraints.lowerCholesky, constraints.positiveDefinite)).toBe(false);
  });

  it("treats integers and booleans exactly", () => {
    const int01 = constraints.integer(0, 1);
    expect(isSubsetOf(constraints.boolean, int01)).toBe(true);
    expect(isSubsetOf(int01, constraints.boolean)).toBe(true);
    expect(isSubsetOf(int01, unitInterval)).toBe(true);
    expect(isSubsetOf(unitInterval, int01)).toBe(false);
    expect(isSubsetOf(constraints.positiveInteger, constraints.nonnegativeInteger)).toBe(true);
    expect(isSubsetOf(constraints.nonnegativeInteger, constraints.positiveInteger)).toBe(false);
    expect(isSubsetOf(constraints.nonnegativeInteger, real)).toBe(true);
    expect(isSubsetOf(real, constraints.anyInteger)).toBe(false);
    // Symbolic bounds: equal references match; others resolve or fail.
    const cat = constraints.integer(0, { sizeOf: "probs", offset: -1 });
    expect(isSubsetOf(cat, cat)).toBe(true);
    expect(isSubsetOf(cat, constraints.nonnegativeInteger)).toBe(true);
    expect(isSubsetOf(constraints.integer(0, 2), cat)).toBe(false);
    expect(isSubsetOf(constraints.integer(0, 2), cat, () => 2)).toBe(true);
    expect(isSubsetOf(constraints.integer(0, 3), cat, () => 2)).toBe(false);
  });

  const arbConstraint: fc.Arbitrary<ConstraintSpec> = fc.oneof(
    fc.constantFrom<ConstraintSpec>(real, positive, nonnegative, unitInterval, simplex, constraints.ordered, constraints.positiveOrdered, constraints.boolean),
    fc
      .tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: 1, max: 20 }))
      .map(([a, w]) => constraints.interval(a / 4, (a + w) / 4)),
    fc.integer({ min: -20, max: 20 }).map((a) => constraints.greaterThan(a / 4)),
    fc.integer({ min: -20, max: 20 }).map((a) => constraints.lessThan(a / 4)),
    fc
      .tuple(fc.option(fc.integer({ min: -5, max: 5 })), fc.option(fc.integer({ min: 0, max: 10 })))
      .map(([lo, w]) => constraints.integer(lo, lo !== null && w !== null ? lo + w : w)),
  );

  it("is reflexive and transitive (fast-check)", () => {
    fc.assert(fc.property(arbConstraint, (a) => isSubsetOf(a, a)));
    fc.assert(
      fc.property(arbConstraint, arbConstraint, arbConstraint, (a, b, c) => {
        if (isSubsetOf(a, b) && isSubsetOf(b, c)) expect(isSubsetOf(a, c)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with checkValue on interior points of random intervals (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (a, w, b, v, t) => {
          const A = constraints.interval(a, a + w);
          const B = constraints.interval(b, b + v);
          const x = a + t * w;
          if (isSubsetOf(A, B)) expect(checkValue(B, [x])).toBeNull();
          expect(isSubsetOf(A, B)).toBe(a >= b && a + w <= b + v);
        },
      ),
    );
  });

  it("checks element-wise values and says which element fails", () => {
    expect(checkValue(positive, [1, 2, 3])).toBeNull();
    const bad = checkValue(positive, [1, -1, 0], undefined, [3]);
    expect(bad).toMatchObject({ index: [1], value: -1, count: 2 });
    expect(bad!.reason).toBe("-1 is not positive");
    expect(checkValue(nonnegative, [0, 1])).toBeNull();
    expect(checkValue(unitInterval, [0, 0.5, 1])).toBeNull();
    expect(checkValue(unitInterval, [0.5, 1.5])!.reason).toBe("1.5 is not in [0, 1]");
    expect(checkValue(constraints.greaterThan(2), [2, 3])).toBeNull();
    expect(checkValue(real, [1, NaN])).toMatchObject({ index: [1] });
    expect(checkValue(real, [Infinity])!.reason).toMatch(/not a finite number/);
    const m = checkValue(positive, [1, 2, 3, 4, -5, 6], undefined, [2, 3]);
    expect(m!.index).toEqual([1, 1]);
  });

  it("checks integers, booleans and symbolic bounds", () => {
    expect(checkValue(constraints.integer(0, 3), [0, 3])).toBeNull();
    expect(checkValue(constraints.integer(0, 3), [1.5])!.reason).toBe("1.5 is not an integer");
    expect(checkValue(constraints.integer(0, 3), [4])!.reason).toBe("4 is above the upper bound 3");
    expect(checkValue(constraints.boolean, [0, 1, 1])).toBeNull();
    expect(checkValue(constraints.boolean, [2])).not.toBeNull();
    const cat = constraints.integer(0, { sizeOf: "probs", offset: -1 });
    expect(checkValue(cat, [0, 2], () => 2)).toBeNull();
    expect(checkValue(cat, [0, 3], () => 2)!.index).toEqual([1]);
    expect(checkValue(cat, [0, 3])).toBeNull(); // unresolved bound: not checked
  });

  it("checks simplexes within a relative tolerance, per row", () => {
    expect(checkValue(simplex, [0.2, 0.3, 0.5])).toBeNull();
    expect(checkValue(simplex, [0.2, 0.3, 0.5 + 1e-8])).toBeNull();
    expect(checkValue(simplex, [0.2, 0.3, 0.4])!.reason).toMatch(/sums to 0\.9/);
    expect(checkValue(simplex, [1.2, -0.2])!.reason).toMatch(/negative/);
    const rows = checkValue(simplex, [0.5, 0.5, 0.9, 0.2], undefined, [2, 2]);
    expect(rows!.index).toEqual([1]);
  });

  it("checks ordered vectors strictly", () => {
    expect(checkValue(constraints.ordered, [-1, 0, 2])).toBeNull();
    expect(checkValue(constraints.ordered, [-1, 0, 0])!.reason).toMatch(/strictly increasing/);
    expect(checkValue(constraints.positiveOrdered, [0, 1])!.reason).toMatch(/not positive/);
    expect(checkValue(constraints.positiveOrdered, [0.5, 1])).toBeNull();
  });

  it("checks matrices", () => {
    const L = [2, 0, 1, 3];
    expect(checkValue(constraints.lowerCholesky, L, undefined, [2, 2])).toBeNull();
    expect(checkValue(constraints.lowerCholesky, [2, 1, 1, 3], undefined, [2, 2])!.reason).toMatch(/above the diagonal/);
    expect(checkValue(constraints.lowerCholesky, [2, 0, 1, -3], undefined, [2, 2])!.reason).toMatch(/diagonal entry \[1, 1\]/);
    expect(checkValue(constraints.lowerCholesky, [1, 0, 0], undefined, [1, 3])!.reason).toMatch(/not square/);
    const c = Math.SQRT1_2;
    expect(checkValue(constraints.corrCholesky, [1, 0, c, c], undefined, [2, 2])).toBeNull();
    expect(checkValue(constraints.corrCholesky, [1, 0, 1, 1], undefined, [2, 2])!.reason).toMatch(/row 1 has length/);
    expect(checkValue(constraints.positiveDefinite, [2, 1, 1, 2], undefined, [2, 2])).toBeNull();
    expect(checkValue(constraints.positiveDefinite, [1, 2, 2, 1], undefined, [2, 2])!.reason).toMatch(/not positive definite/);
    expect(checkValue(constraints.positiveDefinite, [2, 1, 0, 2], undefined, [2, 2])!.reason).toMatch(/not symmetric/);
    // A batch of matrices: the second fails.
    expect(checkValue(constraints.lowerCholesky, [1, 0, 0, 1, 1, 0, 0, 0], undefined, [2, 2, 2])!.index).toEqual([1]);
  });
});
