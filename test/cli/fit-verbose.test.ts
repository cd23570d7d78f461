/** `vippl fit --verbose`: the progress lines carry each discrete latent's gradient-variance estimate. */
import { describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { gradientVarianceText } from "../../cli/commands/fit.js";

async function vippl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

describe("vippl fit --verbose", () => {
  it("formats the estimates per latent", () => {
    expect(gradientVarianceText({ z: 31.25, c: 0.02 })).toBe("grad var z 3.1e+1, c 2.0e-2");
    expect(gradientVarianceText({ z: NaN })).toBe("grad var z n/a");
    expect(gradientVarianceText(undefined)).toBe("");
    expect(gradientVarianceText({})).toBe("");
  });

  it("prints the gradient variance of the score-function latents at every progress report", async () => {
    const v = await vippl("fit", "examples/spike_slab.ppl", "--method", "bbvi", "--steps", "100", "--seed", "1", "--verbose");
    expect(v.code, v.err).toBe(0);
    const lines = v.err.split("\n").filter((l) => l.startsWith("step "));
    // One line per report (every 50 steps), not one per 2 s.
    expect(lines.map((l) => l.split(/\s+/)[1])).toEqual(["50", "100"]);
    for (const l of lines) {
      // Only z is discrete: its estimate, a finite positive number.
      const m = /grad var z (\S+)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
      expect(Number.isFinite(Number(m![1]))).toBe(true);
    }
    const quiet = await vippl("fit", "examples/spike_slab.ppl", "--method", "bbvi", "--steps", "100", "--seed", "1");
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.err).toContain("step 50");
    expect(quiet.err).not.toContain("grad var");
  }, 60000);
});
