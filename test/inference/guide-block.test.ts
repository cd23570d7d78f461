/**
 * ADVI with the model's own `guide { }` block (family "custom"): it is the default when the model
 * has one, reaches the exact posterior on conjugate models, gives the right log q over the
 * unconstrained vector for a constrained latent, learns an amortised encoder (with and without
 * minibatches), runs the shipped VAE with a finite, improving ELBO and a steady tensor count, and
 * saves and loads with its model.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile, PplError, type CompiledModel } from "../../index.js";
import { buildLogJoint } from "../../compiler/index.js";
import { adviDispose, adviInit, adviStep, CustomGuide, FitResult, LatentTransform, validateOptions } from "../../inference/index.js";
import { initBackend, Rng } from "../../stdlib/index.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");
const LOG_2PI = Math.log(2 * Math.PI);

const NORMAL_NORMAL = `model NN {
  data N: int
  data y: real[N]
  latent mu: real
  mu ~ Normal(0, 10)
  y ~ Normal(mu, 1)
  guide {
    param m: real
    param s: real<lower=0>
    mu ~ Normal(m, s)
  }
}`;
const Y = [0.5, 1.5, 1.0, 2.2, -0.3];
const PREC = 1 / 100 + Y.length;
const POST_MEAN = Y.reduce((a, b) => a + b, 0) / PREC;
const POST_SD = 1 / Math.sqrt(PREC);
/** log p(y) of the Normal-Normal model: y ~ MVN(0, I + 100 11ᵀ). */
function logEvidence(): number {
  const n = Y.length;
  const sy = Y.reduce((a, b) => a + b, 0);
  const syy = Y.reduce((a, b) => a + b * b, 0);
  const logDet = Math.log(1 + 100 * n);
  const quad = syy - (100 * sy * sy) / (1 + 100 * n);
  return -0.5 * (n * LOG_2PI + logDet + quad);
}

/** The fitted guide params (constrained params are stored unconstrained: s as log s). */
function guideParams(fit: FitResult): Record<string, number[]> {
  return (fit.save().guide as unknown as { params: Record<string, number[]> }).params;
}

