import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Distribution } from "../../stdlib/distributions/core/distribution.js";
import * as D from "../../stdlib/distributions/index.js";
import { analyticKL, hasAnalyticKL, klDivergence, registerKL, registeredKLPairs } from "../../stdlib/kl/index.js";
import { initBackend } from "../../stdlib/tensor/backend.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

type Make = () => Distribution;

/**
 * One row per registered ordered pair: random parameters give p and q (batched, B events at
 * once) and `pAsQ`, the distribution p written in Q's family (for KL(p, p) = 0).
 */
interface Row {
  readonly p: string;
  readonly q: string;
  readonly arb: fc.Arbitrary<{ p: Make; q: Make; pAsQ: Make }>;
}

const B = 6;
const reals = (lo: number, hi: number, n = B) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n });
const logit = (p: number) => Math.log(p / (1 - p));
const simplexes = (k: number, n = B) =>
  fc.array(fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: k, maxLength: k }), { minLength: n, maxLength: n }).map((rows) =>
    rows.map((r) => {
      const s = r.reduce((a, b) => a + b, 0);
      return r.map((v) => v / s);
    }),
  );
/** Lower-triangular 3 x 3 factors with diagonal in [0.4, 2]. */
const trils = fc.array(fc.tuple(reals(0.4, 2, 3), reals(-1, 1, 3)), { minLength: B, maxLength: B }).map((xs) =>
  xs.map(([d, o]) => [
    [d[0]!, 0, 0],
    [o[0]!, d[1]!, 0],
    [o[1]!, o[2]!, d[2]!],
  ]),
);

const twoParam = (
  f: (a: number[], b: number[]) => Distribution,
  a: [number, number],
  b: [number, number],
): fc.Arbitrary<{ p: Make; q: Make; pAsQ: Make }> =>
  fc.tuple(reals(...a), reals(...b), reals(...a), reals(...b)).map(([a1, b1, a2, b2]) => ({ p: () => f(a1, b1), q: () => f(a2, b2), pAsQ: () => f(a1, b1) }));

const oneParam = (f: (a: number[]) => Distribution, a: [number, number]) =>
  fc.tuple(reals(...a), reals(...a)).map(([a1, a2]) => ({ p: () => f(a1), q: () => f(a2), pAsQ: () => f(a1) }));

const bern = (form: string, ps: number[]) => (form === "Bernoulli" ? D.Bernoulli(ps) : D.BernoulliLogit(ps.map(logit)));
const cat = (form: string, ps: number[][]) => (form === "Categorical" ? D.Categorical(ps) : D.CategoricalLogit(ps.map((r) => r.map((v) => Math.log(v) + 0.7))));

