import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../index.js";
import { buildLogJoint } from "../../compiler/index.js";
import { elboSurrogate, LatentTransform, MeanFieldGuide, FullRankGuide } from "../../inference/index.js";
import { initBackend, Rng } from "../../stdlib/index.js";

beforeAll(async () => {
  await initBackend();
});

const SRC = readFileSync("examples/eight_schools.ppl", "utf8");
const DATA = JSON.parse(readFileSync("examples/eight_schools.data.json", "utf8")) as Record<string, unknown>;

function eightSchools() {
  const model = compile(SRC);
  const bound = model.checkData(DATA);
  return buildLogJoint(model.graphFor(bound), model.typed, bound).value!;
}

describe("analytic priors (the closed-form part of the KL)", () => {
  it("finds the constant Normal priors over real latents, and only those", () => {
    const lj = eightSchools();
    try {
      const found = (lj.analyticPriors ?? []).map((p) => p.latent).sort();
      expect(found).toEqual(["eta", "mu"]); // tau has a HalfCauchy prior on a positive latent
      const mu = lj.analyticPriors!.find((p) => p.latent === "mu")!;
      expect(Array.from(mu.loc)).toEqual([0]);
      expect(Array.from(mu.scale)).toEqual([5]); // the model's default argument `scale`
      const eta = lj.analyticPriors!.find((p) => p.latent === "eta")!;
      expect(eta.size).toBe(8);
      expect(Array.from(eta.scale)).toEqual(new Array(8).fill(1));
    } finally {
      lj.dispose();
    }
  });

  it("a prior whose arguments are latent is not analytic", () => {
    const m = compile(`model H { data y: real[3]  latent mu: real  latent z: real[3]  mu ~ Normal(0, 1)  z ~ Normal(mu, 1)  y ~ Normal(z, 1) }`);
    const bound = m.checkData({ y: [1, 2, 3] });
    const lj = buildLogJoint(m.graphFor(bound), m.typed, bound).value!;
    expect((lj.analyticPriors ?? []).map((p) => p.latent)).toEqual(["mu"]);
    lj.dispose();
  });

  for (const family of ["meanfield", "fullrank"] as const) {
    it(`${family}: the ELBO estimate has the same expectation with the priors in closed form, and less variance`, () => {
      const lj = eightSchools();
      const d = lj.unconstrainedSize;
      const rng = new Rng(11);
      const mean = Array.from({ length: d }, () => rng.nextNormal());
      const sd = Array.from({ length: d }, () => 0.3 + rng.nextUniform());
      const guide = family === "meanfield" ? new MeanFieldGuide(d, { mean, sd }) : new FullRankGuide(d, { mean, sd, cov: covariance(sd, 0.4) });
      const m = { logJoint: lj, transform: new LatentTransform(lj.latents, d), guide };
      const noise = guide.noise(20000, new Rng(3));
      const stats = (analyticPriors: boolean) =>
        tf.tidy(() => {
          const e = elboSurrogate(m, noise, { estimator: "reparam", entropy: "analytic", analyticPriors });
          const { mean: mu, variance } = tf.moments(e);
          return [mu.dataSync()[0]!, variance.dataSync()[0]!] as const;
        });
      const [mSampled, vSampled] = stats(false);
      const [mAnalytic, vAnalytic] = stats(true);
      noise.dispose();
      guide.dispose();
      lj.dispose();
      // The two estimators use the same draws; their difference has a standard error below that of either.
      expect(Math.abs(mAnalytic - mSampled)).toBeLessThan(4 * Math.sqrt(vSampled / 20000));
      expect(vAnalytic).toBeLessThan(vSampled);
    });
  }
});

/** A covariance with the given sds and one correlation between neighbours. */
function covariance(sd: number[], rho: number): number[] {
  const d = sd.length;
  const c = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    c[i * d + i] = sd[i]! ** 2;
    if (i + 1 < d) c[i * d + i + 1] = c[(i + 1) * d + i] = rho * sd[i]! * sd[i + 1]!;
  }
  return c;
}
