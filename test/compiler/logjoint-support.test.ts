/**
 * Observed data checked once against a fixed support (compiler/logjoint/support-checks.ts): the
 * trusted path gives the same log joint and gradients as the per-evaluation checks; data outside
 * the support is one build diagnostic at its `~` line; supports that depend on the arguments keep
 * their checks; no tensors leak, and the data-shaped mask kernels are gone.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildLogJoint, checkData, compileSource, defaultLatentValues, lower } from "../../compiler/index.js";
import { Distribution, initBackend } from "../../stdlib/index.js";
import { buildExample, buildFrom, disposeAll, lcg } from "./logjoint-helpers.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const COUNTS = `model Counts {
  data N: int<lower=1>
  data y: int[N]
  latent lam: real<lower=0>
  lam ~ Gamma(2, 1)
  y ~ Poisson(lam)
}`;

const WAITS = `model Waits {
  data N: int<lower=1>
  data x: real[N]
  latent a: real<lower=0>
  latent r: real<lower=0>
  a ~ Gamma(2, 1)
  r ~ Gamma(2, 1)
  x ~ Gamma(a, r)
  x ~ Exponential(r)
}`;

const BINOMIAL = `model Trials {
  data N: int<lower=1>
  data n: int<lower=0>[N]
  data y: int[N]
  latent p: real<lower=0, upper=1>
  p ~ Beta(1, 1)
  y ~ Binomial(n, p)
}`;

/** The build's diagnostics for a model and data (the log joint disposed when it builds). */
function buildDiagnostics(text: string, data: Record<string, unknown>) {
  const typed = compileSource({ name: "model.ppl", text }).value!.typed;
  const bound = checkData(typed, data).value!;
  const r = buildLogJoint(lower(typed, bound.sizes).value!, typed, bound);
  r.value?.dispose();
  return r.diagnostics;
}

/** Latent values: S random draws at each latent's default point plus noise on real ones (positive where constrained). */
function randomValues(lj: { latents: readonly { name: string; shape: readonly number[]; constraint: { kind: string } }[] }, s: number, seed: number): Map<string, tf.Tensor> {
  const r = lcg(seed);
  const out = new Map<string, tf.Tensor>();
  for (const l of lj.latents) {
    const n = s * l.shape.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, () => r());
    const kind = l.constraint.kind;
    const mapped = kind === "real" ? v.map((u) => 2 * u - 1) : kind === "positive" ? v.map((u) => 0.2 + 3 * u) : v.map((u) => 0.05 + 0.9 * u);
    out.set(l.name, tf.tensor(mapped, [s, ...l.shape]));
  }
  return out;
}

