/**
 * Black-box VI checkpoints: a run resumed from a checkpoint (in the optimise phase or while
 * averaging, with discrete factors only or with a Gaussian guide beside them, with the decaying
 * baselines) continues bit for bit as the uninterrupted run (same trace, same summary); a
 * checkpoint of another model or method is PPL4105; resuming leaks no tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, PplError } from "../../index.js";
import type { BbviCheckpoint } from "../../inference/bbvi/index.js";
import { initBackend } from "../../stdlib/index.js";
import { DATA, TINY } from "./bbvi-models.js";

/** Tiny with a continuous noise scale: the guide has a Gaussian part and discrete factors. */
const MIXED = `
model Mixed {
  data N: int<lower=1>
  data y: real[N]
  latent c: int<lower=0, upper=2>
  latent z: bool[N]
  latent s: real<lower=0>
  c ~ Categorical([0.2, 0.3, 0.5])
  z ~ Bernoulli(0.4)
  s ~ Gamma(4.0, 4.0)
  y ~ Normal(z * (c + 1.0), s)
}`;

async function codeOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PplError) return e.diagnostics.map((d) => d.code);
    throw e;
  }
  return [];
}

const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

beforeAll(async () => {
  await initBackend();
});

describe("bbvi checkpoint and resume", () => {
  const cases = [
    { name: "discrete latents only (Tiny)", source: TINY, options: { controlVariate: "optimal" as const } },
    { name: "a Gaussian guide and discrete factors, decaying baselines", source: MIXED, options: { controlVariate: "decaying" as const } },
  ];
  for (const c of cases) {
    it(`resumes bit for bit: ${c.name}`, async () => {
      const m = compile(c.source);
      const opts = { method: "bbvi" as const, seed: 5, maxSteps: 240, samples: 4, finalSamples: 200, ...c.options };
      const checkpoints: BbviCheckpoint[] = [];
      const full = await m.fit(DATA, { ...opts, checkpoint: { every: 40, onCheckpoint: (x) => checkpoints.push(copy(x as BbviCheckpoint)) } });
      expect(checkpoints.length).toBeGreaterThanOrEqual(3);
      expect(checkpoints.every((k) => k.format === "vippl-checkpoint" && k.method === "bbvi")).toBe(true);
      expect(checkpoints[0]!.factors.map((f) => f.latent)).toEqual(["c", "z"]);
      expect(checkpoints[0]!.guide !== undefined).toBe(c.source === MIXED);
      if (c.options.controlVariate === "decaying") expect(checkpoints[0]!.baselines.map((b) => b.latent)).toEqual(["c", "z"]);
      // One checkpoint in each phase when the run reached averaging.
      const picks = [checkpoints.find((k) => k.phase === "optimise")!, [...checkpoints].reverse().find((k) => k.phase === "average")].filter((k) => k !== undefined);
      expect(picks.map((k) => k.phase)).toContain("average");
      for (const k of picks) {
        const before = tf.memory().numTensors;
        const stepsRun: number[] = [];
        const resumed = await m.fit(DATA, { ...opts, resume: k, progressEvery: 1, onProgress: (p) => stepsRun.push(p.step) });
        // It continued from the checkpoint's step (not from the start).
        expect(stepsRun[0]).toBe(k.step + 1);
        expect(stepsRun.at(-1)).toBe(full.steps);
        expect(resumed.steps).toBe(full.steps);
        expect(resumed.trace).toEqual(full.trace);
        expect(resumed.summary()).toEqual(full.summary());
        expect(resumed.elbo).toBe(full.elbo);
        resumed.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
      full.dispose();
    }, 60000);
  }

  it("refuses a checkpoint of another model or another method with PPL4105", async () => {
    const tiny = compile(TINY);
    const mixed = compile(MIXED);
    let tinyCk: unknown;
    const t = await tiny.fit(DATA, { method: "bbvi", seed: 1, maxSteps: 20, checkpoint: { every: 10, onCheckpoint: (x) => (tinyCk ??= copy(x)) } });
    t.dispose();
    let adviCk: unknown;
    const normal = compile(`model M { data y: real[3]  latent mu: real  mu ~ Normal(0, 1)  y ~ Normal(mu, 1) }`);
    const a = await normal.fit({ y: [0.1, 0.5, 0.2] }, { method: "advi", seed: 1, maxSteps: 20, checkpoint: { every: 10, onCheckpoint: (x) => (adviCk ??= copy(x)) } });
    a.dispose();
    const before = tf.memory().numTensors;
    expect(await codeOf(mixed.fit(DATA, { method: "bbvi", resume: tinyCk }))).toEqual(["PPL4105"]);
    expect(await codeOf(tiny.fit(DATA, { method: "bbvi", resume: adviCk }))).toEqual(["PPL4105"]);
    expect(await codeOf(tiny.fit({ N: 2, y: [0.3, 2.2] }, { method: "bbvi", resume: tinyCk }))).toEqual(["PPL4105"]);
    expect(await codeOf(normal.fit({ y: [0.1, 0.5, 0.2] }, { method: "advi", resume: tinyCk }))).toEqual(["PPL4105"]);
    expect(await codeOf(tiny.fit(DATA, { method: "bbvi", resume: { format: "something" } }))).toEqual(["PPL4105"]);
    expect(tf.memory().numTensors).toBe(before);
  }, 30000);
});
