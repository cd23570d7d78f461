/**
 * ADVI on hand-written log joints with exact posteriors: accuracy (means within 0.1 posterior sd,
 * sds within 10%), the ELBO never above the log evidence beyond Monte Carlo error, Pareto k,
 * seeds, save/load, checkpoint/resume, minibatches, no tensor leaks, and the non-finite path.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { adviDispose, adviInit, adviStep, fit, FitResult, LatentTransform, validateOptions, type AdviCheckpoint, type ProgressInfo } from "../../inference/index.js";
import { PplError } from "../../language/index.js";
import { initBackend, Rng } from "../../stdlib/index.js";
import { coin, linreg, normalMean } from "./helpers.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** ELBO <= log p(y) up to 4 standard errors (and float32 rounding of a sum of that size). */
function expectBelowEvidence(r: FitResult, logZ: number): void {
  expect(r.elbo).toBeLessThanOrEqual(logZ + 4 * r.elboSe + 1e-6 * Math.abs(logZ) + 1e-3);
}

describe("ADVI on conjugate models", () => {
  it("Normal-Normal: exact posterior, ELBO = log evidence, small Pareto k", async () => {
    const nm = normalMean();
    const lj = nm.make();
    const r = await fit(lj, { seed: 1 });
    const row = r.row("mu")!;
    expect(Math.abs(row.mean - nm.postMean)).toBeLessThan(0.1 * nm.postSd);
    expect(Math.abs(row.sd / nm.postSd - 1)).toBeLessThan(0.1);
    expectBelowEvidence(r, nm.logEvidence);
    expect(r.elbo).toBeGreaterThan(nm.logEvidence - 0.05);
    expect(r.diagnostics.paretoK).toBeLessThan(0.5);
    expect(r.diagnostics.verdict).toBe("good");
    expect(r.converged).toBe(true);
    expect(r.reason).toContain("stabilised");
    expect(r.method).toBe("advi");
    expect(r.methodReason).toContain("auto");
    expect(r.trace.length).toBe(r.steps);
    lj.dispose();
  });

  it("Beta-Bernoulli coin: mean within 0.1 sd, sd within 10%, with deterministics", async () => {
    const c = coin();
    const lj = c.make();
    const r = await fit(lj, { seed: 2 });
    const row = r.row("p")!;
    expect(Math.abs(row.mean - c.mean)).toBeLessThan(0.1 * c.sd);
    expect(Math.abs(row.sd / c.sd - 1)).toBeLessThan(0.1);
    expect(row.q05).toBeLessThan(row.q50);
    expect(row.q50).toBeLessThan(row.q95);
    expectBelowEvidence(r, c.logEvidence);
    // The deterministic `odds` is summarised too.
    expect(r.row("odds")!.mean).toBeCloseTo(c.mean / (1 - c.mean), 1);
    expect(r.summary().map((x) => x.name)).toEqual(["p", "odds"]);
    lj.dispose();
  });

  it("correlated regression: full-rank and low-rank recover the exact Gaussian; mean-field's ELBO is lower", async () => {
    const lr = linreg();
    const lj = lr.make();
    const fits: Record<string, FitResult> = {};
    for (const family of ["fullrank", "lowrank", "meanfield"] as const) {
      const r = await fit(lj, { seed: 3, family, rank: 2 });
      fits[family] = r;
      expectBelowEvidence(r, lr.logEvidence);
      if (family === "meanfield") continue;
      for (let j = 0; j < lr.d; j++) {
        const row = r.row(`w[${j}]`)!;
        const sd = Math.sqrt(lr.cov[j * lr.d + j]!);
        expect(Math.abs(row.mean - lr.mean[j]!)).toBeLessThan(0.1 * sd);
        expect(Math.abs(row.sd / sd - 1)).toBeLessThan(0.1);
      }
    }
    expect(fits.fullrank!.elbo).toBeGreaterThan(lr.logEvidence - 0.05);
    expect(fits.fullrank!.diagnostics.paretoK).toBeLessThan(0.5);
    expect(fits.meanfield!.elbo).toBeLessThan(fits.fullrank!.elbo - 0.3);
    lj.dispose();
  });

  it("sticking the landing gives the same answer", async () => {
    const nm = normalMean();
    const lj = nm.make();
    const r = await fit(lj, { seed: 4, entropy: "stl" });
    const row = r.row("mu")!;
    expect(Math.abs(row.mean - nm.postMean)).toBeLessThan(0.1 * nm.postSd);
    expect(Math.abs(row.sd / nm.postSd - 1)).toBeLessThan(0.1);
    lj.dispose();
  });

  it("minibatches with N/B scaling reach the full-data posterior", async () => {
    const nm = normalMean(400);
    const { logJoint, minibatch } = nm.makeMinibatched();
    const r = await fit({ logJoint, minibatch }, { seed: 5, batchSize: 100 });
    const row = r.row("mu")!;
    expect(Math.abs(row.mean - nm.postMean)).toBeLessThan(0.1 * nm.postSd);
    expect(Math.abs(row.sd / nm.postSd - 1)).toBeLessThan(0.1);
    logJoint.dispose();
  });

  it("starts from zero when asked, and still converges", async () => {
    const nm = normalMean();
    const lj = nm.make();
    const r = await fit(lj, { seed: 6, init: "zero" });
    expect(r.diagnostics.init).toContain("zero");
    expect(Math.abs(r.row("mu")!.mean - nm.postMean)).toBeLessThan(0.1 * nm.postSd);
    expect(Math.abs(r.row("mu")!.sd / nm.postSd - 1)).toBeLessThan(0.1);
    lj.dispose();
  });
});

