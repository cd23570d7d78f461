import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as D from "../../stdlib/distributions/index.js";
import {
  type SampleScoreJoint,
  conditionalEntropy,
  crossEntropy,
  entropy,
  gaussianMutualInformation,
  jointEntropy,
  klDivergence,
  mutualInformation,
} from "../../stdlib/info/index.js";
import { initBackend } from "../../stdlib/tensor/backend.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const num = (t: tf.Tensor) => t.dataSync()[0]!;

/** Random joint tables with the given shape (cells > 0 or exactly 0 sometimes). */
function tables(shape: number[]): fc.Arbitrary<number[][] | number[][][]> {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc
    .array(fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constant(0)), { minLength: size, maxLength: size })
    .filter((xs) => xs.some((x) => x > 0))
    .map((xs) => {
      const s = xs.reduce((a, b) => a + b, 0);
      const flat = xs.map((x) => x / s);
      const build = (off: number, dims: number[]): unknown =>
        dims.length === 1 ? flat.slice(off, off + dims[0]!) : [...Array(dims[0]).keys()].map((i) => build(off + i * dims.slice(1).reduce((a, b) => a * b, 1), dims.slice(1)));
      return build(0, shape) as number[][];
    });
}

describe("the information-theory tutorial", () => {
  it("a fair coin carries 1 bit, a 0.9 coin 0.469 bits, a fair die 2.585 bits", () => {
    expect(entropy([0.5, 0.5], { base: "bits" })).toBeCloseTo(1, 3);
    expect(entropy([0.9, 0.1], { base: "bits" })).toBeCloseTo(0.469, 3);
    expect(entropy(Array(6).fill(1 / 6), { base: "bits" })).toBeCloseTo(2.585, 3);
    expect(entropy([0.5, 0.5], { base: 2 })).toBe(1);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const coin = entropy(D.Bernoulli(0.5), { base: "bits" });
      const biased = entropy(D.Bernoulli(0.9), { base: "bits" });
      const die = entropy(D.Categorical(Array(6).fill(1 / 6)), { base: "bits" });
      expect(coin.method).toBe("analytic");
      expect(coin.unit).toBe("bits");
      expect(num(coin.value)).toBeCloseTo(1, 3);
      expect(num(biased.value)).toBeCloseTo(0.469, 3);
      expect(num(die.value)).toBeCloseTo(2.585, 3);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("speaks nats by default and hartleys in base 10", () => {
    expect(entropy([0.5, 0.5])).toBeCloseTo(Math.LN2, 12);
    expect(entropy(Array(10).fill(0.1), { base: "hartleys" })).toBeCloseTo(1, 12);
    expect(entropy(Array(10).fill(0.1), { base: 10 })).toBeCloseTo(1, 12);
    expect(() => entropy([0.5, 0.5], { base: 1 })).toThrow(/option 'base'/);
  });
});

describe("discrete joint tables", () => {
  it("H(X, Y) = H(X | Y) + H(Y) = H(Y | X) + H(X)", () => {
    fc.assert(
      fc.property(tables([3, 4]), (t) => {
        const pxy = t as number[][];
        const px = pxy.map((r) => r.reduce((a, b) => a + b, 0));
        const py = pxy[0]!.map((_, j) => pxy.reduce((a, r) => a + r[j]!, 0));
        const hxy = jointEntropy(pxy);
        expect(hxy).toBeCloseTo(entropy(pxy), 12);
        expect(hxy).toBeCloseTo(conditionalEntropy(pxy, { given: 1 }) + entropy(py), 10);
        expect(hxy).toBeCloseTo(conditionalEntropy(pxy, { given: 0 }) + entropy(px), 10);
        expect(conditionalEntropy(pxy)).toBeCloseTo(conditionalEntropy(pxy, { given: -1 }), 12);
        expect(conditionalEntropy(pxy, { given: 1 })).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 100, seed: 1 },
    );
  });

  it("I(X; Y) = I(Y; X) >= 0, = H(X) - H(X | Y), in bits too", () => {
    fc.assert(
      fc.property(tables([4, 3]), (t) => {
        const pxy = t as number[][];
        const px = pxy.map((r) => r.reduce((a, b) => a + b, 0));
        const ixy = mutualInformation(pxy);
        const iyx = mutualInformation(pxy, { x: 1, y: 0 });
        expect(ixy).toBeGreaterThanOrEqual(0);
        expect(ixy).toBeCloseTo(iyx, 12);
        expect(ixy).toBeCloseTo(entropy(px) - conditionalEntropy(pxy, { given: 1 }), 10);
        expect(mutualInformation(pxy, { base: "bits" })).toBeCloseTo(ixy / Math.LN2, 10);
        // I(X; Y) = KL(p(x, y) || p(x) p(y)).
        const prod = px.map((a) => pxy[0]!.map((_, j) => a * pxy.reduce((s, r) => s + r[j]!, 0)));
        expect(ixy).toBeCloseTo(klDivergence(pxy, prod), 10);
      }),
      { numRuns: 100, seed: 2 },
    );
  });

  it("three variables: the chain rule I(X; Y, Z) = I(X; Z) + I(X; Y | Z)", () => {
    fc.assert(
      fc.property(tables([2, 3, 2]), (t) => {
        const full = mutualInformation(t, { x: 0, y: [1, 2] });
        const xz = mutualInformation(t, { x: 0, y: 2 });
        const xyGivenZ = mutualInformation(t, { x: 0, y: 1, given: 2 });
        expect(xyGivenZ).toBeGreaterThanOrEqual(0);
        expect(full).toBeCloseTo(xz + xyGivenZ, 10);
        expect(jointEntropy(t)).toBeCloseTo(conditionalEntropy(t, { given: [1, 2] }) + entropy(sumOver0(t as number[][][])), 10);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it("gives 0 for independent variables and H(X) for a copy", () => {
    const px = [0.2, 0.3, 0.5];
    const py = [0.6, 0.4];
    const indep = px.map((a) => py.map((b) => a * b));
    expect(mutualInformation(indep)).toBeCloseTo(0, 14);
    const copy = px.map((a, i) => px.map((_, j) => (i === j ? a : 0)));
    expect(mutualInformation(copy)).toBeCloseTo(entropy(px), 12);
    expect(conditionalEntropy(copy, { given: 1 })).toBeCloseTo(0, 12);
  });

  it("cross-entropy is entropy plus KL", () => {
    const p = [0.1, 0.2, 0.7];
    const q = [0.3, 0.3, 0.4];
    expect(crossEntropy(p, q)).toBeCloseTo(entropy(p) + klDivergence(p, q), 12);
    expect(crossEntropy(p, p, { base: "bits" })).toBeCloseTo(entropy(p, { base: "bits" }), 12);
  });

  it("accepts tensors and counts, and explains bad tables", () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor2d([
      [0.25, 0.25],
      [0.5, 0],
    ]);
    expect(jointEntropy(t, { base: "bits" })).toBeCloseTo(1.5, 6);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(entropy([1, 1, 2], { normalize: true, base: "bits" })).toBeCloseTo(1.5, 12);
    expect(() => entropy([0.5, -0.1, 0.6])).toThrow(/must be non-negative.*entry \[1\] is -0.1/);
    expect(() => entropy([0.5, 0.4])).toThrow(/must sum to 1.*0.9/);
    expect(() => jointEntropy([[0.5], [0.25, 0.25]])).toThrow(/ragged/);
    expect(() => entropy([0.5, NaN])).toThrow(/finite/);
    expect(() => conditionalEntropy([0.5, 0.5])).toThrow(/at least 2 axes/);
    expect(() => conditionalEntropy([[1]], { given: 2 })).toThrow(/option 'given' has axis 2/);
    expect(() => mutualInformation([[0.5, 0.5]], { x: 0, y: 0 })).toThrow(/different axes/);
  });
});

function sumOver0(t: number[][][]): number[][] {
  return t[0]!.map((row, j) => row.map((_, k) => t.reduce((s, m) => s + m[j]![k]!, 0)));
}

describe("distributions", () => {
  it("entropy: the closed form agrees with Monte Carlo within 4 standard errors", () => {
    const before = tf.memory().numTensors;
    for (const make of [() => D.Normal([0, 1], [0.5, 2]), () => D.Gamma(2, 3), () => D.Beta(2, 5), () => D.Dirichlet([1, 2, 3]), () => D.Categorical([0.2, 0.3, 0.5])]) {
      tf.tidy(() => {
        const d = make();
        const a = entropy(d, { base: "bits" });
        const m = entropy(d, { method: "monte-carlo", samples: 20_000, seed: 4, base: "bits" });
        expect(a.method).toBe("analytic");
        expect(m.method).toBe("monte-carlo");
        const av = a.value.dataSync();
        const mv = m.value.dataSync();
        const se = m.standardError!.dataSync();
        av.forEach((v, i) => expect(Math.abs(v - mv[i]!), d.name).toBeLessThanOrEqual(4 * se[i]! + 1e-3));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("cross-entropy of distributions is H(p) + KL(p || q), analytic or by Monte Carlo", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const p = D.Normal(0.3, 1.2);
      const q = D.Normal(-0.5, 0.8);
      const a = crossEntropy(p, q);
      const m = crossEntropy(p, q, { method: "monte-carlo", samples: 20_000, seed: 5 });
      expect(a.method).toBe("analytic");
      expect(num(a.value)).toBeCloseTo(num(entropy(p).value) + num(klDivergence(p, q).value), 5);
      expect(Math.abs(num(a.value) - num(m.value))).toBeLessThanOrEqual(4 * num(m.standardError!));
      const s = crossEntropy(D.StudentT(5, 0, 1), D.Normal(0, 1), { samples: 4000 });
      expect(s.method).toBe("monte-carlo");
      expect(s.samples).toBe(4000);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Gaussian mutual information from the covariance: -1/2 log(1 - rho^2), symmetric", () => {
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(fc.double({ min: -0.95, max: 0.95, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), (rho, s) => {
        tf.tidy(() => {
          const L = [
            [s, 0],
            [rho, Math.sqrt(1 - rho * rho)],
          ];
          const mvn = D.MultivariateNormal([0, 0], L);
          const ixy = num(mutualInformation(mvn).value);
          const iyx = num(mutualInformation(mvn, { x: [1], y: [0] }).value);
          const exact = -0.5 * Math.log(1 - rho * rho);
          expect(ixy).toBeGreaterThanOrEqual(0);
          expect(ixy).toBeCloseTo(exact, 3);
          expect(iyx).toBeCloseTo(ixy, 4);
        });
      }),
      { numRuns: 25, seed: 6 },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Gaussian mutual information between blocks and in bits", () => {
    tf.tidy(() => {
      // (x1, x2) independent of x3: I({0,1}; {2}) = 0; I(0; 1) from the 2x2 block.
      const cov = tf.tensor2d([
        [2, 0.8, 0],
        [0.8, 1, 0],
        [0, 0, 3],
      ]);
      expect(num(gaussianMutualInformation(cov, { x: [0, 1], y: [2] }))).toBeCloseTo(0, 5);
      const r2 = (0.8 * 0.8) / 2;
      expect(num(gaussianMutualInformation(cov, { x: [0], y: [1], base: "bits" }))).toBeCloseTo(-0.5 * Math.log2(1 - r2), 4);
      expect(() => gaussianMutualInformation(cov, { x: [0], y: [0] })).toThrow(/must not share/);
      expect(() => mutualInformation(D.Normal(0, 1))).toThrow(/MultivariateNormal/);
    });
  });

  it("Monte Carlo mutual information of a joint that samples and scores agrees with the closed form", () => {
    const before = tf.memory().numTensors;
    const rho = 0.7;
    const c = Math.sqrt(1 - rho * rho);
    // x ~ N(0, 1), y | x ~ N(rho x, sqrt(1 - rho^2)); both marginals are N(0, 1).
    const joint: SampleScoreJoint = {
      sample: (n, seed) =>
        tf.tidy(() => {
          const x = D.Normal(0, 1).sample([n], seed);
          const eps = D.Normal(0, 1).sample([n], typeof seed === "number" ? seed + 1 : seed);
          return { x, y: tf.add(tf.mul(x, rho), tf.mul(eps, c)) };
        }),
      logJoint: (x, y) => tf.tidy(() => tf.add(D.Normal(0, 1).logProb(x), D.Normal(tf.mul(x, rho), c).logProb(y))),
      logMarginalX: (x) => tf.tidy(() => D.Normal(0, 1).logProb(x)),
      logMarginalY: (y) => tf.tidy(() => D.Normal(0, 1).logProb(y)),
    };
    const r = mutualInformation(joint, { samples: 20_000, seed: 8 });
    expect(r.method).toBe("monte-carlo");
    expect(r.samples).toBe(20_000);
    const exact = -0.5 * Math.log(1 - rho * rho);
    expect(Math.abs(num(r.value) - exact)).toBeLessThanOrEqual(4 * num(r.standardError!));
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("examples/information.ts", () => {
  it("runs and prints the tutorial's numbers", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { join } = await import("node:path");
    const root = join(import.meta.dirname, "../..");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(root, "examples/information.ts")], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/H\(fair coin\)\s+1\.000 bits/);
    expect(stdout).toMatch(/H\(coin with P\(heads\) = 0\.9\)\s+0\.469 bits/);
    expect(stdout).toMatch(/H\(fair die\)\s+2\.585 bits/);
    expect(stdout).toMatch(/KL\(Normal\(0, 1\) \|\| Normal\(1, 2\)\)\s+0\.443 nats\s+analytic/);
    expect(stdout).toMatch(/monte-carlo, 20000 draws/);
    expect(stdout).toMatch(/I\(X; Y\), Gaussians with rho = 0\.8\s+0\.737 bits/);
  });
});
