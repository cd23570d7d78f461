/**
 * The score-function estimator is unbiased: on a small model whose discrete latents can be
 * enumerated (3 Bernoulli elements and a 3-way categorical: 24 configurations), the exact ELBO
 * gradient in the variational logits is a finite sum, and the mean of many estimates matches it
 * within 4 standard errors, for random logits (fast-check), with and without control variates and
 * Rao-Blackwellisation. Also: per-element log-joint terms sum to the whole terms, and the
 * estimator's tensors do not leak.
 */
import * as fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, Rng } from "../../stdlib/index.js";
import { blanketUses, probeSupport, scorePass, type BbviConfig } from "../../inference/bbvi/index.js";
import { defaultLatentValues } from "../../compiler/index.js";
import { DISCRETE_FAMILIES, type DiscreteFactor } from "../../inference/guide/index.js";
import { LatentTransform } from "../../inference/transform.js";
import { DEFAULT_OPTIONS, validateOptions } from "../../inference/options.js";
import type { ControlVariate } from "../../inference/elbo-score.js";
import { buildFrom, buildExample } from "../compiler/logjoint-helpers.js";
import { DATA, TINY } from "./bbvi-models.js";


beforeAll(async () => {
  await initBackend();
});

function factorsFor(built: ReturnType<typeof buildFrom>, logits: { c: number[]; z: number[] }): DiscreteFactor[] {
  const [cat, bern] = [DISCRETE_FAMILIES.find((f) => f.name === "categorical")!, DISCRETE_FAMILIES.find((f) => f.name === "bernoulli")!];
  const c = built.lj.latents.find((l) => l.name === "c")!;
  const z = built.lj.latents.find((l) => l.name === "z")!;
  return [
    cat.fromState(c, { latent: "c", family: "categorical", lower: [0], counts: [3], params: logits.c }),
    bern.fromState(z, { latent: "z", family: "bernoulli", lower: [0, 0, 0], params: logits.z }),
  ];
}

/** The exact gradient of the ELBO in [c's 3 logits, z's 3 logits], by enumerating all 24 configurations. */
function exactGradient(built: ReturnType<typeof buildFrom>, logits: { c: number[]; z: number[] }): number[] {
  const cs: number[] = [];
  const zs: number[] = [];
  for (let c = 0; c < 3; c++) for (let m = 0; m < 8; m++) {
    cs.push(c);
    zs.push(m & 1, (m >> 1) & 1, (m >> 2) & 1);
  }
  const values = new Map([
    ["c", tf.tensor(cs, [24], "float32")],
    ["z", tf.tensor(zs, [24, 3], "float32")],
  ]);
  const lpT = built.lj.logJoint(values);
  const lp = Array.from(lpT.dataSync());
  lpT.dispose();
  for (const t of values.values()) t.dispose();
  const mx = Math.max(...logits.c);
  const zc = logits.c.reduce((a, l) => a + Math.exp(l - mx), 0);
  const pc = logits.c.map((l) => Math.exp(l - mx) / zc);
  const pz = logits.z.map((l) => 1 / (1 + Math.exp(-l)));
  const g = new Array(6).fill(0);
  for (let i = 0; i < 24; i++) {
    const c = cs[i]!;
    const z = zs.slice(3 * i, 3 * i + 3);
    let logq = Math.log(pc[c]!);
    let q = pc[c]!;
    z.forEach((b, j) => {
      const p = b ? pz[j]! : 1 - pz[j]!;
      logq += Math.log(p);
      q *= p;
    });
    const f = lp[i]! - logq;
    for (let k = 0; k < 3; k++) g[k] += q * ((c === k ? 1 : 0) - pc[k]!) * f;
    for (let j = 0; j < 3; j++) g[3 + j] += q * (z[j]! - pz[j]!) * f;
  }
  return g;
}

function options(cv: ControlVariate, raoBlackwell: boolean) {
  return validateOptions({ method: "bbvi", controlVariate: cv, raoBlackwell }).value!;
}

/** Mean and standard error of M independent estimates of the 6 logit gradients, S draws each. */
function estimates(built: ReturnType<typeof buildFrom>, factors: DiscreteFactor[], cv: ControlVariate, raoBlackwell: boolean, m: number, s: number, seed: number) {
  const o = options(cv, raoBlackwell);
  const cfg: BbviConfig = { options: o, logJoint: built.lj, graph: built.graph, transform: new LatentTransform(built.lj.latents, 0) };
  const st = { guide: null, factors, uses: blanketUses(built.lj, built.graph, factors.map((f) => f.latent), raoBlackwell), baselines: new Map<string, tf.Tensor>() };
  if (cv === "decaying") st.baselines.set("z", tf.tensor([-3, -2, -2.5])); // any fixed baseline is unbiased
  if (cv === "decaying") st.baselines.set("c", tf.tensor([-7]));
  const rng = new Rng(seed);
  const sum = new Array(6).fill(0);
  const sum2 = new Array(6).fill(0);
  for (let i = 0; i < m; i++) {
    const discrete = new Map(factors.map((f) => [f.latent.name, f.sample(s, rng)] as const));
    const sp = scorePass(cfg, st, { noise: null, discrete }, cv);
    const g = [...Array.from(sp.grads.get("c")!.dataSync()), ...Array.from(sp.grads.get("z")!.dataSync())];
    g.forEach((x, k) => {
      sum[k] += x;
      sum2[k] += x * x;
    });
    sp.elbo.dispose();
    for (const mp of [sp.grads, sp.variances, sp.signals]) for (const t of mp.values()) t.dispose();
    for (const t of discrete.values()) t.dispose();
  }
  for (const t of st.baselines.values()) t.dispose();
  const mean = sum.map((x) => x / m);
  const se = sum2.map((x, k) => Math.sqrt(Math.max(0, x / m - mean[k]! ** 2) / (m - 1)));
  return { mean, se };
}

