/**
 * The guide block at run time (compiler GuideProgram): reparameterised draws from given noise
 * against hand formulas, log q and the closed-form entropies against float64 references,
 * dependence on earlier latents, the minibatch the log joint sees, build-time diagnostics for
 * guides it cannot draw from; and the logit forms (Bernoulli of a sigmoid, Categorical of a
 * softmax) against the direct form and float64 references.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../stdlib/index.js";
import { buildFrom, disposeAll, expectClose, logJointAt, ref, sum } from "./logjoint-helpers.js";
import { buildLogJoint, checkData, compileSource, lower } from "../../compiler/index.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const read = (t: tf.Tensor): number[] => Array.from(t.dataSync());

const HIERARCHICAL = `model H {
  data N: int
  data y: real[N]
  latent mu: real
  latent sigma: real<lower=0>
  mu ~ Normal(0, 10)
  sigma ~ LogNormal(0, 1)
  y ~ Normal(mu, sigma)
  guide {
    param m: real
    param s: real<lower=0>
    param a: real
    mu ~ Normal(m, s)
    sigma ~ LogNormal(a + 0.1 * mu, 0.5)
  }
}`;

describe("guide program: draws, log q and entropies", () => {
  it("draws from noise by the reparameterisation, with log q and -entropy matching float64 references", () => {
    const b = buildFrom(HIERARCHICAL, { N: 3, y: [0.5, 1.5, 1.0] });
    const g = b.lj.guide!;
    expect(g).toBeTruthy();
    expect(g.latents).toEqual(["mu", "sigma"]);
    expect([...g.params.keys()]).toEqual(["m", "s", "a"]);
    expect(g.analyticEntropy).toBe(true);
    expect(g.noiseSize()).toBe(2);
    // Params at their declared starts: m = 0, s = exp(0) = 1, a = 0; then moved.
    tf.tidy(() => {
      g.params.get("m")!.assign(tf.tensor(0.4));
      g.params.get("s")!.assign(tf.tensor(Math.log(0.7)));
      g.params.get("a")!.assign(tf.tensor(-0.2));
    });
    const eps = [
      [0.3, -1.2],
      [1.0, 0.5],
      [-2.0, 2.5],
    ];
    const noise = tf.tensor2d(eps);
    const d = g.draw(noise, "logq");
    const mu = read(d.values.get("mu")!);
    const sigma = read(d.values.get("sigma")!);
    const logq = read(d.score);
    eps.forEach(([e0, e1], i) => {
      const m = 0.4 + 0.7 * e0!;
      const ls = -0.2 + 0.1 * m + 0.5 * e1!;
      expectClose(mu[i]!, m, 1e-6, 1e-6);
      expectClose(sigma[i]!, Math.exp(ls), 1e-5, 1e-6);
      expectClose(logq[i]!, ref.normal(m, 0.4, 0.7) + ref.logNormal(Math.exp(ls), -0.2 + 0.1 * m, 0.5), 1e-5, 1e-5);
    });
    // logProb of given values is the same log q.
    const lp = g.logProb(d.values);
    read(lp).forEach((v, i) => expectClose(v, logq[i]!, 1e-5, 1e-5));
    // "entropy": minus the closed-form entropies, the LogNormal's given the draw of mu.
    const e = g.draw(noise, "entropy");
    read(e.score).forEach((v, i) => {
      const m = 0.4 + 0.7 * eps[i]![0]!;
      const hNormal = Math.log(0.7) + 0.5 + HALF_LOG_2PI;
      const hLogNormal = -0.2 + 0.1 * m + Math.log(0.5) + 0.5 + HALF_LOG_2PI;
      expectClose(v, -(hNormal + hLogNormal), 1e-5, 1e-5);
    });
    disposeAll(d.values);
    disposeAll(e.values);
    tf.dispose([noise, d.score, e.score, lp]);
    b.lj.dispose();
  });

  it("draws are differentiable in the guide's params (pathwise gradients)", () => {
    const b = buildFrom(HIERARCHICAL, { N: 3, y: [0.5, 1.5, 1.0] });
    const g = b.lj.guide!;
    const noise = tf.tensor2d([[0.3, -1.2]]);
    const vars = [...g.params.values()];
    const { value, grads } = tf.variableGrads(() => {
      const d = g.draw(noise, "none");
      const out = tf.sum(tf.add(d.values.get("mu")!, d.values.get("sigma")!)) as tf.Scalar;
      return out;
    }, vars);
    // mu = m + s e0 (s = exp(u_s)), sigma = exp(a + 0.1 mu + 0.5 e1): d/dm = 1 + 0.1 sigma, d/du_s = e0 s (1 + 0.1 sigma), d/da = sigma.
    const sigma = Math.exp(0.1 * 0.3 + 0.5 * -1.2);
    expectClose(read(grads["m"]!)[0]!, 1 + 0.1 * sigma, 1e-5, 1e-6);
    expectClose(read(grads["s"]!)[0]!, 0.3 * (1 + 0.1 * sigma), 1e-5, 1e-6);
    expectClose(read(grads["a"]!)[0]!, sigma, 1e-5, 1e-6);
    tf.dispose([noise, value, ...Object.values(grads)]);
    b.lj.dispose();
  });

  it("an amortised guide sees the log joint's minibatch: the batch's data, N/B scaling, batch-sized draws", () => {
    const text = `model A {
  data N: int
  data x: real[N]
  latent z: real[N]
  z ~ Normal(0, 1)
  x ~ Normal(z, 1)
  guide {
    param a: real
    param s: real<lower=0>
    z ~ Normal(a * x, s)
  }
}`;
    const x = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75];
    const b = buildFrom(text, { N: 6, x });
    const g = b.lj.guide!;
    tf.tidy(() => {
      g.params.get("a")!.assign(tf.tensor(0.5));
      g.params.get("s")!.assign(tf.tensor(Math.log(0.8)));
    });
    const eps = [0.1, -0.4, 1.3, 0.7, -1.1, 0.2];
    // Full data: z_n = 0.5 x_n + 0.8 eps_n; log q summed over N.
    const full = g.draw(tf.tensor2d([eps]), "logq");
    expect(full.values.get("z")!.shape).toEqual([1, 6]);
    const fullQ = read(full.score)[0]!;
    expectClose(fullQ, sum(eps.map((e, n) => ref.normal(0.5 * x[n]! + 0.8 * e, 0.5 * x[n]!, 0.8))), 1e-5, 1e-5);
    const fullElbo = read(tf.sub(b.lj.logJoint(full.values), full.score))[0]!;
    // Two disjoint batches covering N, with the same noise per datum: their mean is the full ELBO.
    let total = 0;
    for (const idx of [Int32Array.from([0, 2, 5]), Int32Array.from([1, 3, 4])]) {
      b.lj.setMinibatch({ plate: "N", indices: idx });
      expect(g.noiseSize()).toBe(3);
      const d = g.draw(tf.tensor2d([Array.from(idx, (i) => eps[i]!)]), "logq");
      expect(d.values.get("z")!.shape).toEqual([1, 3]);
      read(d.values.get("z")!).forEach((v, j) => expectClose(v, 0.5 * x[idx[j]!]! + 0.8 * eps[idx[j]!]!, 1e-6, 1e-6));
      // log q of the batch, scaled by N / B = 2.
      expectClose(read(d.score)[0]!, 2 * sum(Array.from(idx, (i) => ref.normal(0.5 * x[i]! + 0.8 * eps[i]!, 0.5 * x[i]!, 0.8))), 1e-5, 1e-5);
      total += read(tf.sub(b.lj.logJoint(d.values), d.score))[0]!;
      disposeAll(d.values);
      d.score.dispose();
    }
    b.lj.setMinibatch(null);
    expect(g.noiseSize()).toBe(6);
    expectClose(total / 2, fullElbo, 1e-5, 1e-4);
    disposeAll(full.values);
    full.score.dispose();
    b.lj.dispose();
  });

  it("no tensors leak across draws", () => {
    const b = buildFrom(HIERARCHICAL, { N: 3, y: [0.5, 1.5, 1.0] });
    const g = b.lj.guide!;
    const once = () => {
      const noise = tf.tensor2d([[0.3, -1.2]]);
      const d = g.draw(noise, "entropy");
      const lp = g.logProb(d.values, { stopGradient: true });
      tf.dispose([noise, d.score, lp, ...d.values.values()]);
    };
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    b.lj.dispose();
  });
});

describe("guide program: what it cannot draw is a diagnostic, and the model still builds", () => {
  const build = (text: string, data: Record<string, unknown>) => {
    const c = compileSource({ name: "m.ppl", text });
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const typed = c.value!.typed;
    const bound = checkData(typed, data).value!;
    const r = buildLogJoint(lower(typed, bound.sizes).value!, typed, bound);
    expect(r.diagnostics).toEqual([]);
    return r.value!;
  };

  it("a guide distribution without a reparameterised sampler (Beta) is PPL3120 at its line", () => {
    const lj = build(
      `model C {
  data N: int
  data y: int<lower=0, upper=1>[N]
  latent p: real<lower=0, upper=1>
  p ~ Beta(1, 1)
  y ~ Bernoulli(p)
  guide {
    param a: real<lower=0>
    param b: real<lower=0>
    p ~ Beta(a, b)
  }
}`,
      { N: 2, y: [1, 0] },
    );
    expect(lj.guide).toBeNull();
    expect(lj.guideProblems.map((d) => d.code)).toEqual(["PPL3120"]);
    expect(lj.guideProblems[0]!.message).toContain("Beta has no reparameterised sampler");
    expect(lj.guideProblems[0]!.span?.line).toBe(10);
    lj.dispose();
  });

  it("a latent given its guide piece by piece in a loop is PPL3120 naming the latent", () => {
    const lj = build(
      `model L {
  data N: int
  data x: real[N]
  latent z: real[N]
  z ~ Normal(0, 1)
  x ~ Normal(z, 1)
  guide {
    param s: real<lower=0>
    for i in 0..N {
      z[i] ~ Normal(x[i] / 2, s)
    }
  }
}`,
      { N: 3, x: [1, 2, 3] },
    );
    expect(lj.guide).toBeNull();
    expect(lj.guideProblems.map((d) => d.code)).toEqual(["PPL3120"]);
    expect(lj.guideProblems[0]!.message).toContain("'z'");
    lj.dispose();
  });
});

describe("logit forms", () => {
  const bern = (link: string) => `model B {
  data N: int
  data t: real[N]
  data x: int<lower=0, upper=1>[N]
  latent a: real
  a ~ Normal(0, 1)
  ${link}
}`;
  const data = { N: 4, t: [1, -1, 0.5, 2], x: [0, 1, 1, 0] };
  const exact = (a: number) => ref.normal(a, 0, 1) + sum(data.t.map((t, n) => ref.bernoulliLogit(data.x[n]!, a * t)));

  it("Bernoulli(sigmoid(e)) equals the direct form where that is finite, and stays finite where it is -Infinity", () => {
    const rewritten = buildFrom(bern("x ~ Bernoulli(sigmoid(a * t))"), data);
    const direct = buildFrom(bern("let p = sigmoid(a * t)\n  x ~ Bernoulli(p)"), data);
    const as = [-3, -0.5, 0, 0.7, 2.5, 40, -60];
    const v = new Map([["a", tf.tensor1d(as)]]);
    const got = logJointAt(rewritten.lj, v);
    const dir = logJointAt(direct.lj, v);
    as.forEach((a, s) => {
      expectClose(got[s]!, exact(a), 1e-5, 1e-4);
      if (Number.isFinite(dir[s]!)) expectClose(got[s]!, dir[s]!, 1e-5, 1e-4);
    });
    // In float32 sigmoid(40) is exactly 1, so the direct form's log(1 - p) is -Infinity.
    expect(dir[5]).toBe(-Infinity);
    expect(Number.isFinite(got[5]!)).toBe(true);
    expect(Number.isFinite(got[6]!)).toBe(true);
    disposeAll(v);
    rewritten.lj.dispose();
    direct.lj.dispose();
  });

  it("a network with out: sigmoid is read as logits (its last layer without the activation)", () => {
    const net = (use: string) => `model D {
  data N: int
  data t: real[N, 1]
  data x: int<lower=0, upper=1>[N, 1]
  param dec: MLP(1 -> 3 -> 1, hidden: relu, out: sigmoid)
  latent a: real
  a ~ Normal(0, 1)
  ${use}
}`;
    const d = { N: 3, t: [[1], [-1], [0.5]], x: [[0], [1], [1]] };
    const rewritten = buildFrom(net("x ~ Bernoulli(dec(a * t))"), d, { build: { seed: 3 } });
    const direct = buildFrom(net("let p = dec(a * t)\n  x ~ Bernoulli(p)"), d, { build: { seed: 3 } });
    // Same weights from the same seed; the reference applies them in float64.
    const W0 = read(rewritten.lj.params.get("dec.W0")!);
    const b0 = read(rewritten.lj.params.get("dec.b0")!);
    const W1 = read(rewritten.lj.params.get("dec.W1")!);
    const b1 = read(rewritten.lj.params.get("dec.b1")!)[0]!;
    expect(read(direct.lj.params.get("dec.W1")!)).toEqual(W1);
    const logit = (u: number) => b1 + sum([0, 1, 2].map((j) => Math.max(0, u * W0[j]! + b0[j]!) * W1[j]!));
    const exactNet = (a: number) => ref.normal(a, 0, 1) + sum(d.t.map((t, n) => ref.bernoulliLogit(d.x[n]![0]!, logit(a * t[0]!))));
    const as = [-1, 0.3, 2, 500, -500];
    const v = new Map([["a", tf.tensor1d(as)]]);
    const got = logJointAt(rewritten.lj, v);
    const dir = logJointAt(direct.lj, v);
    let saturated = 0;
    as.forEach((a, s) => {
      expectClose(got[s]!, exactNet(a), 1e-5, 1e-3);
      if (Number.isFinite(dir[s]!)) expectClose(got[s]!, dir[s]!, 1e-5, 1e-3);
      else saturated++;
    });
    expect(saturated).toBeGreaterThan(0);
    expect(got.every(Number.isFinite)).toBe(true);
    disposeAll(v);
    rewritten.lj.dispose();
    direct.lj.dispose();
  });

  it("Categorical(softmax(e)) is CategoricalLogit(e)", () => {
    const cat = (use: string) => `model K {
  data N: int
  data k: int<lower=0, upper=2>[N]
  latent w: real[3]
  w ~ Normal(0, 1)
  ${use}
}`;
    const d = { N: 3, k: [0, 2, 2] };
    const rewritten = buildFrom(cat("k ~ Categorical(softmax(w * 10))"), d);
    const direct = buildFrom(cat("let p = softmax(w * 10)\n  k ~ Categorical(p)"), d);
    const ws = [
      [0.1, -0.2, 0.3],
      [1, 2, -1],
      [-20, 0, 20],
    ];
    const v = new Map([["w", tf.tensor2d(ws)]]);
    const got = logJointAt(rewritten.lj, v);
    const dir = logJointAt(direct.lj, v);
    ws.forEach((w, s) => {
      const e = w.map((x) => 10 * x);
      const top = Math.max(...e);
      const lse = top + Math.log(sum(e.map((x) => Math.exp(x - top))));
      const want = sum(w.map((x) => ref.normal(x, 0, 1))) + sum(d.k.map((k) => e[k]! - lse));
      expectClose(got[s]!, want, 1e-5, 1e-3);
      if (Number.isFinite(dir[s]!)) expectClose(got[s]!, dir[s]!, 1e-5, 1e-3);
    });
    // softmax([-200, 0, 200]) has an exact 0 in float32 for class 0.
    expect(dir[2]).toBe(-Infinity);
    expect(Number.isFinite(got[2]!)).toBe(true);
    disposeAll(v);
    rewritten.lj.dispose();
    direct.lj.dispose();
  });
});
