/**
 * The log joint for networks (BNN, VAE, CVAE), for loops (vectorised and iterated), potentials,
 * and minibatching (the average over disjoint minibatches equals the full log joint).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../stdlib/index.js";
import { buildExample, buildFrom, dataOf, disposeAll, exampleData, exampleText, expectClose, lcg, logJointAt, numericGrad, ref, sum, valuesOf } from "./logjoint-helpers.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const relu = (x: number) => Math.max(0, x);

/** Dense layer on plain arrays: x [n] @ W [n, m] (row-major) + b [m]. */
function dense(x: number[], W: number[], b: number[], act: (v: number) => number): number[] {
  const m = b.length;
  return b.map((bj, j) => act(x.reduce((s, xi, i) => s + xi * W[i * m + j]!, bj)));
}

describe("bnn (latent network)", () => {
  it("applies the network per sample with the weights as one flat latent", () => {
    const full = exampleData("bnn");
    const N = 20;
    const data = { N, x: (full.x as number[][]).slice(0, N), y: (full.y as number[]).slice(0, N), noise_sd: full.noise_sd };
    const H = 4;
    const b = buildExample("bnn", data, { args: { hidden: H } });
    const nW = 1 * H + H + H * 1 + 1;
    expect(b.lj.latents.map((l) => [l.name, l.shape, l.unconstrainedSize])).toEqual([["f", [nW], nW]]);
    const x = dataOf(b.data, "x");
    const y = dataOf(b.data, "y");
    const sd = dataOf(b.data, "noise_sd")[0]!;
    const f = (w: number[]) => {
      const W0 = w.slice(0, H);
      const b0 = w.slice(H, 2 * H);
      const W1 = w.slice(2 * H, 3 * H);
      const b1 = w.slice(3 * H, 3 * H + 1);
      let lp = sum(w.map((wi) => ref.normal(wi, 0, 1)));
      for (let n = 0; n < N; n++) {
        const h = dense([x[n]!], W0, b0, Math.tanh);
        const out = dense(h, W1, b1, (v) => v)[0]!;
        lp += ref.normal(y[n]!, out, sd);
      }
      return lp;
    };
    const r = lcg(9);
    const draws = [0, 1, 2].map(() => Array.from({ length: nW }, () => r() * 2 - 1));
    const v = new Map([["f", tf.tensor2d(draws)]]);
    const got = logJointAt(b.lj, v);
    draws.forEach((d, s) => expectClose(got[s]!, f(d)));
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(b.lj.logJoint(new Map([["f", w]]))))(v.get("f")!));
    const gs = Array.from(g.dataSync());
    g.dispose();
    draws.forEach((d, s) => {
      const want = numericGrad(f, d);
      gs.slice(s * nW, (s + 1) * nW).forEach((gi, i) => expectClose(gi, want[i]!, 1e-3, 5e-3));
    });
    disposeAll(v);
    b.lj.dispose();
  });
});

function binaryData(n: number, d: number, seed: number): number[][] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => (r() < 0.4 ? 1 : 0)));
}

/** Gives every variable of the log joint seeded values (biases too, so they are tested). */
function randomiseParams(params: ReadonlyMap<string, tf.Variable>, seed: number): Map<string, number[]> {
  const r = lcg(seed);
  const out = new Map<string, number[]>();
  for (const [name, v] of params) {
    const vals = Array.from({ length: v.size }, () => r() - 0.5);
    v.assign(tf.tensor(vals, v.shape));
    out.set(name, vals);
  }
  return out;
}