describe("score-function gradients", () => {
  const built = buildFrom(TINY, DATA);

  it("per-element terms sum to the whole terms", () => {
    const values = new Map([
      ["c", tf.tensor([0, 2], [2], "float32")],
      ["z", tf.tensor([1, 0, 1, 0, 1, 1], [2, 3], "float32")],
    ]);
    const whole = built.lj.logJointTerms(values);
    const byElement = built.lj.logJointTermsByElement!(values);
    expect(byElement.map((e) => e.axes.map((a) => a.plate))).toEqual([[], ["N"], ["N"]]);
    byElement.forEach((e, i) => {
      const s = e.axes.length === 0 ? e.t : tf.sum(e.t, 1);
      const a = s.dataSync();
      const b = whole[i]!.dataSync();
      a.forEach((x, k) => expect(x).toBeCloseTo(b[k]!, 4));
    });
    for (const t of [...whole, ...byElement.map((e) => e.t), ...values.values()]) t.dispose();
  });

  it("Rao-Blackwellises each z[i] over its blanket: prior z[i] and y[i] per element, c whole", () => {
    const uses = blanketUses(built.lj, built.graph, built.lj.latents.filter((l) => l.discrete), true);
    expect(uses.get("z")).toEqual(["none", "target", "element"]);
    expect(uses.get("c")).toEqual(["target", "none", "whole"]);
    expect(blanketUses(built.lj, built.graph, built.lj.latents.filter((l) => l.discrete), false).get("z")).toEqual(["whole", "whole", "whole"]);
  });

  for (const [cv, rb] of [["optimal", true], ["none", true], ["none", false], ["decaying", true]] as const) {
    it(`is unbiased (control variate ${cv}, Rao-Blackwellisation ${rb ? "on" : "off"})`, () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 1e6 }), (raw, seed) => {
          const logits = { c: raw.slice(0, 3), z: raw.slice(3) };
          const factors = factorsFor(built, logits);
          try {
            const exact = exactGradient(built, logits);
            const { mean, se } = estimates(built, factors, cv, rb, 150, 4, seed);
            exact.forEach((g, k) => expect(Math.abs(mean[k]! - g)).toBeLessThan(4 * se[k]! + 1e-4));
          } finally {
            for (const f of factors) f.dispose();
          }
        }),
        { numRuns: 3, seed: 6 },
      );
    });
  }

  it("control variates with Rao-Blackwellisation cut the variance several-fold on this model", () => {
    const logits = { c: [0.3, -0.2, 0.1], z: [0.5, -1, 0.2] };
    const factors = factorsFor(built, logits);
    const plain = estimates(built, factors, "none", false, 150, 4, 11);
    const best = estimates(built, factors, "optimal", true, 150, 4, 11);
    const v = (x: { se: number[] }) => x.se.reduce((a, b) => a + b * b, 0);
    expect(v(plain) / v(best)).toBeGreaterThan(3);
    for (const f of factors) f.dispose();
  });

  it("keeps the tensor count steady across score passes", () => {
    const factors = factorsFor(built, { c: [0, 0, 0], z: [0, 0, 0] });
    estimates(built, factors, "optimal", true, 2, 4, 1);
    const before = tf.memory().numTensors;
    estimates(built, factors, "optimal", true, 5, 4, 2);
    expect(tf.memory().numTensors).toBe(before);
    for (const f of factors) f.dispose();
  });

  it("defaults: optimal control variates with Rao-Blackwellisation", () => {
    expect(DEFAULT_OPTIONS.controlVariate).toBe("optimal");
    expect(DEFAULT_OPTIONS.raoBlackwell).toBe(true);
  });

  it("finds a categorical's support from its prior when the declaration leaves it open (gmm: z in 0..K-1)", () => {
    const b = buildExample("gmm");
    const z = b.lj.latents.find((l) => l.name === "z")!;
    expect(z.constraint).toEqual({ kind: "integer", lower: 0, upper: null });
    const start = defaultLatentValues(b.lj.latents, 1);
    const s = probeSupport(b.lj, b.graph, z, start);
    for (const t of start.values()) t.dispose();
    if (typeof s === "string") throw new Error(s);
    expect(new Set(s.lower)).toEqual(new Set([0]));
    expect(new Set(s.upper)).toEqual(new Set([2]));
    // Categorical(weights) at the uniform start: log(1/3) for each of the three values.
    s.priorLogProbs![0]!.forEach((x) => expect(x).toBeCloseTo(Math.log(1 / 3), 4));
    b.lj.dispose();
  });
});
