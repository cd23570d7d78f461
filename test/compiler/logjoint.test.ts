/**
 * The log joint against hand-written float64 densities, per example; per-sample vectorisation;
 * gradients against finite differences of the reference; terms; memory.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILTINS } from "../../language/builtins.js";
import { BUILTIN_RUNTIME, defaultLatentValues } from "../../compiler/index.js";
import { initBackend, specialJs } from "../../stdlib/index.js";
import { buildExample, dataOf, disposeAll, expectClose, lcg, logJointAt, numericGrad, ref, sum, valuesOf, type Built } from "./logjoint-helpers.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** tf gradient of the summed log joint w.r.t. the named latents, flattened per latent. */
function gradients(b: Built, values: Map<string, tf.Tensor>, names: string[]): number[][] {
  const g = tf.tidy(() => {
    const f = tf.grads((...xs: tf.Tensor[]) => {
      const m = new Map(values);
      names.forEach((n, i) => m.set(n, xs[i]!));
      return tf.sum(b.lj.logJoint(m));
    });
    return f(names.map((n) => values.get(n)!));
  });
  const out = g.map((t) => Array.from(t.dataSync()));
  tf.dispose(g);
  return out;
}

describe("builtins runtime", () => {
  it("implements every built-in function the checker accepts", () => {
    const missing = [...BUILTINS.keys()].filter((n) => !BUILTIN_RUNTIME.has(n));
    expect(missing).toEqual([]);
  });
});

describe("coin", () => {
  it("matches log p(y, p) computed by hand in float64, keeping every constant", () => {
    const b = buildExample("coin");
    const y = dataOf(b.data, "y");
    const heads = sum(y);
    const tails = y.length - heads;
    for (const p of [0.3, 0.55, 0.9]) {
      const want = ref.beta(p, 1, 1) + heads * Math.log(p) + tails * Math.log1p(-p);
      const v = valuesOf({ p: { data: [p], shape: [] } });
      expectClose(logJointAt(b.lj, v)[0]!, want);
      const [g] = gradients(b, v, ["p"]);
      expectClose(g![0]!, heads / p - tails / (1 - p), 1e-4);
      disposeAll(v);
    }
    expect(b.lj.latents.map((l) => [l.name, l.offset, l.unconstrainedSize, l.discrete])).toEqual([["p", 0, 1, false]]);
    b.lj.dispose();
  });
});

describe("normal_gamma", () => {
  it("matches the reference density and its gradient", () => {
    const b = buildExample("normal_gamma");
    const x = dataOf(b.data, "x");
    const f = ([mu, tau]: number[]) => ref.normal(mu!, 0, 10) + ref.gamma(tau!, 1, 1) + sum(x.map((xi) => ref.normal(xi, mu!, 1 / Math.sqrt(tau!))));
    const at = [2.1, 0.2];
    const v = valuesOf({ mu: { data: [at[0]!], shape: [] }, tau: { data: [at[1]!], shape: [] } });
    expectClose(logJointAt(b.lj, v)[0]!, f(at));
    const g = gradients(b, v, ["mu", "tau"]).map((x) => x[0]!);
    const want = numericGrad(f, at);
    g.forEach((gi, i) => expectClose(gi, want[i]!, 1e-3, 1e-2));
    disposeAll(v);
    b.lj.dispose();
  });
});