describe("vae and cvae (param networks)", () => {
  it("vae: decoder(z) with the guide's z given matches the reference", () => {
    const N = 3;
    const D = 4;
    const L = 2;
    const H = 3;
    const x = binaryData(N, D, 1);
    const b = buildExample("vae", { N, D, x }, { args: { latent_dim: L, hidden: H } });
    expect([...b.lj.params.keys()]).toEqual(["decoder.W0", "decoder.b0", "decoder.W1", "decoder.b1", "enc_loc.W0", "enc_loc.b0", "enc_loc.W1", "enc_loc.b1", "enc_scale.W0", "enc_scale.b0", "enc_scale.W1", "enc_scale.b1"]);
    const p = randomiseParams(b.lj.params, 4);
    const f = (z: number[]) => {
      let lp = sum(z.map((zi) => ref.normal(zi, 0, 1)));
      for (let n = 0; n < N; n++) {
        const h = dense(z.slice(n * L, n * L + L), p.get("decoder.W0")!, p.get("decoder.b0")!, relu);
        const probs = dense(h, p.get("decoder.W1")!, p.get("decoder.b1")!, sigmoid);
        lp += sum(probs.map((q, d) => ref.bernoulli(x[n]![d]!, q)));
      }
      return lp;
    };
    const r = lcg(2);
    const draws = [0, 1].map(() => Array.from({ length: N * L }, () => r() * 2 - 1));
    const v = new Map([["z", tf.tensor3d(draws.flat(), [2, N, L])]]);
    const got = logJointAt(b.lj, v);
    draws.forEach((d, s) => expectClose(got[s]!, f(d), 1e-5, 1e-4));
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(b.lj.logJoint(new Map([["z", z]]))))(v.get("z")!));
    const gs = Array.from(g.dataSync());
    g.dispose();
    draws.forEach((d, s) => numericGrad(f, d).forEach((w, i) => expectClose(gs[s * N * L + i]!, w, 1e-3, 1e-3)));
    // The decoder's variables get gradients too.
    const { grads } = tf.variableGrads(() => tf.sum(b.lj.logJoint(v)) as tf.Scalar, [b.lj.params.get("decoder.W0")!]);
    expect(Number.isFinite(grads["decoder.W0"]!.sum().dataSync()[0]!)).toBe(true);
    tf.dispose(grads);
    disposeAll(v);
    b.lj.dispose();
  });

  it("cvae: decoder(concat(z, one_hot(label))) matches the reference", () => {
    const N = 3;
    const D = 4;
    const L = 2;
    const H = 3;
    const C = 3;
    const x = binaryData(N, D, 3);
    const label = [2, 0, 1];
    const b = buildExample("cvae", { N, D, x, label }, { args: { latent_dim: L, hidden: H, classes: C } });
    const p = randomiseParams(b.lj.params, 8);
    const f = (z: number[]) => {
      let lp = sum(z.map((zi) => ref.normal(zi, 0, 1)));
      for (let n = 0; n < N; n++) {
        const input = [...z.slice(n * L, n * L + L), ...Array.from({ length: C }, (_, k) => (k === label[n] ? 1 : 0))];
        const h = dense(input, p.get("decoder.W0")!, p.get("decoder.b0")!, relu);
        const probs = dense(h, p.get("decoder.W1")!, p.get("decoder.b1")!, sigmoid);
        lp += sum(probs.map((q, d) => ref.bernoulli(x[n]![d]!, q)));
      }
      return lp;
    };
    const r = lcg(6);
    const draws = [0, 1].map(() => Array.from({ length: N * L }, () => r() * 2 - 1));
    const v = new Map([["z", tf.tensor3d(draws.flat(), [2, N, L])]]);
    const got = logJointAt(b.lj, v);
    draws.forEach((d, s) => expectClose(got[s]!, f(d), 1e-5, 1e-4));
    disposeAll(v);
    b.lj.dispose();
  });
});

