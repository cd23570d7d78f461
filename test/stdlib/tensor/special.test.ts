import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  digamma,
  erf,
  erfc,
  initBackend,
  lbeta,
  lgamma,
  log1mexp,
  log1p,
  log1pexp,
  logit,
  logNdtr,
  ndtr,
  softplus,
  specialJs as J,
  trigamma,
  xlogy,
} from "../../../stdlib/tensor/index.js";
import { expectClose, expectNoLeak, grid, take } from "./helpers.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

/** Evaluate a unary tensor function on xs, checking for leaks. */
function apply(f: (x: tf.Tensor) => tf.Tensor, xs: number[]): number[] {
  const x = tf.tensor1d(xs);
  const out = expectNoLeak(() => take(f(x)));
  x.dispose();
  return out;
}

/** Gradient of sum(f(x)) at xs, checking for leaks. */
function gradAt(f: (x: tf.Tensor) => tf.Tensor, xs: number[]): number[] {
  const x = tf.tensor1d(xs);
  const out = expectNoLeak(() => take(tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x)));
  x.dispose();
  return out;
}

/** Float32 error budget: |err| <= tol * max(1, |ref|). */
function expectF32(actual: number[], xs: number[], ref: (x: number) => number, tol: number, label: string): void {
  const expected = xs.map(ref);
  const scaled = expected.map((e) => Math.max(1, Math.abs(e)));
  for (let i = 0; i < xs.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= tol * scaled[i]!)) expect.fail(`${label}(${xs[i]}) = ${actual[i]}, float64 reference ${expected[i]} (error ${err.toExponential(2)})`);
  }
}

