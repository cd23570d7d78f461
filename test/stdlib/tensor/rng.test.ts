import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, Rng } from "../../../stdlib/tensor/index.js";
import { expectNoLeak, take } from "./helpers.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

/** Check sample mean and variance against the truth within 5 standard errors. */
function expectMoments(xs: ArrayLike<number>, mean: number, variance: number, label: string): void {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i]!;
  m /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n - 1;
  m4 /= n;
  const seMean = Math.sqrt(variance / n);
  const seVar = Math.sqrt(Math.max(m4 - m2 * m2, 1e-300) / n);
  if (!(Math.abs(m - mean) <= 5 * seMean)) expect.fail(`${label}: mean ${m}, expected ${mean} ± ${5 * seMean}`);
  if (!(Math.abs(m2 - variance) <= 5 * seVar + 1e-12)) expect.fail(`${label}: variance ${m2}, expected ${variance} ± ${5 * seVar}`);
}

const N = 20000;

describe("Rng streams", () => {
  it("the same seed gives the same draws; different seeds differ", () => {
    const a = new Rng(42).normalArray(100);
    const b = new Rng(42).normalArray(100);
    const c = new Rng(43).normalArray(100);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(new Rng("abc").uniformArray(5))).toEqual(Array.from(new Rng("abc").uniformArray(5)));
  });

  it("fork(i) depends only on the seed and i; split() is deterministic and advances the parent", () => {
    const r = new Rng(7);
    const f3 = r.fork(3).uniformArray(10);
    r.uniformArray(1000);
    expect(Array.from(r.fork(3).uniformArray(10))).toEqual(Array.from(f3));
    expect(Array.from(r.fork(4).uniformArray(10))).not.toEqual(Array.from(f3));

    const p = new Rng(8);
    const q = new Rng(8);
    const s1 = p.split();
    const s2 = q.split();
    expect(Array.from(s1.normalArray(10))).toEqual(Array.from(s2.normalArray(10)));
    const s3 = p.split();
    expect(s3.key).not.toBe(s1.key);
    // A child stream is not a copy of its parent.
    expect(Array.from(new Rng(8).split().uniformArray(10))).not.toEqual(Array.from(new Rng(8).uniformArray(10)));
  });

  it("state() and Rng.restore resume a stream exactly", () => {
    const r = new Rng(9);
    r.normalArray(3); // leaves a spare normal behind
    const saved = r.state();
    const next = Array.from(r.normalArray(5));
    expect(Array.from(Rng.restore(saved).normalArray(5))).toEqual(next);
  });

  it("tensor draws are reproducible and leave no tensors behind", () => {
    const draw = (seed: number) =>
      expectNoLeak(() => {
        const r = new Rng(seed);
        const ts = [r.normal([3, 4]), r.uniform([5], -1, 1), r.gamma([4], 2.5), r.poisson([3], 4), r.categorical([2], [0.2, 0.8])];
        const out = ts.map((t) => ({ shape: t.shape, dtype: t.dtype, v: take(t) }));
        return out;
      });
    const a = draw(5);
    expect(a).toEqual(draw(5));
    expect(a.map((x) => x.shape)).toEqual([[3, 4], [5], [4], [3], [2]]);
    expect(a.map((x) => x.dtype)).toEqual(["float32", "float32", "float32", "float32", "int32"]);
  });
});

describe("Rng distributions: moments and supports", () => {
  it("uniform and normal", () => {
    const r = new Rng(100);
    const u = r.uniformArray(N, 2, 5);
    expect(u.every((x) => x > 2 && x < 5)).toBe(true);
    expectMoments(u, 3.5, 9 / 12, "uniform");
    expectMoments(r.normalArray(N, -1, 3), -1, 9, "normal");
    // Tensor parameters broadcast to the draw shape.
    const mean = tf.tensor1d([0, 100]);
    const v = take(r.normal([N / 2, 2], mean, 2));
    expectMoments(v.filter((_, i) => i % 2 === 1), 100, 4, "normal broadcast");
    mean.dispose();
  });

  it("gamma (Marsaglia-Tsang with the alpha < 1 boost) for small to large shapes", () => {
    const r = new Rng(101);
    for (const alpha of [0.05, 0.3, 1, 2.5, 40]) {
      const xs = r.gammaArray(N, alpha, 2);
      expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
      expectMoments(xs, alpha / 2, alpha / 4, `gamma(${alpha}, 2)`);
    }
  });

  it("beta and dirichlet (log-space, so tiny parameters give no NaN)", () => {
    const r = new Rng(102);
    for (const [a, b] of [[0.5, 0.5], [2, 5], [0.01, 0.02], [30, 10]] as const) {
      const xs = take(r.beta([N], a, b));
      expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
      expectMoments(xs, a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1)), `beta(${a}, ${b})`);
    }
    const alpha = [0.1, 1, 3];
    const d = r.dirichlet([N], alpha);
    expect(d.shape).toEqual([N, 3]);
    const v = take(d);
    for (let i = 0; i < N; i++) expect(Math.abs(v[3 * i]! + v[3 * i + 1]! + v[3 * i + 2]! - 1)).toBeLessThan(1e-5);
    const a0 = 4.1;
    for (let j = 0; j < 3; j++) {
      const col = v.filter((_, i) => i % 3 === j);
      const m = alpha[j]! / a0;
      expectMoments(col, m, (m * (1 - m)) / (a0 + 1), `dirichlet[${j}]`);
    }
    // Batched alpha [2, K].
    const batched = tf.tensor2d([[1, 1], [5, 0.5]]);
    const db = r.dirichlet([4], batched);
    expect(db.shape).toEqual([4, 2, 2]);
    tf.dispose([db, batched]);
  });

  it("poisson (multiplication and PTRS) and binomial (inversion and beta splitting)", () => {
    const r = new Rng(103);
    for (const rate of [0.2, 3, 9.9, 10, 47, 2000]) {
      const xs = take(r.poisson([N], rate));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      expectMoments(xs, rate, rate, `poisson(${rate})`);
    }
    for (const [n, p] of [[1, 0.3], [10, 0.5], [30, 0.9], [100, 0.7], [1000, 0.05], [100000, 0.5], [500, 0]] as const) {
      const xs = take(r.binomial([N], n, p));
      expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
      expectMoments(xs, n * p, n * p * (1 - p), `binomial(${n}, ${p})`);
    }
  });

  it("bernoulli and categorical (probs or logits, batched)", () => {
    const r = new Rng(104);
    expectMoments(take(r.bernoulli([N], 0.3)), 0.3, 0.21, "bernoulli");
    const probs = [0.1, 0.2, 0.7];
    for (const logits of [false, true]) {
      const c = r.categorical([N], logits ? probs.map(Math.log) : probs, { logits });
      expect(c.dtype).toBe("int32");
      const v = take(c);
      expect(v.every((k) => k >= 0 && k < 3)).toBe(true);
      for (let k = 0; k < 3; k++) {
        const ind = v.map((x) => (x === k ? 1 : 0));
        expectMoments(ind, probs[k]!, probs[k]! * (1 - probs[k]!), `categorical[${k}] logits=${logits}`);
      }
    }
    const batched = tf.tensor2d([[1, 0, 0], [0, 0, 5]]);
    const cb = r.categorical([3], batched);
    expect(cb.shape).toEqual([3, 2]);
    expect(take(cb)).toEqual([0, 2, 0, 2, 0, 2]);
    batched.dispose();
  });

  it("argument errors name the argument and its owner", () => {
    const r = new Rng(1);
    expect(() => r.normal([3], [1, 2])).toThrow(/argument 'mean' of normal/);
  });
});