describe("loops", () => {
  const looped = (body: string) => `
model Looped {
  data J: int<lower=1>
  data y: real[J]
  data sigma: real<lower=0>[J]
  latent mu: real
  latent tau: real<lower=0>
  latent eta: real[J]
  let theta: real[J]
  mu ~ Normal(0, 5)
  tau ~ HalfCauchy(0, 5)
  for j in 0..J {
${body}
  }
}`;
  const vectorisable = looped(`    eta[j] ~ Normal(0, 1)
    theta[j] = mu + tau * eta[j]
    y[j] ~ Normal(theta[j], sigma[j])`);
  // The slice bound moves with j: this loop runs iteration by iteration (sum over an empty or
  // growing prefix, times 0, keeps the density the same).
  const iterated = looped(`    eta[j] ~ Normal(0, 1)
    theta[j] = mu + tau * eta[j] + 0 * sum(eta[0:j])
    y[j] ~ Normal(theta[j], sigma[j])`);

  for (const [name, text] of [
    ["vectorised", vectorisable],
    ["iterated", iterated],
  ] as const) {
    it(`a ${name} for loop gives eight_schools' log joint, gradients and theta`, () => {
      const data = exampleData("eight_schools");
      const es = buildExample("eight_schools");
      const b = buildFrom(text, data);
      const r = lcg(21);
      const S = 3;
      const draws = Array.from({ length: S }, () => [r() * 2, 0.5 + r() * 3, ...Array.from({ length: 8 }, () => r() * 2 - 1)]);
      const v = new Map<string, tf.Tensor>([
        ["mu", tf.tensor1d(draws.map((d) => d[0]!))],
        ["tau", tf.tensor1d(draws.map((d) => d[1]!))],
        ["eta", tf.tensor2d(draws.map((d) => d.slice(2)))],
      ]);
      const want = logJointAt(es.lj, v);
      logJointAt(b.lj, v).forEach((g, s) => expectClose(g, want[s]!, 1e-6, 1e-4));
      const grad = (lj: typeof b.lj) =>
        tf.tidy(() => Array.from(tf.grad((eta: tf.Tensor) => tf.sum(lj.logJoint(new Map([...v, ["eta", eta]]))))(v.get("eta")!).dataSync()));
      const ga = grad(b.lj);
      grad(es.lj).forEach((g, i) => expectClose(ga[i]!, g, 1e-5, 1e-4));
      const theta = b.lj.deterministics(v).get("theta")!;
      const thetaEs = es.lj.deterministics(v).get("theta")!;
      expect(theta.shape).toEqual([S, 8]);
      Array.from(thetaEs.dataSync()).forEach((t, i) => expectClose(theta.dataSync()[i]!, t, 1e-6, 1e-5));
      tf.dispose([theta, thetaEs]);
      disposeAll(v);
      b.lj.dispose();
      es.lj.dispose();
    });
  }

  it("nested loops over a matrix, a gather with a sample axis on both sides, and constant-index assignments", () => {
    const text = `
model Nested {
  data N: int<lower=1>
  data K: int<lower=1>
  data Y: real[N, K]
  data g: int<lower=0, upper=1>[N]
  latent a: real[2, K]
  latent s: real<lower=0>
  let off: real[2]
  off[0] = 1.0
  off[1] = -1.0
  a ~ Normal(0, 1)
  s ~ Gamma(2, 2)
  for i in 0..N {
    for k in 0..K {
      Y[i, k] ~ Normal(a[g[i], k] + off[g[i]], s)
    }
  }
}`;
    const N = 4;
    const K = 3;
    const r = lcg(31);
    const Y = Array.from({ length: N }, () => Array.from({ length: K }, () => r() * 2 - 1));
    const g = [0, 1, 1, 0];
    const b = buildFrom(text, { N, K, Y, g });
    const draws = [0, 1].map(() => [...Array.from({ length: 2 * K }, () => r() - 0.5), 0.5 + r()]);
    const f = (d: number[]) => {
      const a = d.slice(0, 2 * K);
      const sd = d[2 * K]!;
      const off = [1, -1];
      let lp = sum(a.map((x) => ref.normal(x, 0, 1))) + ref.gamma(sd, 2, 2);
      for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) lp += ref.normal(Y[i]![k]!, a[g[i]! * K + k]! + off[g[i]!]!, sd);
      return lp;
    };
    const v = new Map<string, tf.Tensor>([
      ["a", tf.tensor3d(draws.map((d) => d.slice(0, 2 * K)).flat(), [2, 2, K])],
      ["s", tf.tensor1d(draws.map((d) => d[2 * K]!))],
    ]);
    logJointAt(b.lj, v).forEach((x, i) => expectClose(x, f(draws[i]!)));
    const ga = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => tf.sum(b.lj.logJoint(new Map([...v, ["a", a]]))))(v.get("a")!).dataSync()));
    draws.forEach((d, s) => numericGrad(f, d).slice(0, 2 * K).forEach((w, i) => expectClose(ga[s * 2 * K + i]!, w, 1e-3, 1e-3)));
    disposeAll(v);
    b.lj.dispose();
  });

  it("a potential factor(e) is added, summed over its axes", () => {
    const text = `
model Pot {
  data N: int<lower=1>
  data y: real[N]
  latent w: real[N]
  w ~ Normal(0, 1)
  factor(-0.5 * sum(square(w - y)))
  for i in 0..N {
    factor(w[i] * y[i])
  }
}`;
    const y = [0.5, -1, 2];
    const b = buildFrom(text, { N: 3, y });
    const w = [0.1, 0.2, -0.3];
    const v = valuesOf({ w: { data: w, shape: [3] } }, 2);
    const want = sum(w.map((wi) => ref.normal(wi, 0, 1))) - 0.5 * sum(w.map((wi, i) => (wi - y[i]!) ** 2)) + sum(w.map((wi, i) => wi * y[i]!));
    logJointAt(b.lj, v).forEach((g) => expectClose(g, want, 1e-6, 1e-5));
    expect(b.lj.terms.length).toBe(3);
    disposeAll(v);
    b.lj.dispose();
  });
});

