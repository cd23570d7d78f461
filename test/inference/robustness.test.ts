/**
 * Regression tests for wrong posteriors reported as converged (posteriordb kilpisjarvi and
 * kidscore_interaction): (a) the convergence rule must not fire on a wildly noisy or still rising
 * ELBO; (b) the Laplace start must find the mode of a badly conditioned regression (x near 2000,
 * unconstrained mode far from 0); (c) Pareto k must never read "good" for a wrong fit, nor for
 * non-finite or collapsed importance ratios.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../index.js";
import { paretoK } from "../../inference/index.js";
import { ConvergenceMonitor } from "../../inference/convergence.js";
import { initBackend, Rng } from "../../stdlib/index.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

function runMonitor(trace: (step: number) => number, steps: number): { converged: boolean; reason: string } {
  const m = new ConvergenceMonitor(50, 0.01, 100);
  for (let t = 1; t <= steps; t++) {
    const v = m.push(trace(t), t);
    if (v) return v;
  }
  return m.capped(steps);
}

describe("(a) convergence rule", () => {
  it("fires on a stationary ELBO with small noise", () => {
    const r = new Rng(1);
    const v = runMonitor(() => -500 + r.nextNormal(), 2000);
    expect(v.converged).toBe(true);
  });
  it("does not fire on an ELBO whose noise is millions of nats (kilpisjarvi from zero)", () => {
    const r = new Rng(2);
    const v = runMonitor(() => -8e6 + 4e6 * Math.abs(r.nextNormal()) * (r.nextUniform() < 0.5 ? -1 : 1), 2000);
    expect(v.converged).toBe(false);
    expect(v.reason).toMatch(/^not converged/);
    expect(v.reason).toMatch(/too noisy/);
  });
  it("does not fire on a slow climb that hides in each single comparison", () => {
    const r = new Rng(3);
    // Gains 0.3 nats per window against a per-comparison threshold of about 0.4.
    const v = runMonitor((t) => -500 + 0.006 * t + r.nextNormal(), 2000);
    expect(v.converged).toBe(false);
    expect(v.reason).toMatch(/still (rising|gained)/);
  });
});

// A linear regression on un-centred years: alpha and beta are correlated at -0.9999 and the
// unconstrained mode (alpha about -60) is far from the origin.
const REGRESSION = `
model Years {
  data N: int<lower=1>
  data x: real[N]
  data y: real[N]
  latent alpha: real
  latent beta: real
  latent sigma: real<lower=0>
  alpha ~ Normal(0, 1000)
  beta ~ Normal(0, 10)
  sigma ~ HalfNormal(10)
  y ~ Normal(alpha + beta * x, sigma)
}`;

function yearsData(): { N: number; x: number[]; y: number[]; ols: { alpha: number; beta: number; seAlpha: number; seBeta: number; sigma: number } } {
  const r = new Rng(7);
  const x = Array.from({ length: 60 }, (_, i) => 1990 + i);
  const y = x.map((xi) => -60 + 0.035 * xi + r.nextNormal());
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const beta = sxy / sxx;
  const alpha = my - beta * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i]! - alpha - beta * x[i]!) ** 2;
  // Flat-prior posterior: sigma^2 ~ scaled-inv-chi^2(n - 2), coefficients t(n - 2) around OLS.
  const s2 = rss / (n - 2);
  const tScale = Math.sqrt((n - 2) / (n - 4));
  return { N: n, x, y, ols: { alpha, beta, seAlpha: Math.sqrt(s2 * (1 / n + (mx * mx) / sxx)) * tScale, seBeta: Math.sqrt(s2 / sxx) * tScale, sigma: Math.sqrt(rss / n) } };
}

describe("(b) Laplace start on a badly conditioned regression", () => {
  it("finds the mode, and full-rank ADVI reaches the posterior", async () => {
    const { ols, ...data } = yearsData();
    const fit = await compile(REGRESSION).fit(data, { seed: 1, family: "fullrank" });
    try {
      expect(fit.diagnostics.init).toMatch(/^laplace/);
      expect(fit.converged).toBe(true);
      const a = fit.row("alpha")!;
      const b = fit.row("beta")!;
      const s = fit.row("sigma")!;
      expect(Math.abs(a.mean - ols.alpha)).toBeLessThan(0.25 * ols.seAlpha);
      expect(Math.abs(b.mean - ols.beta)).toBeLessThan(0.25 * ols.seBeta);
      expect(Math.abs(a.sd / ols.seAlpha - 1)).toBeLessThan(0.3);
      expect(Math.abs(b.sd / ols.seBeta - 1)).toBeLessThan(0.3);
      expect(Math.abs(s.mean - ols.sigma)).toBeLessThan(0.15);
      expect(fit.elbo).toBeGreaterThan(-200);
    } finally {
      fit.dispose();
    }
  });
  it("mean-field: right means, and Pareto k flags the too-narrow marginals", async () => {
    const { ols, ...data } = yearsData();
    const fit = await compile(REGRESSION).fit(data, { seed: 1, family: "meanfield" });
    try {
      expect(fit.family).toBe("meanfield");
      expect(fit.diagnostics.init).toMatch(/^laplace/);
      expect(Math.abs(fit.row("alpha")!.mean - ols.alpha)).toBeLessThan(0.25 * ols.seAlpha);
      expect(fit.diagnostics.paretoK).toBeGreaterThan(0.7);
      expect(fit.diagnostics.verdict).toBe("unreliable");
    } finally {
      fit.dispose();
    }
  });
});

describe("family 'auto'", () => {
  it("is full-rank for a small model whose mode the Laplace start finds, mean-field from a zero start", async () => {
    const { ols, ...data } = yearsData();
    void ols;
    const model = compile(REGRESSION);
    const auto = await model.fit(data, { seed: 1, maxSteps: 200 });
    const full = await model.fit(data, { seed: 1, maxSteps: 200, family: "fullrank" });
    const zero = await model.fit(data, { seed: 1, init: "zero", maxSteps: 100 });
    try {
      expect(auto.family).toBe("fullrank");
      expect(auto.summary()).toEqual(full.summary());
      expect(zero.family).toBe("meanfield");
    } finally {
      for (const f of [auto, full, zero]) f.dispose();
    }
  });
});

/** log p(z) - log q(z) for z ~ q = N(m, s), p = N(0, 1) (constants cancel). */
function gaussianLogWeights(m: number, s: number, n: number, seed: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => {
    const e = r.nextNormal();
    const z = m + s * e;
    return -0.5 * z * z - (-0.5 * e * e - Math.log(s));
  });
}