describe("linreg and logreg", () => {
  it("linreg: X @ w + b against the reference, with gradients", () => {
    const b = buildExample("linreg");
    const X = dataOf(b.data, "X");
    const y = dataOf(b.data, "y");
    const sigma = dataOf(b.data, "sigma")[0]!;
    const D = b.data.sizes.get("D")!;
    const f = (wb: number[]) => {
      const w = wb.slice(0, D);
      const bb = wb[D]!;
      let lp = sum(w.map((wi) => ref.normal(wi, 0, 1))) + ref.normal(bb, 0, 1);
      for (let n = 0; n < y.length; n++) {
        let m = bb;
        for (let d = 0; d < D; d++) m += X[n * D + d]! * w[d]!;
        lp += ref.normal(y[n]!, m, sigma);
      }
      return lp;
    };
    const r = lcg(3);
    const at = Array.from({ length: D + 1 }, () => r() * 2 - 1);
    const v = valuesOf({ w: { data: at.slice(0, D), shape: [D] }, b: { data: [at[D]!], shape: [] } });
    expectClose(logJointAt(b.lj, v)[0]!, f(at));
    const [gw, gb] = gradients(b, v, ["w", "b"]);
    const want = numericGrad(f, at, 1e-4);
    [...gw!, ...gb!].forEach((gi, i) => expectClose(gi, want[i]!, 1e-3, 0.5));
    disposeAll(v);
    b.lj.dispose();
  });

  it("logreg: BernoulliLogit(X @ w + b) against the reference", () => {
    const b = buildExample("logreg");
    const X = dataOf(b.data, "X");
    const y = dataOf(b.data, "y");
    const D = b.data.sizes.get("D")!;
    const f = (wb: number[]) => {
      let lp = sum(wb.map((wi) => ref.normal(wi, 0, 1)));
      for (let n = 0; n < y.length; n++) {
        let eta = wb[D]!;
        for (let d = 0; d < D; d++) eta += X[n * D + d]! * wb[d]!;
        lp += ref.bernoulliLogit(y[n]!, eta);
      }
      return lp;
    };
    const at = [0.5, -0.3, 0.2, 1.1, -0.7, 0.25];
    const v = valuesOf({ w: { data: at.slice(0, D), shape: [D] }, b: { data: [at[D]!], shape: [] } });
    expectClose(logJointAt(b.lj, v)[0]!, f(at));
    const [gw, gb] = gradients(b, v, ["w", "b"]);
    const want = numericGrad(f, at, 1e-4);
    [...gw!, ...gb!].forEach((gi, i) => expectClose(gi, want[i]!, 1e-3, 0.05));
    disposeAll(v);
    b.lj.dispose();
  });
});