describe("minibatching", () => {
  it("linreg: the average over disjoint minibatches covering N is the full log joint", () => {
    const full = buildExample("linreg");
    const N = full.data.sizes.get("N")!;
    const D = full.data.sizes.get("D")!;
    const r = lcg(13);
    const v = new Map<string, tf.Tensor>([
      ["w", tf.tensor2d([0, 1].map(() => Array.from({ length: D }, () => r() - 0.5)))],
      ["b", tf.tensor1d([0.3, -0.2])],
    ]);
    const want = logJointAt(full.lj, v);
    const batches = 4;
    const B = N / batches;
    const perm = Array.from({ length: N }, (_, i) => i).sort(() => r() - 0.5);
    const acc = [0, 0];
    for (let k = 0; k < batches; k++) {
      const indices = Int32Array.from(perm.slice(k * B, (k + 1) * B));
      const mb = buildExample("linreg", undefined, { build: { minibatch: { plate: "N", indices } } });
      logJointAt(mb.lj, v).forEach((x, s) => (acc[s]! += x / batches));
      mb.lj.dispose();
    }
    acc.forEach((a, s) => expectClose(a, want[s]!, 1e-5));
    disposeAll(v);
    full.lj.dispose();
  });

  it("gmm: local latents z are the batch's; setMinibatch re-slices without rebuilding", () => {
    const full = buildExample("gmm");
    const x = dataOf(full.data, "x");
    const N = x.length;
    const r = lcg(17);
    const z = x.map(() => Math.floor(r() * 3));
    const global = {
      weights: tf.tensor2d([[0.2, 0.3, 0.5]]),
      mu: tf.tensor2d([[-3, 0, 3]]),
      sigma: tf.tensor2d([[1, 1.5, 0.8]]),
    };
    const v = new Map<string, tf.Tensor>([...Object.entries(global), ["z", tf.tensor2d([z], [1, N], "int32")]]);
    const want = logJointAt(full.lj, v)[0]!;
    const mb = buildExample("gmm");
    const batches = 5;
    const B = N / batches;
    let acc = 0;
    for (let k = 0; k < batches; k++) {
      const idx = Array.from({ length: B }, (_, i) => k * B + i);
      mb.lj.setMinibatch({ plate: "N", indices: Int32Array.from(idx) });
      const zb = tf.tensor2d([idx.map((i) => z[i]!)], [1, B], "int32");
      const vb = new Map<string, tf.Tensor>([...Object.entries(global), ["z", zb]]);
      acc += logJointAt(mb.lj, vb)[0]! / batches;
      zb.dispose();
    }
    expectClose(acc, want, 1e-5);
    mb.lj.setMinibatch(null);
    expectClose(logJointAt(mb.lj, v)[0]!, want, 1e-6);
    disposeAll(v);
    full.lj.dispose();
    mb.lj.dispose();
  });
});

describe("every example evaluates", () => {
  for (const name of ["coin", "normal_gamma", "linreg", "logreg", "eight_schools", "gmm", "bnn"]) {
    it(name, () => {
      const b = buildFrom(exampleText(name), exampleData(name));
      expect(b.lj.latents.length).toBeGreaterThan(0);
      b.lj.dispose();
    });
  }
});