/** logJoint and its gradient w.r.t. every latent, as plain arrays. */
function evaluate(lj: { logJoint(v: ReadonlyMap<string, tf.Tensor>): tf.Tensor }, values: Map<string, tf.Tensor>): number[][] {
  const names = [...values.keys()];
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(lj.logJoint(new Map(names.map((n, i) => [n, xs[i]!])))))(names.map((n) => values.get(n)!)),
  );
  const out = [Array.from(value.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
  tf.dispose([value, ...grads]);
  return out;
}

describe("trusted observed data", () => {
  const cases: [string, () => { text?: string; example?: string; data?: Record<string, unknown> }][] = [
    ["coin (Bernoulli)", () => ({ example: "coin" })],
    ["logreg (BernoulliLogit)", () => ({ example: "logreg" })],
    ["counts (Poisson)", () => ({ text: COUNTS, data: { N: 5, y: [0, 3, 1, 7, 2] } })],
    ["waits (Gamma, Exponential at 0)", () => ({ text: WAITS, data: { N: 4, x: [0.5, 2, 1.25, 3] } })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: the same log joint and gradients as the checked path, bit for bit`, () => {
      const c = make();
      const build = (trust: boolean) => (c.example ? buildExample(c.example, undefined, { build: { trustCheckedData: trust } }) : buildFrom(c.text!, c.data!, { build: { trustCheckedData: trust } }));
      const checked = build(false);
      const trusted = build(true);
      for (const seed of [1, 2, 3]) {
        const v = randomValues(checked.lj, 4, seed);
        expect(evaluate(trusted.lj, v)).toEqual(evaluate(checked.lj, v));
        const terms = (lj: typeof checked.lj) => lj.logJointTerms(v).map((t) => Array.from(t.dataSync()));
        expect(terms(trusted.lj)).toEqual(terms(checked.lj));
        disposeAll(v);
      }
      checked.lj.dispose();
      trusted.lj.dispose();
    });
  }

  it("checks each factor's data once, at build, and not on later evaluations", () => {
    const spy = vi.spyOn(Distribution.prototype, "supportMask");
    const b = buildExample("coin");
    expect(spy).toHaveBeenCalledTimes(1);
    const v = randomValues(b.lj, 8, 4);
    for (let i = 0; i < 5; i++) evaluate(b.lj, v);
    expect(spy).toHaveBeenCalledTimes(1);
    disposeAll(v);
    b.lj.dispose();
  });

  it("runs no support-mask kernels at the data's shape, and keeps the tensor count steady", async () => {
    const b = buildExample("coin");
    const n = (b.data.variables.get("y")!.values as ArrayLike<number>).length;
    const v = randomValues(b.lj, 8, 5);
    evaluate(b.lj, v);
    const before = tf.memory().numTensors;
    const prof = await tf.profile(() => {
      evaluate(b.lj, v);
    });
    for (let i = 0; i < 3; i++) evaluate(b.lj, v);
    expect(tf.memory().numTensors).toBe(before);
    const dataShaped = prof.kernels.filter((k) => ["Floor", "Equal", "GreaterEqual", "LessEqual", "LogicalAnd", "Select"].includes(k.name) && k.inputShapes.some((s) => s?.length === 1 && s[0] === n));
    expect(dataShaped.map((k) => k.name)).toEqual([]);
    // The checked path runs them (the test would be vacuous otherwise).
    const c = buildExample("coin", undefined, { build: { trustCheckedData: false } });
    const profC = await tf.profile(() => {
      evaluate(c.lj, v);
    });
    expect(profC.kernels.filter((k) => k.name === "Select" && k.inputShapes.some((s) => s?.length === 1 && s[0] === n)).length).toBe(1);
    disposeAll(v);
    b.lj.dispose();
    c.lj.dispose();
  });

  it("computes terms of the data alone (lgamma(y + 1), log x, 1 - y) once: no kernel of a later evaluation works on the data alone", async () => {
    const models: [string, { text?: string; example?: string; data?: Record<string, unknown> }, number][] = [
      ["coin", { example: "coin" }, 1000],
      ["counts", { text: COUNTS, data: { N: 5, y: [0, 3, 1, 7, 2] } }, 5],
      ["waits", { text: WAITS, data: { N: 4, x: [0.5, 2, 1.25, 3] } }, 4],
    ];
    for (const [name, c, n] of models) {
      const dataOnly = async (trust: boolean) => {
        const b = c.example ? buildExample(c.example, undefined, { build: { trustCheckedData: trust } }) : buildFrom(c.text!, c.data!, { build: { trustCheckedData: trust } });
        const v = randomValues(b.lj, 3, 7);
        evaluate(b.lj, v);
        const before = tf.memory().numTensors;
        const prof = await tf.profile(() => {
          evaluate(b.lj, v);
        });
        expect(tf.memory().numTensors, name).toBe(before);
        disposeAll(v);
        b.lj.dispose();
        // Kernels whose inputs are all the data's shape [N] or scalars; not the tape's Identity
        // clones, nor the Cast (a float32 copy) tfjs's Mul gradient makes of the other operand.
        return prof.kernels.filter((k) => k.name !== "Identity" && k.name !== "Cast" && k.inputShapes.every((s) => !s || s.length === 0 || (s.length === 1 && s[0] === n)) && k.inputShapes.some((s) => s?.length === 1)).map((k) => k.name);
      };
      expect(await dataOnly(true), name).toEqual([]);
      expect((await dataOnly(false)).length, name).toBeGreaterThan(0);
    }
  });

  it("minibatches of checked data stay trusted and equal the checked path's", () => {
    const checked = buildExample("logreg", undefined, { build: { trustCheckedData: false } });
    const trusted = buildExample("logreg");
    const N = trusted.data.sizes.get("N")!;
    const v = randomValues(trusted.lj, 2, 6);
    const spy = vi.spyOn(Distribution.prototype, "supportMask");
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      const indices = Int32Array.from({ length: 10 }, (_, i) => (i * 7 + k * 3) % N);
      for (const b of [checked, trusted]) b.lj.setMinibatch({ plate: "N", indices });
      expect(evaluate(trusted.lj, v)).toEqual(evaluate(checked.lj, v));
    }
    expect(spy).not.toHaveBeenCalled();
    for (const b of [checked, trusted]) b.lj.setMinibatch(null);
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(v);
    checked.lj.dispose();
    trusted.lj.dispose();
  });
});

describe("observed data outside a fixed support", () => {
  it("is one PPL3121 error at the `~` line, naming the first element, its value and the count", () => {
    const ds = buildDiagnostics(COUNTS, { N: 4, y: [1, -2, 3, -1] });
    expect(ds.map((d) => [d.code, d.severity, d.span?.line])).toEqual([["PPL3121", "error", 6]]);
    expect(ds[0]!.message).toBe("observed y[1] = -2 is outside the support of Poisson (and 1 more of 4), so this term is -Infinity for every value of the parameters");
    expect(ds[0]!.hint).toContain("a non-negative integer");
  });

  it("reports each offending factor, and not a value its own density accepts (Exponential at 0)", () => {
    const ds = buildDiagnostics(WAITS, { N: 3, x: [0, 1, 2] });
    expect(ds.map((d) => [d.code, d.span?.line, d.message])).toEqual([
      ["PPL3121", 8, "observed x[0] = 0 is outside the support of Gamma, so this term is -Infinity for every value of the parameters"],
    ]);
  });

  it("Bernoulli data of 2", () => {
    const text = `model B {
  data N: int<lower=1>
  data y: int[N]
  latent p: real<lower=0, upper=1>
  p ~ Beta(1, 1)
  y ~ Bernoulli(p)
}`;
    const ds = buildDiagnostics(text, { N: 3, y: [0, 2, 1] });
    expect(ds.map((d) => [d.code, d.span?.line, d.message])).toEqual([["PPL3121", 6, "observed y[1] = 2 is outside the support of Bernoulli, so this term is -Infinity for every value of the parameters"]]);
  });

  it("a support that depends on the arguments (Binomial's n) is not reported: the term is -Infinity, as before", () => {
    const b = buildFrom(BINOMIAL, { N: 2, n: [3, 4], y: [2, 5] });
    const v = defaultLatentValues(b.lj.latents, 1);
    const t = b.lj.logJoint(v);
    expect(Array.from(t.dataSync())).toEqual([-Infinity]);
    t.dispose();
    disposeAll(v);
    b.lj.dispose();
  });
});