describe("eight_schools", () => {
  const f = (y: number[], sigma: number[]) => (x: number[]) => {
    const [mu, tau] = [x[0]!, x[1]!];
    const eta = x.slice(2);
    return ref.normal(mu, 0, 5) + ref.halfCauchy(tau, 5) + sum(eta.map((e) => ref.normal(e, 0, 1))) + sum(y.map((yj, j) => ref.normal(yj, mu + tau * eta[j]!, sigma[j]!)));
  };

  it("matches the reference, reports theta, and its terms sum to the total", () => {
    const b = buildExample("eight_schools");
    const y = dataOf(b.data, "y");
    const sigma = dataOf(b.data, "sigma");
    const at = [1.5, 3.2, 0.1, -0.4, 1.2, 0.3, -1.1, 0.8, 0.05, -0.6];
    const v = valuesOf({ mu: { data: [at[0]!], shape: [] }, tau: { data: [at[1]!], shape: [] }, eta: { data: at.slice(2), shape: [8] } });
    const total = logJointAt(b.lj, v)[0]!;
    expectClose(total, f(y, sigma)(at));
    const terms = b.lj.logJointTerms(v);
    expect(terms.length).toBe(b.lj.terms.length);
    expect(b.lj.terms.map((t) => t.text)).toEqual(["mu ~ Normal(0, scale)", "tau ~ HalfCauchy(0, scale)", "eta ~ Normal(0, 1)", "y ~ Normal(theta, sigma)"]);
    expectClose(sum(terms.map((t) => t.dataSync()[0]!)), total, 1e-6);
    tf.dispose(terms);
    const det = b.lj.deterministics(v);
    expect([...det.keys()]).toEqual(["theta"]);
    const theta = Array.from(det.get("theta")!.dataSync());
    theta.forEach((t, j) => expectClose(t, at[0]! + at[1]! * at[2 + j]!, 1e-6, 1e-5));
    expect(det.get("theta")!.shape).toEqual([1, 8]);
    tf.dispose([...det.values()]);
    disposeAll(v);
    b.lj.dispose();
  });

  it("evaluates S draws at once, each as if alone, with gradients matching the reference", () => {
    const b = buildExample("eight_schools");
    const y = dataOf(b.data, "y");
    const sigma = dataOf(b.data, "sigma");
    const r = lcg(11);
    const S = 5;
    const draws = Array.from({ length: S }, () => [r() * 4 - 2, 0.5 + r() * 5, ...Array.from({ length: 8 }, () => r() * 2 - 1)]);
    const all = new Map<string, tf.Tensor>([
      ["mu", tf.tensor1d(draws.map((d) => d[0]!))],
      ["tau", tf.tensor1d(draws.map((d) => d[1]!))],
      ["eta", tf.tensor2d(draws.map((d) => d.slice(2)))],
    ]);
    const together = logJointAt(b.lj, all);
    draws.forEach((d, s) => {
      const one = valuesOf({ mu: { data: [d[0]!], shape: [] }, tau: { data: [d[1]!], shape: [] }, eta: { data: d.slice(2), shape: [8] } });
      expect(together[s]).toBeCloseTo(logJointAt(b.lj, one)[0]!, 3);
      expectClose(together[s]!, f(y, sigma)(d));
      disposeAll(one);
    });
    const [gmu, gtau, geta] = gradients(b, all, ["mu", "tau", "eta"]);
    draws.forEach((d, s) => {
      const want = numericGrad(f(y, sigma), d);
      const got = [gmu![s]!, gtau![s]!, ...geta!.slice(s * 8, s * 8 + 8)];
      got.forEach((gi, i) => expectClose(gi, want[i]!, 1e-3, 1e-3));
    });
    disposeAll(all);
    b.lj.dispose();
  });

  it("keeps the tensor count constant across repeated calls and gradients", () => {
    const b = buildExample("eight_schools");
    const v = defaultLatentValues(b.lj.latents, 4);
    const step = () =>
      tf.tidy(() => {
        b.lj.logJoint(v);
        b.lj.logJointTerms(v);
        const g = tf.grads((mu: tf.Tensor, eta: tf.Tensor) => tf.sum(b.lj.logJoint(new Map([...v, ["mu", mu], ["eta", eta]]))));
        g([v.get("mu")!, v.get("eta")!]);
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    tf.dispose([...b.lj.deterministics(v).values()]);
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(v);
    const held = tf.memory().numTensors;
    b.lj.dispose();
    expect(tf.memory().numTensors).toBeLessThan(held);
  });
});

describe("gmm (discrete z given)", () => {
  it("matches the reference, including the gather mu[z] with a sample axis on both sides", () => {
    const b = buildExample("gmm");
    const x = dataOf(b.data, "x");
    const K = 3;
    const r = lcg(5);
    const z = x.map(() => Math.floor(r() * K));
    const f = (p: number[]) => {
      const w = p.slice(0, 3);
      const mu = p.slice(3, 6);
      const sg = p.slice(6, 9);
      return (
        ref.dirichletFlat(K) +
        sum(mu.map((m) => ref.normal(m, 0, 10))) +
        sum(sg.map((s) => ref.logNormal(s, 0, 1))) +
        sum(z.map((k) => Math.log(w[k]!))) +
        sum(x.map((xi, n) => ref.normal(xi, mu[z[n]!]!, sg[z[n]!]!)))
      );
    };
    const draws = [
      [0.2, 0.3, 0.5, -3, 0, 3, 1, 1.5, 0.8],
      [0.5, 0.25, 0.25, -4, -1, 2, 0.7, 1.2, 2],
    ];
    const S = draws.length;
    const v = new Map<string, tf.Tensor>([
      ["weights", tf.tensor2d(draws.map((d) => d.slice(0, 3)))],
      ["mu", tf.tensor2d(draws.map((d) => d.slice(3, 6)))],
      ["sigma", tf.tensor2d(draws.map((d) => d.slice(6, 9)))],
      ["z", tf.tensor2d([...z, ...z], [S, x.length], "int32")],
    ]);
    const got = logJointAt(b.lj, v);
    draws.forEach((d, s) => expectClose(got[s]!, f(d)));
    expect(b.lj.latents.map((l) => [l.name, l.offset, l.unconstrainedSize, l.discrete])).toEqual([
      ["weights", 0, 2, false],
      ["mu", 2, 3, false],
      ["sigma", 5, 3, false],
      ["z", 0, 0, true],
    ]);
    expect(b.lj.unconstrainedSize).toBe(8);
    // Gradients through the gather (the project's GatherV2 gradient on wasm). The weights' gradient
    // is left out: the stdlib Dirichlet's support check uses tf.all, which has no gradient.
    const [gmu, gsig] = gradients(b, v, ["mu", "sigma"]);
    draws.forEach((d, s) => {
      const want = numericGrad(f, d);
      [...gmu!.slice(s * 3, s * 3 + 3), ...gsig!.slice(s * 3, s * 3 + 3)].forEach((gi, i) => expectClose(gi, want[3 + i]!, 1e-3, 0.05));
    });
    disposeAll(v);
    b.lj.dispose();
  });
});

describe("special functions in the reference", () => {
  it("uses the float64 lgamma (sanity)", () => {
    expect(specialJs.lgamma(3)).toBeCloseTo(Math.log(2), 12);
  });
});