describe("custom guide: the guide block is the family", () => {
  it("Normal-Normal: family 'custom' by default, exact posterior and ELBO = log evidence", async () => {
    const model = compile(NORMAL_NORMAL);
    for (const seed of [1, 2]) {
      const fit = await model.fit({ N: Y.length, y: Y }, { method: "advi", seed, samples: 32 });
      expect(fit.family).toBe("custom");
      expect(fit.diagnostics.init).toContain("guide block");
      const p = guideParams(fit);
      expect(Math.abs(p["m"]![0]! - POST_MEAN) / POST_SD).toBeLessThan(0.03);
      expect(Math.abs(Math.exp(p["s"]![0]!) / POST_SD - 1)).toBeLessThan(0.03);
      // The family holds the posterior: the ELBO is the log evidence, up to Monte Carlo error.
      expect(Math.abs(fit.elbo - logEvidence())).toBeLessThan(0.01);
      expect(fit.diagnostics.verdict).toBe("good");
      // The summary comes from the guide's draws.
      expect(Math.abs(fit.row("mu")!.mean - POST_MEAN) / POST_SD).toBeLessThan(0.06);
      fit.dispose();
    }
  });

  it("family 'meanfield' overrides the guide block; 'custom' without a guide block is PPL4104", async () => {
    const model = compile(NORMAL_NORMAL);
    const fit = await model.fit({ N: Y.length, y: Y }, { method: "advi", seed: 1, family: "meanfield" });
    expect(fit.family).toBe("meanfield");
    expect(Math.abs(fit.row("mu")!.mean - POST_MEAN) / POST_SD).toBeLessThan(0.1);
    fit.dispose();
    const plain = compile(NORMAL_NORMAL.replace(/guide \{[^}]*\}/, ""));
    const err = await plain.fit({ N: Y.length, y: Y }, { method: "advi", family: "custom" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PplError);
    expect((err as PplError).diagnostics[0]!.code).toBe("PPL4104");
    expect((err as PplError).diagnostics[0]!.message).toContain("custom");
  });

  it("a guide it cannot draw from is reported (PPL3120) when the fit asks for it, and meanfield still fits", async () => {
    const text = `model C {
  data N: int
  data y: int<lower=0, upper=1>[N]
  latent p: real<lower=0, upper=1>
  p ~ Beta(2, 2)
  y ~ Bernoulli(p)
  guide {
    param a: real<lower=0>
    param b: real<lower=0>
    p ~ Beta(a, b)
  }
}`;
    const model = compile(text);
    const data = { N: 4, y: [1, 0, 1, 1] };
    const err = await model.fit(data, { method: "advi" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PplError);
    expect((err as PplError).diagnostics.map((d) => d.code)).toEqual(["PPL3120"]);
    expect((err as PplError).render()).toContain("p ~ Beta(a, b)");
    const fit = await model.fit(data, { method: "advi", family: "meanfield", seed: 1 });
    expect(Math.abs(fit.row("p")!.mean - 5 / 8)).toBeLessThan(0.02);
    fit.dispose();
  });
});

describe("custom guide: estimators and failures", () => {
  it("sticking the landing (entropy 'stl': log q with the params held constant) reaches the same posterior", async () => {
    const model = compile(NORMAL_NORMAL);
    const fit = await model.fit({ N: Y.length, y: Y }, { method: "advi", seed: 1, samples: 32, entropy: "stl" });
    const p = guideParams(fit);
    expect(Math.abs(p["m"]![0]! - POST_MEAN) / POST_SD).toBeLessThan(0.03);
    expect(Math.abs(Math.exp(p["s"]![0]!) / POST_SD - 1)).toBeLessThan(0.03);
    fit.dispose();
  });

  it("a term that stays non-finite under the guide's draws is PPL5001 at its line", async () => {
    const model = compile(`model F {
  latent mu: real
  mu ~ Normal(0, 1)
  factor(log(mu - 100))
  guide {
    param m: real
    mu ~ Normal(m, 1)
  }
}`);
    const err = await model.fit({}, { method: "advi", seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PplError);
    const d = (err as PplError).diagnostics[0]!;
    expect(d.code).toBe("PPL5001");
    expect(d.span?.line).toBe(4);
  });
});

describe("custom guide: density over the unconstrained vector", () => {
  it("a LogNormal guide on a real<lower=0> latent: log q(z) = log LogNormal(e^z) + z = log Normal(z; mu, sigma)", async () => {
    await initBackend();
    const text = `model P {
  data N: int
  data y: real[N]
  latent sigma: real<lower=0>
  latent mu: real
  sigma ~ LogNormal(0, 1)
  mu ~ Normal(0, 5)
  y ~ Normal(mu, sigma)
  guide {
    param a: real
    param b: real<lower=0>
    sigma ~ LogNormal(a, b)
    mu ~ Normal(a, 2)
  }
}`;
    const model = compile(text);
    const data = model.checkData({ N: 2, y: [0.3, -0.1] });
    const lj = buildLogJoint(model.graphFor(data), model.typed, data).value!;
    const g = lj.guide!;
    tf.tidy(() => {
      g.params.get("a")!.assign(tf.tensor(0.4));
      g.params.get("b")!.assign(tf.tensor(Math.log(0.6)));
    });
    const transform = new LatentTransform(lj.latents, lj.unconstrainedSize);
    const guide = CustomGuide.of(lj, transform);
    expect(guide.dim).toBe(2);
    // Layout order: sigma first, then mu.
    const zs = [
      [-0.5, 1.2],
      [0.9, -2.0],
      [2.5, 0.1],
    ];
    const z = tf.tensor2d(zs);
    const lq = Array.from(guide.logProb(z).dataSync());
    const normal = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
    zs.forEach(([zs0, zm], i) => {
      const want = normal(zs0!, 0.4, 0.6) + normal(zm!, 0.4, 2);
      expect(Math.abs(lq[i]! - want)).toBeLessThan(1e-5);
    });
    // fromNoise maps the guide's constrained draw back to z: sigma = exp(0.4 + 0.6 e0) gives z0 = 0.4 + 0.6 e0.
    const noise = tf.tensor2d([[0.5, -1.0]]);
    const back = Array.from(guide.fromNoise(noise).dataSync());
    expect(Math.abs(back[0]! - (0.4 + 0.6 * 0.5))).toBeLessThan(1e-5);
    expect(Math.abs(back[1]! - (0.4 + 2 * -1.0))).toBeLessThan(1e-5);
    tf.dispose([z, noise]);
    lj.dispose();
  });
});

describe("custom guide: amortised encoders", () => {
  const AMORTISED = `model Am {
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
  const xs = (n: number): number[] => {
    const r = new Rng(7);
    return Array.from({ length: n }, () => 1.5 * r.nextNormal());
  };

  it("z ~ Normal(a * x, s) learns the exact posterior map a = 1/2, s = sqrt(1/2)", async () => {
    const model = compile(AMORTISED);
    const x = xs(40);
    const fit = await model.fit({ N: x.length, x }, { method: "advi", seed: 3 });
    expect(fit.family).toBe("custom");
    const p = guideParams(fit);
    expect(Math.abs(p["a"]![0]! - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(Math.exp(p["s"]![0]!) - Math.sqrt(0.5))).toBeLessThan(0.02);
    fit.dispose();
  });

  it("with minibatches the guide sees the batch, and still learns a = 1/2, s = sqrt(1/2)", async () => {
    const model = compile(AMORTISED);
    const x = xs(40);
    const fit = await model.fit({ N: x.length, x }, { method: "advi", seed: 4, batchSize: 10 });
    const p = guideParams(fit);
    expect(Math.abs(p["a"]![0]! - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(Math.exp(p["s"]![0]!) - Math.sqrt(0.5))).toBeLessThan(0.03);
    fit.dispose();
  });
});

describe("custom guide: the VAE", () => {
  const vaeData = (n: number) => {
    const d = JSON.parse(readFileSync(join(EXAMPLES, "vae.data.json"), "utf8")) as { N: number; D: number; x: number[][] };
    return { N: n, D: d.D, x: d.x.slice(0, n) };
  };
  const vae = (): CompiledModel => compile(readFileSync(join(EXAMPLES, "vae.ppl"), "utf8"), { args: { hidden: 32, latent_dim: 4 } });

  it("runs on a slice of the shipped data: finite, improving ELBO, steady tensor count", async () => {
    const model = vae();
    const data = model.checkData(vaeData(16));
    const lj = buildLogJoint(model.graphFor(data), model.typed, data, { seed: 1 }).value!;
    expect(lj.guide).toBeTruthy();
    const o = validateOptions({ method: "advi", samples: 2, maxSteps: 1000 }).value!;
    const cfg = { options: o, logJoint: lj, transform: new LatentTransform(lj.latents, lj.unconstrainedSize) };
    const st = adviInit(cfg, new Rng(1));
    expect(st.guide.family).toBe("custom");
    adviStep(cfg, st);
    const count = tf.memory().numTensors;
    for (let i = 0; i < 39; i++) adviStep(cfg, st);
    expect(tf.memory().numTensors).toBe(count);
    expect(st.trace.length).toBe(40);
    expect(st.trace.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Per image: starts near 784 log 2 = 543 nats and drops by well over 100 in 40 steps.
    expect(mean(st.trace.slice(-5)) - mean(st.trace.slice(0, 5))).toBeGreaterThan(100 * 16);
    adviDispose(st);
    lj.dispose();
  });

  it("minibatches: the encoder and decoder train on batches, ELBO finite", async () => {
    const model = vae();
    const fit = await model.fit(vaeData(32), { method: "advi", seed: 2, samples: 1, batchSize: 8, maxSteps: 30, finalSamples: 20 });
    expect(fit.family).toBe("custom");
    expect(fit.trace.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(fit.elbo)).toBe(true);
    fit.dispose();
  });
});

describe("custom guide: save and load", () => {
  it("round trip: loadFit with the model rebuilds the guide, its params and its draws", async () => {
    const model = compile(NORMAL_NORMAL);
    const data = { N: Y.length, y: Y };
    const fit = await model.fit(data, { method: "advi", seed: 5 });
    const saved = JSON.parse(JSON.stringify(fit.save()));
    expect(saved.guide.family).toBe("custom");
    const loaded = await model.loadFit(saved, data);
    expect(loaded.family).toBe("custom");
    expect(guideParams(loaded)).toEqual(guideParams(fit));
    const a = fit.sample(500, 9)["mu"]!;
    const b = loaded.sample(500, 9)["mu"]!;
    expect(Array.from(b)).toEqual(Array.from(a));
    // Without the model there is no guide program to draw from: a PPL4105 diagnostic.
    const bare = FitResult.load(saved);
    const err = (() => {
      try {
        bare.sample(10);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PplError);
    expect((err as PplError).diagnostics[0]!.code).toBe("PPL4105");
    expect((err as PplError).diagnostics[0]!.message).toContain("loadFit");
    fit.dispose();
    loaded.dispose();
  });

  it("checkpoint and resume: the resumed fit retraces the uninterrupted one", async () => {
    const model = compile(NORMAL_NORMAL);
    const data = { N: Y.length, y: Y };
    const opts = { method: "advi", seed: 6, maxSteps: 200, minSteps: 150, finalSamples: 200 };
    const checkpoints: unknown[] = [];
    const full = await model.fit(data, { ...opts, checkpoint: { every: 60, onCheckpoint: (c) => checkpoints.push(JSON.parse(JSON.stringify(c))) } });
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    expect((checkpoints[1] as { guide: { family: string } }).guide.family).toBe("custom");
    const resumed = await model.fit(data, { ...opts, resume: checkpoints[1] });
    expect(resumed.trace).toEqual(full.trace);
    expect(resumed.save().guide).toEqual(full.save().guide);
    full.dispose();
    resumed.dispose();
  });

  it("the VAE's amortised encoder (model-level params the guide reads) is saved with the guide", async () => {
    const model = compile(readFileSync(join(EXAMPLES, "vae.ppl"), "utf8"), { args: { hidden: 8, latent_dim: 2 } });
    const d = JSON.parse(readFileSync(join(EXAMPLES, "vae.data.json"), "utf8")) as { D: number; x: number[][] };
    const data = { N: 4, D: d.D, x: d.x.slice(0, 4) };
    const fit = await model.fit(data, { method: "advi", seed: 1, maxSteps: 5, finalSamples: 20, samples: 1 });
    const saved = fit.save();
    expect(Object.keys((saved.guide as unknown as { params: Record<string, number[]> }).params).sort()).toEqual(
      ["enc_loc.W0", "enc_loc.W1", "enc_loc.b0", "enc_loc.b1", "enc_scale.W0", "enc_scale.W1", "enc_scale.b0", "enc_scale.b1"].sort(),
    );
    // A second log joint of the same model is built while the first is alive (no variable name clash).
    const loaded = await model.loadFit(saved, data);
    expect(Array.from(loaded.sample(50, 3)["z[0,0]"]!)).toEqual(Array.from(fit.sample(50, 3)["z[0,0]"]!));
    fit.dispose();
    loaded.dispose();
  });
});