describe("(c) Pareto k on wrong fits and bad weights", () => {
  it("a far-off, too narrow q gives k > 0.7", () => {
    const d = paretoK(gaussianLogWeights(3, 0.3, 1000, 1));
    expect(d.k).toBeGreaterThan(0.7);
    expect(d.verdict).toBe("unreliable");
  });
  it("a very far-off q (weights spanning thousands of nats) is never 'good'", () => {
    const d = paretoK(gaussianLogWeights(200, 0.05, 1000, 2));
    expect(d.k).toBeGreaterThan(0.7);
    expect(d.verdict).toBe("unreliable");
  });
  it("one draw dwarfing the rest (the old 'all equal' k = 0 case) is unreliable", () => {
    const lw = Array.from({ length: 1000 }, (_, i) => -1e5 + i * 1e-3);
    lw[17] = 0;
    const d = paretoK(lw);
    expect(d.k).toBe(Infinity);
    expect(d.verdict).toBe("unreliable");
  });
  it("a good q stays good", () => {
    expect(paretoK(gaussianLogWeights(0.05, 1.05, 1000, 3)).verdict).toBe("good");
  });
  it("NaN or -Infinity log weights give 'unreliable' with a message", () => {
    const base = gaussianLogWeights(0, 1.1, 1000, 4);
    for (const bad of [NaN, -Infinity]) {
      const lw = [...base];
      lw[3] = bad;
      const d = paretoK(lw);
      expect(d.k).toBe(Infinity);
      expect(d.verdict).toBe("unreliable");
      expect(d.message).toMatch(/unreliable/);
    }
  });
  it("identical weights (q = p) are k = 0", () => {
    expect(paretoK(new Array(1000).fill(-3)).verdict).toBe("good");
  });
});
