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
import { DATA, TINY } from "./bbvi-models.js";


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

/** EM for a 1-D Gaussian mixture from a quantile start, components sorted by mean. */
function emMixture(x: number[], k: number): { w: number[]; mu: number[]; sd: number[] } {
  const sorted = [...x].sort((a, b) => a - b);
  let mu = [...Array(k).keys()].map((j) => sorted[Math.floor(((j + 0.5) / k) * x.length)]!);
  let sd = Array(k).fill(1);
  let w = Array(k).fill(1 / k);
  for (let it = 0; it < 500; it++) {
    const r = x.map((xi) => {
      const p = mu.map((m, j) => (w[j]! / sd[j]!) * Math.exp(-0.5 * ((xi - m) / sd[j]!) ** 2));
      const s = p.reduce((a, b) => a + b, 0);
      return p.map((v) => v / s);
    });
    const nk = mu.map((_, j) => r.reduce((a, ri) => a + ri[j]!, 0));
    w = nk.map((n) => n / x.length);
    mu = mu.map((_, j) => r.reduce((a, ri, i) => a + ri[j]! * x[i]!, 0) / nk[j]!);
    sd = mu.map((m, j) => Math.sqrt(r.reduce((a, ri, i) => a + ri[j]! * (x[i]! - m) ** 2, 0) / nk[j]!));
  }
  const order = mu.map((_, j) => j).sort((a, b) => mu[a]! - mu[b]!);
  return { w: order.map((j) => w[j]!), mu: order.map((j) => mu[j]!), sd: order.map((j) => sd[j]!) };
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

  it("reaches the CAVI optimum's ELBO within 1% on the conjugate Gaussian mixture (same model, same data)", async () => {
    const { readFileSync } = await import("node:fs");
    const m = compile(readFileSync("examples/gmm_conjugate.ppl", "utf8"));
    const data = JSON.parse(readFileSync("examples/gmm_conjugate.data.json", "utf8"));
    const cavi = await m.fit(data, { method: "cavi", seed: 1, finalSamples: 200 });
    const bbvi = await m.fit(data, { method: "bbvi", seed: 1, maxSteps: 120, finalSamples: 1000 });
    expect(cavi.method).toBe("cavi");
    expect(bbvi.method).toBe("bbvi");
    expect(Math.abs(bbvi.elbo - cavi.elbo)).toBeLessThan(0.01 * Math.abs(cavi.elbo));
    // bbvi's family (Gaussians in unconstrained space, a free categorical per point) lies inside
    // CAVI's mean-field family, so its ELBO cannot beat CAVI's optimum beyond Monte Carlo error.
    expect(bbvi.elbo).toBeLessThan(cavi.elbo + 4 * (bbvi.elboSe ?? 0) + 1e-6);
    // Same clusters: every component mean matches one of CAVI's (labels are exchangeable).
    const means = (f: typeof cavi) => [0, 1, 2].map((k) => [0, 1].map((d) => f.summary().find((r) => r.name === `mu[${k},${d}]`)!));
    const cm = means(cavi);
    for (const row of means(bbvi)) {
      const match = cm.find((c) => Math.abs(c[0]!.mean - row[0]!.mean) < 3 * c[0]!.sd)!;
      expect(match).toBeDefined();
      row.forEach((r, d) => expect(Math.abs(r.mean - match[d]!.mean)).toBeLessThan(3 * match[d]!.sd));
    }
    cavi.dispose();
    bbvi.dispose();
  }, 60000);

  it("puts the ordered means of the non-conjugate mixture (examples/gmm) at the data's clusters", async () => {
    const { readFileSync } = await import("node:fs");
    const m = compile(readFileSync("examples/gmm.ppl", "utf8"));
    const data = JSON.parse(readFileSync("examples/gmm.data.json", "utf8")) as { x: number[] };
    const fit = await m.fit(data, { method: "bbvi", seed: 2, maxSteps: 150, finalSamples: 1000 });
    // Reference: maximum likelihood by EM (N = 1000: the posterior concentrates around it).
    const em = emMixture(data.x, 3);
    const row = (n: string) => fit.summary().find((r) => r.name === n)!;
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(row(`mu[${k}]`).mean - em.mu[k]!)).toBeLessThan(4 * row(`mu[${k}]`).sd);
      expect(Math.abs(row(`sigma[${k}]`).mean - em.sd[k]!)).toBeLessThan(4 * row(`sigma[${k}]`).sd);
      expect(Math.abs(row(`weights[${k}]`).mean - em.w[k]!)).toBeLessThan(4 * row(`weights[${k}]`).sd);
    }
    fit.dispose();
  }, 60000);

  it("rejects options it cannot use, with PPL4130", async () => {
    const m = compile(TINY);
    await expect(m.fit(DATA, { method: "bbvi", family: "custom" })).rejects.toThrow(PplError);
    try {
      await m.fit(DATA, { method: "bbvi", batchSize: 2 });
      expect.unreachable();
    } catch (e) {
      expect((e as PplError).diagnostics.map((d) => d.code)).toEqual(["PPL4130"]);
    }
  });
});