describe("float64 references (special-js)", () => {
  it("match known values", () => {
    const known: [number, number][] = [
      [J.lgamma(0.5), Math.log(Math.sqrt(Math.PI))],
      [J.lgamma(1), 0],
      [J.lgamma(2), 0],
      [J.lgamma(100), 359.1342053695754],
      [J.lgamma(-0.5), 1.2655121234846454],
      [J.digamma(1), -0.5772156649015329],
      [J.digamma(0.5), -1.9635100260214235],
      [J.trigamma(1), Math.PI ** 2 / 6],
      [J.trigamma(0.5), Math.PI ** 2 / 2],
      [J.erfc(2), 0.004677734981047266],
      [J.erfc(5), 1.5374597944280349e-12],
      [J.erf(1e-5), 1.1283791670578999e-5],
      [J.logNdtr(-10), -53.23128515051247],
      [J.logNdtr(3), -0.0013508099647481938],
      [J.lbeta(1e6, 1), -Math.log(1e6)],
      [J.lbeta(0.5, 0.5), Math.log(Math.PI)],
    ];
    for (const [got, want] of known) expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
  });

  it("satisfy the recurrences (fast-check)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e5, noNaN: true }), (x) => {
        expect(Math.abs(J.lgamma(x + 1) - J.lgamma(x) - Math.log(x))).toBeLessThan(1e-12 * Math.max(1, Math.abs(J.lgamma(x + 1))) + 1e-13);
        expect(Math.abs(J.digamma(x + 1) - J.digamma(x) - 1 / x)).toBeLessThan(1e-12 * Math.max(1, 1 / x));
        expect(Math.abs(J.trigamma(x) - J.trigamma(x + 1) - 1 / (x * x))).toBeLessThan(1e-12 * Math.max(1, 1 / (x * x)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("lgamma, digamma, trigamma (float32 tensors)", () => {
  const small = grid(1e-30, 1e-2, 200, true);
  const mid = grid(0.01, 30, 2000);
  const big = grid(30, 1e30, 300, true);

  it("lgamma matches float64 over (1e-30, 1e30)", () => {
    for (const xs of [small, mid, big]) expectF32(apply(lgamma, xs), xs, J.lgamma, 2e-6, "lgamma");
    // lgamma(0) = +Inf (the pole).
    expect(apply(lgamma, [0])).toEqual([Infinity]);
  });

  it("digamma matches float64 over (1e-30, 1e30)", () => {
    for (const xs of [small, mid, big]) expectF32(apply(digamma, xs), xs, J.digamma, 1e-6, "digamma");
  });

  it("trigamma matches float64 over (1e-15, 1e15)", () => {
    const xs = [...grid(1e-15, 1e-2, 100, true), ...mid, ...grid(30, 1e15, 100, true)];
    const got = apply(trigamma, xs);
    // Relative: trigamma spans 1e30 .. 1e-15.
    expectClose(got, xs.map(J.trigamma), 1e-6, 0, "trigamma");
  });

  it("satisfy the recurrences in float32 (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 64 }), (raw) => {
        const xs = raw.map(Math.fround);
        const x = tf.tensor1d(xs);
        const [l0, l1, d0, d1] = tf.tidy(() => [lgamma(x), lgamma(tf.add(x, 1)), digamma(x), digamma(tf.add(x, 1))].map((t) => Array.from(t.dataSync())));
        x.dispose();
        xs.forEach((v, i) => {
          const scaleL = Math.max(1, Math.abs(l1![i]!));
          expect(Math.abs(l1![i]! - l0![i]! - Math.log(v))).toBeLessThan(4e-6 * scaleL);
          const scaleD = Math.max(1, Math.abs(d0![i]!), 1 / v);
          expect(Math.abs(d1![i]! - d0![i]! - 1 / v)).toBeLessThan(2e-6 * scaleD);
        });
      }),
      { numRuns: 40 },
    );
  });

  it("gradients: lgamma' = digamma, digamma' = trigamma, trigamma' by finite differences", () => {
    const xs = [1e-3, 0.1, 0.5, 1, 1.4616, 2, 3.7, 10, 55.5, 1e3, 1e5].map(Math.fround);
    expectF32(gradAt(lgamma, xs), xs, J.digamma, 1e-6, "lgamma'");
    expectClose(gradAt(digamma, xs), xs.map(J.trigamma), 2e-6, 0, "digamma'");
    // Central difference with a step relative to x (float64, error ~1e-10).
    const tetragamma = (x: number) => (J.trigamma(x * (1 + 1e-5)) - J.trigamma(x * (1 - 1e-5))) / (2e-5 * x);
    expectClose(gradAt(trigamma, xs), xs.map(tetragamma), 1e-4, 0, "trigamma'");
  });
});

describe("lbeta", () => {
  it("matches float64 including very unequal and large arguments", () => {
    const as = grid(1e-3, 1e6, 400, true);
    const bs = [...as].reverse();
    const more: [number, number][] = [
      [1e6, 1],
      [1, 1e6],
      [0.5, 0.5],
      [20, 30],
      [5, 30],
      [1e4, 1e4],
      [3, 1e5],
    ];
    const a = [...as, ...more.map((p) => p[0])].map(Math.fround);
    const b = [...bs, ...more.map((p) => p[1])].map(Math.fround);
    const at = tf.tensor1d(a);
    const bt = tf.tensor1d(b);
    const got = expectNoLeak(() => take(lbeta(at, bt)));
    got.forEach((g, i) => {
      const r = J.lbeta(a[i]!, b[i]!);
      expect(Math.abs(g - r)).toBeLessThanOrEqual(3e-6 * Math.max(1, Math.abs(r)));
    });
    // Gradients: d/da lbeta = digamma(a) - digamma(a + b).
    const pairs: [number, number][] = [[0.5, 2], [3, 4], [20, 30], [5, 30], [150, 0.3]];
    const pa = tf.tensor1d(pairs.map((p) => p[0]));
    const pb = tf.tensor1d(pairs.map((p) => p[1]));
    expectNoLeak(() => {
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(lbeta(x, y)))([pa, pb]);
      expectClose(take(ga!), pairs.map(([x, y]) => J.digamma(x) - J.digamma(x + y)), 1e-4, 1e-5, "dlbeta/da");
      expectClose(take(gb!), pairs.map(([x, y]) => J.digamma(y) - J.digamma(x + y)), 1e-4, 1e-5, "dlbeta/db");
    });
    tf.dispose([at, bt, pa, pb]);
  });

  it("matches float64 on a 2-D grid from 1e-30 to 1e7 in each argument", () => {
    const vals: number[] = [];
    for (let e = -30; e <= 7; e += 0.5) vals.push(Math.fround(10 ** e));
    vals.push(...[0.5, 1, 1.5, 2, 3.5, 9.99, 10, 10.01, 1e6 + 1, 3e6].map(Math.fround));
    const a: number[] = [];
    const b: number[] = [];
    for (const x of vals) for (const y of vals) (a.push(x), b.push(y));
    const at = tf.tensor1d(a);
    const bt = tf.tensor1d(b);
    const got = expectNoLeak(() => take(lbeta(at, bt)));
    got.forEach((g, i) => {
      const r = J.lbeta(a[i]!, b[i]!);
      if (!(Math.abs(g - r) <= 2e-6 * Math.max(1, Math.abs(r)))) expect.fail(`lbeta(${a[i]}, ${b[i]}) = ${g}, expected ${r}`);
    });
    tf.dispose([at, bt]);
  });

  it("has the closed-form gradient at ties a == b and under broadcasting", () => {
    // Through min/max a tie would count d/da twice; the closed form does not.
    const xs = [0.3, 1, 2.5, 40, 1e4].map(Math.fround);
    const x = tf.tensor1d(xs);
    const y = tf.tensor1d(xs); // equal values, a distinct tensor (tf.grads of [x, x] sums both)
    expectNoLeak(() => {
      const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(lbeta(p, q)))([x, y]);
      const want = xs.map((v) => J.digamma(v) - J.digamma(2 * v));
      expectClose(take(ga!), want, 1e-4, 1e-6, "dlbeta/da at a == b");
      expectClose(take(gb!), want, 1e-4, 1e-6, "dlbeta/db at a == b");
      // d/dv lbeta(v, v) = 2 psi(v) - 2 psi(2v).
      const g = tf.grad((v: tf.Tensor) => tf.sum(lbeta(v, v)))(x);
      expectClose(take(g), want.map((w) => 2 * w), 1e-4, 1e-6, "d lbeta(v, v)/dv");
    });
    // A [3, 1] by [4] pair: gradients summed back to each argument's shape.
    const a = tf.tensor2d([[0.5], [2], [7]]);
    const b = tf.tensor1d([0.25, 1, 3, 9]);
    expectNoLeak(() => {
      const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(lbeta(p, q)))([a, b]);
      expect(ga!.shape).toEqual([3, 1]);
      expect(gb!.shape).toEqual([4]);
      const av = [0.5, 2, 7];
      const bv = [0.25, 1, 3, 9];
      expectClose(take(ga!), av.map((p) => bv.reduce((acc, q) => acc + J.digamma(p) - J.digamma(p + q), 0)), 1e-4, 1e-5, "broadcast d/da");
      expectClose(take(gb!), bv.map((q) => av.reduce((acc, p) => acc + J.digamma(q) - J.digamma(p + q), 0)), 1e-4, 1e-5, "broadcast d/db");
    });
    tf.dispose([x, y, a, b]);
  });
});