describe("runs", () => {
  it("the same seed gives the same numbers; another seed does not", async () => {
    const lj = normalMean().make();
    const a = await fit(lj, { seed: 7, maxSteps: 150, minSteps: 50, finalSamples: 200 });
    const b = await fit(lj, { seed: 7, maxSteps: 150, minSteps: 50, finalSamples: 200 });
    const c = await fit(lj, { seed: 8, maxSteps: 150, minSteps: 50, finalSamples: 200 });
    expect(b.trace).toEqual(a.trace);
    expect(b.summary()).toEqual(a.summary());
    expect(b.elbo).toBe(a.elbo);
    expect(c.trace).not.toEqual(a.trace);
    lj.dispose();
  });

  it("save/load round trip keeps the summary and the draws", async () => {
    const lj = coin().make();
    const r = await fit(lj, { seed: 9, maxSteps: 200, minSteps: 50, finalSamples: 300 });
    const text = JSON.stringify(r.save());
    const back = FitResult.load(text, lj);
    expect(back.summary()).toEqual(r.summary());
    expect(back.elbo).toBe(r.elbo);
    expect(back.trace).toEqual(r.trace);
    expect(back.sample(50, 3)).toEqual(r.sample(50, 3));
    expect(Object.keys(back.sample(5, 1))).toEqual(["p", "odds"]);
    // Loading into another model is refused with a diagnostic.
    const other = normalMean().make();
    expect(() => FitResult.load(text, other)).toThrow(PplError);
    try {
      FitResult.load(text, other);
    } catch (e) {
      expect((e as PplError).diagnostics[0]!.code).toBe("PPL4105");
    }
    other.dispose();
    lj.dispose();
  });

  it("resuming from a checkpoint gives the uninterrupted result", async () => {
    const lj = normalMean().make();
    const opts = { seed: 10, maxSteps: 400, minSteps: 100, finalSamples: 200 };
    const checkpoints: AdviCheckpoint[] = [];
    const full = await fit(lj, { ...opts, checkpoint: { every: 120, onCheckpoint: (c) => checkpoints.push(JSON.parse(JSON.stringify(c)) as AdviCheckpoint) } });
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const resumed = await fit(lj, { ...opts, resume: checkpoints[1] });
    expect(resumed.steps).toBe(full.steps);
    expect(resumed.trace).toEqual(full.trace);
    expect(resumed.guide).toEqual(full.guide);
    expect(resumed.summary()).toEqual(full.summary());
    lj.dispose();
  });

  it("reports progress", async () => {
    const lj = normalMean().make();
    const seen: ProgressInfo[] = [];
    await fit(lj, { seed: 11, maxSteps: 120, minSteps: 50, finalSamples: 100, progressEvery: 40, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.step)).toEqual([40, 80, 120]);
    for (const p of seen) {
      expect(Number.isFinite(p.elbo)).toBe(true);
      expect(p.stepsPerSecond).toBeGreaterThan(0);
      expect(p.secondsLeft).toBeGreaterThanOrEqual(0);
    }
    lj.dispose();
  });

  it("keeps the tensor count constant from step 1 to step k", () => {
    for (const family of ["meanfield", "fullrank", "lowrank"] as const) {
      const lj = linreg().make();
      const o = validateOptions({ family, seed: 1 }).value!;
      const cfg = { options: o, logJoint: lj, transform: new LatentTransform(lj.latents, lj.unconstrainedSize) };
      const st = adviInit(cfg, new Rng(1));
      adviStep(cfg, st);
      const n1 = tf.memory().numTensors;
      for (let i = 0; i < 30; i++) adviStep(cfg, st);
      expect(tf.memory().numTensors).toBe(n1);
      adviDispose(st);
      lj.dispose();
    }
  });

  it("a term that stays non-finite is a PPL5001 naming its line", async () => {
    const lj = normalMean().make({ badScale: true });
    let err: unknown;
    try {
      await fit(lj, { seed: 12 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PplError);
    const d = (err as PplError).diagnostics[0]!;
    expect(d.code).toBe("PPL5001");
    expect(d.message).toContain("x ~ Normal(mu, -2)");
    expect(d.span?.line).toBe(7);
    lj.dispose();
  });

  it("bad options throw a PplError before any work", async () => {
    const lj = normalMean().make();
    await expect(fit(lj, { sampels: 3 } as never)).rejects.toThrow(/PPL4103/);
    await expect(fit(lj, { method: "nuts" })).rejects.toThrow(/PPL4104/);
    await expect(fit(lj, { estimator: "score" })).rejects.toThrow(/PPL4104/);
    lj.dispose();
  });
});