const rows: Row[] = [
  { p: "Normal", q: "Normal", arb: twoParam((a, b) => D.Normal(a, b), [-3, 3], [0.3, 3]) },
  { p: "LogNormal", q: "LogNormal", arb: twoParam((a, b) => D.LogNormal(a, b), [-1, 1], [0.3, 1.5]) },
  { p: "HalfNormal", q: "HalfNormal", arb: oneParam((a) => D.HalfNormal(a), [0.3, 3]) },
  { p: "Laplace", q: "Laplace", arb: twoParam((a, b) => D.Laplace(a, b), [-3, 3], [0.3, 3]) },
  { p: "Cauchy", q: "Cauchy", arb: twoParam((a, b) => D.Cauchy(a, b), [-3, 3], [0.3, 3]) },
  {
    p: "Normal",
    q: "Laplace",
    arb: fc.tuple(reals(-3, 3), reals(0.3, 3), reals(-3, 3), reals(0.3, 3)).map(([m, s, mu, b]) => ({
      p: () => D.Normal(m, s),
      q: () => D.Laplace(mu, b),
      // No Laplace equals a Normal; KL(p, p) is checked through Normal/Normal.
      pAsQ: () => D.Laplace(m, s),
    })),
  },
  {
    p: "Uniform",
    q: "Uniform",
    arb: fc.tuple(reals(-3, 3), reals(0.2, 3), reals(0, 2), reals(0, 2)).map(([lo, w, l2, r2]) => {
      const hi = lo.map((l, i) => l + w[i]!);
      return {
        p: () => D.Uniform(lo, hi),
        q: () => D.Uniform(lo.map((l, i) => l - l2[i]!), hi.map((h, i) => h + r2[i]!)),
        pAsQ: () => D.Uniform(lo, hi),
      };
    }),
  },
  { p: "Gamma", q: "Gamma", arb: twoParam((a, b) => D.Gamma(a, b), [0.5, 5], [0.3, 3]) },
  { p: "InverseGamma", q: "InverseGamma", arb: twoParam((a, b) => D.InverseGamma(a, b), [2.5, 6], [0.5, 3]) },
  { p: "Exponential", q: "Exponential", arb: oneParam((a) => D.Exponential(a), [0.3, 3]) },
  {
    p: "Exponential",
    q: "Gamma",
    arb: fc.tuple(reals(0.3, 3), reals(0.5, 3), reals(0.3, 3)).map(([r, a, b]) => ({ p: () => D.Exponential(r), q: () => D.Gamma(a, b), pAsQ: () => D.Gamma(r.map(() => 1), r) })),
  },
  {
    p: "Gamma",
    q: "Exponential",
    arb: fc.tuple(reals(0.5, 3), reals(0.3, 3), reals(0.3, 3)).map(([a, b, r]) => ({
      p: () => D.Gamma(a.map(() => 1), b),
      q: () => D.Exponential(r),
      pAsQ: () => D.Exponential(b),
    })),
  },
  { p: "Beta", q: "Beta", arb: twoParam((a, b) => D.Beta(a, b), [0.6, 5], [0.6, 5]) },
  {
    p: "Dirichlet",
    q: "Dirichlet",
    arb: fc.tuple(fc.array(reals(0.6, 4, 3), { minLength: B, maxLength: B }), fc.array(reals(0.6, 4, 3), { minLength: B, maxLength: B })).map(([a, b]) => ({
      p: () => D.Dirichlet(a),
      q: () => D.Dirichlet(b),
      pAsQ: () => D.Dirichlet(a),
    })),
  },
  {
    p: "MultivariateNormal",
    q: "MultivariateNormal",
    arb: fc.tuple(fc.array(reals(-2, 2, 3), { minLength: B, maxLength: B }), trils, fc.array(reals(-2, 2, 3), { minLength: B, maxLength: B }), trils).map(([m1, L1, m2, L2]) => ({
      p: () => D.MultivariateNormal(m1, L1),
      q: () => D.MultivariateNormal(m2, L2),
      pAsQ: () => D.MultivariateNormal(m1, L1),
    })),
  },
  { p: "Poisson", q: "Poisson", arb: oneParam((a) => D.Poisson(a), [0.5, 8]) },
  { p: "Geometric", q: "Geometric", arb: oneParam((a) => D.Geometric(a), [0.1, 0.9]) },
  ...["Bernoulli", "BernoulliLogit"].flatMap((pf) =>
    ["Bernoulli", "BernoulliLogit"].map((qf) => ({
      p: pf,
      q: qf,
      arb: fc.tuple(reals(0.05, 0.95), reals(0.05, 0.95)).map(([a, b]) => ({ p: () => bern(pf, a), q: () => bern(qf, b), pAsQ: () => bern(qf, a) })),
    })),
  ),
  ...["Categorical", "CategoricalLogit"].flatMap((pf) =>
    ["Categorical", "CategoricalLogit"].map((qf) => ({
      p: pf,
      q: qf,
      arb: fc.tuple(simplexes(4), simplexes(4)).map(([a, b]) => ({ p: () => cat(pf, a), q: () => cat(qf, b), pAsQ: () => cat(qf, a) })),
    })),
  ),
];

