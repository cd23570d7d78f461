import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../index.js";
import { PplError } from "../../language/index.js";
import { initBackend } from "../../stdlib/index.js";

beforeAll(async () => {
  await initBackend();
});

const example = (name: string) => ({
  src: readFileSync(`examples/${name}.ppl`, "utf8"),
  data: JSON.parse(readFileSync(`examples/${name}.data.json`, "utf8")) as Record<string, unknown>,
});

function meanVar(xs: ArrayLike<number>, stride = 1, offset = 0): { mean: number; variance: number; n: number } {
  let n = 0;
  let m = 0;
  let ss = 0;
  for (let i = offset; i < xs.length; i += stride) {
    n++;
    const d = xs[i]! - m;
    m += d / n;
    ss += d * (xs[i]! - m);
  }
  return { mean: m, variance: ss / (n - 1), n };
}

describe("posterior predictive draws", () => {
  it("coin: each flip is Bernoulli(E[p]) under the posterior, with the data's shape", async () => {
    const { src, data } = example("coin");
    const fit = await compile(src).fit(data, { seed: 1 });
    try {
      const pred = fit.predictive(400, 3);
      const y = pred.variables.get("y")!;
      expect(y.shape).toEqual([1000]);
      expect(y.values.length).toBe(400 * 1000);
      expect(pred.skipped.size).toBe(0);
      expect(y.values.every((v) => v === 0 || v === 1)).toBe(true);
      const heads = (data.y as number[]).reduce((a, b) => a + b, 0);
      const pMean = (1 + heads) / (2 + 1000);
      const all = meanVar(y.values);
      // 400 000 flips: the standard error of their mean is below 0.0011 (with p's spread).
      expect(Math.abs(all.mean - pMean)).toBeLessThan(4 * Math.sqrt((pMean * (1 - pMean)) / all.n + 0.0145 ** 2 / 400));
      // The same seed gives the same draws.
      expect(fit.predictive(50, 3).variables.get("y")!.values).toEqual(fit.predictive(50, 3).variables.get("y")!.values);
    } finally {
      fit.dispose();
    }
  });

  it("linreg: y[i] has mean x_i . E[w] + E[b] and variance sigma^2 + Var(x_i . w + b)", async () => {
    const { src, data } = example("linreg");
    const fit = await compile(src).fit(data, { seed: 2 });
    try {
      const n = 2000;
      const pred = fit.predictive(n, 5).variables.get("y")!;
      const N = data.N as number;
      expect(pred.shape).toEqual([N]);
      const X = data.X as number[][];
      const sigma = data.sigma as number;
      const draws = fit.draws(4000, 9);
      const w = draws.variables.get("w")!;
      const b = draws.variables.get("b")!;
      const D = data.D as number;
      for (const i of [0, 7, N - 1]) {
        const mu = Array.from({ length: 4000 }, (_, k) => X[i]!.reduce((acc, x, j) => acc + x * w.values[k * D + j]!, b.values[k]!));
        const m = meanVar(mu);
        const p = meanVar(pred.values, N, i);
        const sd = Math.sqrt(sigma ** 2 + m.variance);
        expect(Math.abs(p.mean - m.mean)).toBeLessThan((4 * sd) / Math.sqrt(n));
        expect(Math.abs(Math.sqrt(p.variance) / sd - 1)).toBeLessThan(0.08);
      }
    } finally {
      fit.dispose();
    }
  });

  const LOOP = `model M {
    data N: int<lower=1>
    data y: real[N]
    data z: real[N]
    latent mu: real
    mu ~ Normal(0, 10)
    for i in 0..N { y[i] ~ Normal(mu, 1) }
    for i in 1..N { z[i] ~ Normal(mu, 2) }
    z[0] ~ Normal(0, 1)
  }`;

  it("draws a loop target over the whole range, and says why a node it cannot put back together is skipped; no leaks", async () => {
    const y = Array.from({ length: 20 }, (_, i) => 3 + Math.sin(i));
    const fit = await compile(LOOP).fit({ N: 20, y, z: y }, { seed: 1 });
    try {
      fit.predictive(10, 1);
      const before = tf.memory().numTensors;
      const pred = fit.predictive(600, 1);
      expect(tf.memory().numTensors).toBe(before);
      const d = pred.variables.get("y")!;
      expect(d.shape).toEqual([20]);
      const muMean = fit.row("mu")!.mean;
      const muSd = fit.row("mu")!.sd;
      const all = meanVar(d.values, 20, 4);
      expect(Math.abs(all.mean - muMean)).toBeLessThan(4 * Math.sqrt((1 + muSd ** 2) / 600));
      expect(Math.abs(Math.sqrt(all.variance) / Math.sqrt(1 + muSd ** 2) - 1)).toBeLessThan(0.12);
      expect(pred.variables.has("z")).toBe(false);
      expect(pred.skipped.get("z")).toMatch(/several '~' statements|whole of axis/);
    } finally {
      fit.dispose();
    }
  });

  it("needs the model: a fit loaded without it says so with PPL4105", async () => {
    const { src, data } = example("coin");
    const model = compile(src);
    const fit = await model.fit(data, { seed: 1, maxSteps: 100 });
    const saved = fit.save();
    fit.dispose();
    const { FitResult } = await import("../../inference/index.js");
    const bare = FitResult.load(saved);
    expect(() => bare.predictive(10)).toThrow(PplError);
    try {
      bare.predictive(10);
    } catch (e) {
      expect((e as PplError).diagnostics[0]!.code).toBe("PPL4105");
    }
    const again = await model.loadFit(saved, data);
    expect(again.predictive(5).variables.get("y")!.shape).toEqual([1000]);
    again.dispose();
  });
});