describe("erf, erfc, ndtr, logNdtr", () => {
  it("erf is accurate in relative terms near 0 and to float32 elsewhere", () => {
    const tiny = grid(1e-30, 0.5, 100, true);
    expectClose(apply(erf, tiny), tiny.map(J.erf), 2e-7, 0, "erf tiny");
    const xs = grid(-6, 6, 1201);
    expectClose(apply(erf, xs), xs.map(J.erf), 0, 3e-7, "erf");
  });

  it("erfc keeps relative accuracy in the right tail", () => {
    const xs = grid(-6, 9, 1501);
    // Relative error budget grows like 2 x^2 eps (conditioning of exp(-x^2)).
    const got = apply(erfc, xs);
    xs.forEach((x, i) => {
      const r = J.erfc(x);
      expect(Math.abs(got[i]! - r)).toBeLessThanOrEqual((4e-7 + 2 * x * x * 6e-8) * r);
    });
  });

  it("logNdtr is finite and accurate far into both tails", () => {
    const xs = [...grid(-1e4, -40, 200, false), ...grid(-40, 10, 1001), 15, 20];
    const got = apply(logNdtr, xs);
    xs.forEach((x, i) => {
      const r = J.logNdtr(x);
      expect(Number.isFinite(got[i]!)).toBe(true);
      // Relative budget grows like x^2 eps in the right tail (conditioning); beyond x ~ 13,
      // log Phi(x) ~ -1e-39 is below float32's smallest numbers.
      expect(Math.abs(got[i]! - r)).toBeLessThanOrEqual((1e-6 + 1e-7 * x * x) * Math.abs(r) + 1e-38);
    });
    const nd = apply(ndtr, [-3, 0, 1.5]);
    expectClose(nd, [-3, 0, 1.5].map(J.ndtr), 1e-6, 0, "ndtr");
  });

  it("gradients match the analytic derivatives", () => {
    const xs = [-50, -8, -2, -0.3, 0, 0.4, 1.7, 5, 12];
    const dErf = (x: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
    expectClose(gradAt(erf, xs), xs.map(dErf), 1e-6, 1e-30, "erf'");
    expectClose(gradAt(erfc, xs), xs.map((x) => -dErf(x)), 1e-6, 1e-30, "erfc'");
    // d/dx log Phi = phi / Phi = exp(log phi - log Phi).
    const dLogNdtr = (x: number) => Math.exp(-0.5 * x * x - 0.5 * Math.log(2 * Math.PI) - J.logNdtr(x));
    expectClose(gradAt(logNdtr, xs), xs.map(dLogNdtr), 2e-6, 1e-30, "logNdtr'");
  });
});

describe("log1p, log1mexp, log1pexp / softplus, logit, xlogy", () => {
  it("log1p is accurate for tiny arguments (wasm's tf.log1p is not)", () => {
    const xs = [-0.5, -1e-3, -3e-8, 1e-10, 1e-8, 1e-4, 0.3, 10, 1e10];
    expectClose(apply(log1p, xs), xs.map(Math.log1p), 2e-7, 0, "log1p");
    expectClose(gradAt(log1p, xs), xs.map((x) => 1 / (1 + x)), 1e-6, 0, "log1p'");
  });

  it("log1mexp matches float64 on both sides of -log 2, with finite gradients", () => {
    const xs = [...grid(-80, -1e-6, 400), ...grid(1e-30, 1e-3, 50, true).map((v) => -v)];
    expectClose(apply(log1mexp, xs), xs.map(J.log1mexp), 3e-7, 1e-30, "log1mexp");
    const g = gradAt(log1mexp, xs);
    expectClose(g, xs.map((a) => -1 / Math.expm1(-a)), 1e-5, 1e-30, "log1mexp'");
  });

  it("softplus is stable, relatively accurate in the left tail, and has gradient sigmoid", () => {
    const xs = [-100, -30, -5, -1e-3, 0, 1e-3, 3, 20, 100, 1e4];
    // (softplus(-100) = 3.7e-44 is a float32 subnormal: absolute floor 1e-44.)
    expectClose(apply(log1pexp, xs), xs.map(J.log1pexp), 2e-7, 1e-44, "log1pexp");
    expect(softplus).toBe(log1pexp);
    expectClose(gradAt(softplus, xs), xs.map((x) => 1 / (1 + Math.exp(-x))), 1e-6, 1e-40, "softplus'");
  });

  it("logit and its gradient", () => {
    const ps = [1e-7, 1e-3, 0.2, 0.5, 0.9, 0.999];
    expectClose(apply(logit, ps), ps.map((p) => J.logit(Math.fround(p))), 1e-6, 1e-7, "logit");
    expectClose(gradAt(logit, ps), ps.map((p) => 1 / (Math.fround(p) * (1 - Math.fround(p)))), 1e-5, 0, "logit'");
  });

  it("xlogy is 0 where x = 0 (even for y = 0), broadcasts, and differentiates", () => {
    const x = tf.tensor1d([0, 0, 2, 3]);
    const y = tf.tensor1d([0, 5, 0.5, 4]);
    const yRow = tf.tensor2d([[1, 2, 3, 4]]);
    expectNoLeak(() => {
      expectClose(take(xlogy(x, y)), [0, 0, 2 * Math.log(0.5), 3 * Math.log(4)], 1e-6, 0, "xlogy");
      const row = xlogy(x, yRow);
      expect(row.shape).toEqual([1, 4]);
      row.dispose();
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(xlogy(a, b)))([x, y]);
      expectClose(take(gx!), [0, 0, Math.log(0.5), Math.log(4)], 1e-6, 0, "dxlogy/dx");
      expectClose(take(gy!), [0, 0, 4, 0.75], 1e-6, 0, "dxlogy/dy");
    });
    tf.dispose([x, y, yRow]);
  });
});