function withDists<T>(makes: Make[], f: (ds: Distribution[]) => T): T {
  const ds = makes.map((m) => m());
  try {
    return f(ds);
  } finally {
    for (const d of ds) d.dispose();
  }
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("the KL registry", () => {
  it("has a test row for every registered pair", () => {
    const tested = new Set(rows.map((r) => `${r.p}|${r.q}`));
    for (const [p, q] of registeredKLPairs()) expect(tested, `${p} || ${q}`).toContain(`${p}|${q}`);
    expect(registeredKLPairs().length).toBeGreaterThanOrEqual(24);
  });

  it("looks pairs up by factory or by name", () => {
    expect(hasAnalyticKL(D.Normal, D.Normal)).toBe(true);
    expect(hasAnalyticKL("Normal", "StudentT")).toBe(false);
  });

  it("lets a user register a pair and restore the previous entry", () => {
    const before = tf.memory().numTensors;
    const prev = registerKL(D.Cauchy, D.Cauchy, (p) => tf.fill(p.batchShape as number[], 42));
    try {
      withDists([() => D.Cauchy(0, 1), () => D.Cauchy(1, 2)], ([p, q]) => {
        const r = klDivergence(p!, q!);
        expect(values(r.value)).toEqual([42]);
        r.dispose();
      });
    } finally {
      registerKL(D.Cauchy, D.Cauchy, prev!);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("analytic KL over random parameters", () => {
  for (const row of rows) {
    it(`KL(${row.p} || ${row.q}) >= 0 and KL(p || p) = 0`, () => {
      const before = tf.memory().numTensors;
      fc.assert(
        fc.property(row.arb, ({ p, q, pAsQ }) =>
          withDists([p, q, pAsQ], ([dp, dq, dpq]) => {
            const r = klDivergence(dp!, dq!);
            expect(r.method).toBe("analytic");
            expect(r.samples).toBe(0);
            expect(r.standardError).toBeNull();
            expect(r.value.shape).toEqual([B]);
            const kl = values(r.value);
            r.dispose();
            for (const v of kl) expect(v).toBeGreaterThanOrEqual(-1e-5);
            if (row.p === "Normal" && row.q === "Laplace") return;
            withDists([p], ([dp2]) => {
              const self = klDivergence(dp2!, dpq!);
              for (const v of values(self.value)) expect(Math.abs(v)).toBeLessThan(1e-4);
              self.dispose();
            });
          }),
        ),
        { numRuns: 12, seed: 42 },
      );
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe("analytic KL agrees with the Monte Carlo fallback", () => {
  for (const row of rows) {
    it(`${row.p} || ${row.q} within 4 standard errors`, () => {
      const before = tf.memory().numTensors;
      const cases = fc.sample(row.arb, { numRuns: 1, seed: 9 });
      for (const { p, q } of cases) {
        withDists([p, q], ([dp, dq]) => {
          const a = klDivergence(dp!, dq!);
          const m = klDivergence(dp!, dq!, { method: "monte-carlo", samples: 20_000, seed: 3 });
          expect(m.method).toBe("monte-carlo");
          expect(m.samples).toBe(20_000);
          const av = values(a.value);
          const mv = values(m.value);
          const se = values(m.standardError!);
          a.dispose();
          m.dispose();
          av.forEach((v, i) => {
            // 4 standard errors, plus float32 rounding of a mean of 20 000 terms.
            expect(Math.abs(v - mv[i]!), `event ${i}: analytic ${v}, MC ${mv[i]} ± ${se[i]}`).toBeLessThanOrEqual(4 * se[i]! + 2e-3 * Math.max(1, Math.abs(v)));
          });
        });
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe("klDivergence options and fallbacks", () => {
  it("falls back to Monte Carlo for an unregistered pair and says so", () => {
    const before = tf.memory().numTensors;
    withDists([() => D.StudentT(4, 0, 1), () => D.Normal(0, 1.2)], ([p, q]) => {
      const r = klDivergence(p!, q!, { samples: 5000, seed: 1 });
      expect(r.method).toBe("monte-carlo");
      expect(r.samples).toBe(5000);
      expect(r.unit).toBe("nats");
      const v = r.value.dataSync()[0]!;
      const se = r.standardError!.dataSync()[0]!;
      expect(v).toBeGreaterThan(0);
      expect(se).toBeGreaterThan(0);
      expect(se).toBeLessThan(0.05);
      r.dispose();
      expect(() => klDivergence(p!, q!, { method: "analytic" })).toThrow(/no closed-form KL\(StudentT \|\| Normal\)/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reports bits when asked", () => {
    withDists([() => D.Bernoulli(0.5), () => D.Bernoulli(0.9)], ([p, q]) => {
      const nats = klDivergence(p!, q!);
      const bits = klDivergence(p!, q!, { base: "bits" });
      expect(bits.unit).toBe("bits");
      expect(bits.value.dataSync()[0]).toBeCloseTo(nats.value.dataSync()[0]! / Math.LN2, 5);
      expect(bits.value.dataSync()[0]).toBeCloseTo(0.5 * Math.log2(0.5 / 0.9) + 0.5 * Math.log2(0.5 / 0.1), 5);
      nats.dispose();
      bits.dispose();
    });
  });

  it("gives Infinity where p puts mass that q does not", () => {
    withDists([() => D.Uniform(0, 2), () => D.Uniform(0, 1), () => D.Bernoulli(0.3), () => D.Bernoulli(0)], ([u1, u2, b1, b2]) => {
      const a = klDivergence(u1!, u2!);
      const b = klDivergence(b1!, b2!);
      const c = klDivergence(b2!, b1!);
      expect(a.value.dataSync()[0]).toBe(Infinity);
      expect(b.value.dataSync()[0]).toBe(Infinity);
      expect(c.value.dataSync()[0]).toBeCloseTo(-Math.log(0.7), 5);
      [a, b, c].forEach((r) => r.dispose());
    });
  });

  it("broadcasts batch shapes and is differentiable in the parameters", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const r = klDivergence(D.Normal([0, 1, 2], 1), D.Normal(0, [[1], [2]]));
      expect(r.value.shape).toEqual([2, 3]);
      const g = tf.grads((loc: tf.Tensor, L: tf.Tensor, alpha: tf.Tensor) => {
        const mvn = D.MultivariateNormal.create({ loc, scale_tril: L }, { validate: false });
        const dir = D.Dirichlet.create({ alpha }, { validate: false });
        return tf.add(analyticKL(mvn, D.MultivariateNormal([0, 0], [[1, 0], [0, 1]])), analyticKL(dir, D.Dirichlet([1, 1, 1])));
      })([tf.tensor1d([0.5, -0.5]), tf.tensor2d([1.5, 0, 0.3, 0.7], [2, 2]), tf.tensor1d([2, 3, 4])]);
      for (const t of g) for (const v of t.dataSync()) expect(Number.isFinite(v)).toBe(true);
      // d KL / d loc = Σ_q⁻¹ (loc - 0) = loc here.
      expect(Array.from(g[0]!.dataSync())).toEqual([expect.closeTo(0.5, 4), expect.closeTo(-0.5, 4)]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("works on probability tables, returning numbers", () => {
    expect(klDivergence([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(klDivergence([0.5, 0.5], [0.9, 0.1], { base: "bits" })).toBeCloseTo(0.5 * Math.log2(0.5 / 0.9) + 0.5 * Math.log2(0.5 / 0.1), 12);
    expect(klDivergence([1, 0], [0.5, 0.5], { base: 2 })).toBeCloseTo(1, 12);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(() => klDivergence([0.5, 0.5], [0.2, 0.3, 0.5])).toThrow(/same shape/);
    expect(() => klDivergence([0.5, 0.6], [0.5, 0.5])).toThrow(/must sum to 1/);
  });
});
