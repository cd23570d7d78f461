import { describe, expect, it } from "vitest";
import { paretoK } from "../../inference/index.js";
import { Rng } from "../../stdlib/index.js";

describe("Pareto k (PSIS)", () => {
  it("is small for light-tailed ratios and good", () => {
    const r = new Rng(1);
    const d = paretoK(r.normalArray(4000, 0, 0.1));
    expect(d.k).toBeLessThan(0.5);
    expect(d.verdict).toBe("good");
  });
  it("recovers the shape of a generalised Pareto tail", () => {
    const r = new Rng(2);
    // One estimate has sd ~0.1 at 8000 draws; the mean of 8 is within 0.1 of the truth.
    for (const xi of [0.3, 0.6, 0.9]) {
      let sum = 0;
      for (let rep = 0; rep < 8; rep++) sum += paretoK(Array.from({ length: 8000 }, () => Math.log((Math.pow(r.nextUniform(), -xi) - 1) / xi))).k;
      expect(Math.abs(sum / 8 - xi)).toBeLessThan(0.1);
    }
  });
  it("gives the verdicts at 0.5 and 0.7", () => {
    const r = new Rng(3);
    const heavy = Array.from({ length: 4000 }, () => Math.log((Math.pow(r.nextUniform(), -1.2) - 1) / 1.2));
    const d = paretoK(heavy);
    expect(d.verdict).toBe("unreliable");
    expect(d.message).toContain(">= 0.7");
  });
});
