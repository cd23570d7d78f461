/**
 * Black-box VI end to end on a model small enough to enumerate: the fitted mean-field ELBO is a
 * lower bound on the exact log evidence and gets close to the best mean-field ELBO (found here by
 * coordinate ascent over the enumerated posterior); the fit saves and loads as a "mixed"
 * approximation; bad options are diagnostics; auto picks bbvi for discrete latents.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, PplError } from "../../index.js";
import { initBackend } from "../../stdlib/index.js";

const TINY = `
model Tiny {
  data N: int<lower=1>
  data y: real[N]
  latent c: int<lower=0, upper=2>
  latent z: bool[N]
  c ~ Categorical([0.2, 0.3, 0.5])
  z ~ Bernoulli(0.4)
  y ~ Normal(z * (c + 1.0), 0.8)
}`;
const DATA = { N: 3, y: [0.3, 2.2, 1.1] };

/** log p(y, c, z) in plain JS. */
function logJoint(c: number, z: number[]): number {
  const pc = [0.2, 0.3, 0.5][c]!;
  let lp = Math.log(pc);
  z.forEach((b, i) => {
    lp += Math.log(b ? 0.4 : 0.6);
    const m = b * (c + 1);
    lp += -0.5 * ((DATA.y[i]! - m) / 0.8) ** 2 - Math.log(0.8) - 0.5 * Math.log(2 * Math.PI);
  });
  return lp;
}

/** The best mean-field ELBO q(c) prod q(z_i), by coordinate ascent on the enumerated joint. */
function meanFieldOptimum(): number {
  let qc = [1 / 3, 1 / 3, 1 / 3];
  let qz = [0.5, 0.5, 0.5];
  const configs: [number, number[]][] = [];
  for (let c = 0; c < 3; c++) for (let m = 0; m < 8; m++) configs.push([c, [m & 1, (m >> 1) & 1, (m >> 2) & 1]]);
  const q = (c: number, z: number[]) => qc[c]! * z.reduce((p, b, i) => p * (b ? qz[i]! : 1 - qz[i]!), 1);
  const elbo = () => configs.reduce((s, [c, z]) => s + q(c, z) * (logJoint(c, z) - Math.log(q(c, z))), 0);
  for (let it = 0; it < 200; it++) {
    // q(c) ∝ exp E_{q(z)}[log p]
    const lc = [0, 1, 2].map((c) => configs.filter(([cc]) => cc === c).reduce((s, [, z]) => s + (q(c, z) / qc[c]!) * logJoint(c, z), 0));
    const mx = Math.max(...lc);
    const w = lc.map((x) => Math.exp(x - mx));
    qc = w.map((x) => x / w.reduce((a, b) => a + b, 0));
    for (let i = 0; i < 3; i++) {
      const e = [0, 1].map((b) => configs.filter(([, z]) => z[i] === b).reduce((s, [c, z]) => s + (q(c, z) / (b ? qz[i]! : 1 - qz[i]!)) * logJoint(c, z), 0));
      qz[i] = 1 / (1 + Math.exp(e[0]! - e[1]!));
    }
  }
  return elbo();
}

beforeAll(async () => {
  await initBackend();
});

describe("bbvi fit", () => {
  it("reaches the mean-field optimum's ELBO on an enumerable model, below the log evidence", async () => {
    const m = compile(TINY);
    const fit = await m.fit(DATA, { method: "bbvi", seed: 3, maxSteps: 1500, finalSamples: 2000 });
    let logZ = -Infinity;
    const terms: number[] = [];
    for (let c = 0; c < 3; c++) for (let k = 0; k < 8; k++) terms.push(logJoint(c, [k & 1, (k >> 1) & 1, (k >> 2) & 1]));
    const mx = Math.max(...terms);
    logZ = mx + Math.log(terms.reduce((s, x) => s + Math.exp(x - mx), 0));
    const best = meanFieldOptimum();
    expect(best).toBeLessThan(logZ);
    expect(fit.method).toBe("bbvi");
    expect(Math.abs(fit.elbo - best)).toBeLessThan(0.02 * Math.abs(best));
    expect(fit.elbo).toBeLessThan(logZ + 4 * (fit.elboSe ?? 0) + 1e-6);
    const ex = fit.diagnostics.extras as { estimators: Record<string, string>; discreteFamilies: Record<string, string>; gradientVariance: Record<string, number> };
    expect(ex.estimators).toEqual({ c: "score", z: "score" });
    expect(ex.discreteFamilies).toEqual({ c: "categorical", z: "bernoulli" });
    expect(Number.isFinite(ex.gradientVariance.z!)).toBe(true);
    // Save and load: the same approximation comes back.
    const saved = fit.save();
    expect((saved as unknown as { guide: { family: string } }).guide.family).toBe("mixed");
    const back = await m.loadFit(saved, DATA);
    const a = fit.summary().find((r) => r.name === "c")!;
    const b = back.summary().find((r) => r.name === "c")!;
    expect(b.mean).toBeCloseTo(a.mean, 1);
    back.dispose();
    fit.dispose();
  }, 60000);

  it("fits a model with continuous and discrete latents (spike and slab) and is picked by auto", async () => {
    const { readFileSync } = await import("node:fs");
    const m = compile(readFileSync("examples/spike_slab.ppl", "utf8"));
    const data = JSON.parse(readFileSync("examples/spike_slab.data.json", "utf8"));
    const before = tf.memory().numTensors;
    const fit = await m.fit(data, { seed: 1, maxSteps: 60, minSteps: 0, finalSamples: 100 });
    expect(fit.method).toBe("bbvi");
    expect(fit.methodReason).toMatch(/'z' is discrete/);
    const ex = fit.diagnostics.extras as { estimators: Record<string, string> };
    expect(ex.estimators).toEqual({ pi: "reparam", z: "score", beta: "reparam", sigma: "reparam" });
    fit.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60000);

  it("rejects options it cannot use, with PPL4130", async () => {
    const m = compile(TINY);
    await expect(m.fit(DATA, { method: "bbvi", family: "custom" })).rejects.toThrow(PplError);
    try {
      await m.fit(DATA, { method: "bbvi", checkpoint: { every: 10 } });
    } catch (e) {
      expect((e as PplError).diagnostics.map((d) => d.code)).toEqual(["PPL4130"]);
    }
  });
});
