/** `vippl fit`, driven in process. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";

async function vippl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), "vippl-fit-"));
const coin = JSON.parse(readFileSync("examples/coin.data.json", "utf8")) as { y: number[] };
const heads = coin.y.reduce((a, b) => a + b, 0);
const tails = coin.y.length - heads;
// The exact posterior is Beta(1 + heads, 1 + tails).
const a = 1 + heads;
const b = 1 + tails;
const exactMean = a / (a + b);
const exactSd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));

describe("vippl fit", () => {
  it("prints the posterior as JSON and writes the outputs", async () => {
    const out = join(tmp, "coin");
    const r = await vippl("fit", "examples/coin.ppl", "--json", "--seed", "3", "--out", out);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.method).toBe("cavi"); // auto: the coin is conjugate
    expect(j.converged).toBe(true);
    expect(Math.abs(j.params.p.mean - exactMean)).toBeLessThan(0.1 * exactSd);
    expect(Math.abs(j.params.p.sd / exactSd - 1)).toBeLessThan(0.1);
    expect(j.params.p.q05).toBeLessThan(j.params.p.q50);
    expect(j.params.p.q50).toBeLessThan(j.params.p.q95);
    expect(j.elbo).toBeLessThan(0);
    for (const f of ["summary.csv", "draws.csv", "fit.json", "elbo.svg", "elbo.png"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, "summary.csv"), "utf8").split("\n")[0]).toBe("name,mean,sd,q05,q50,q95");
    const draws = readFileSync(join(out, "draws.csv"), "utf8").trim().split("\n");
    expect(draws[0]).toBe("p");
    expect(draws.length).toBe(1001);
    expect(readFileSync(join(out, "elbo.svg"), "utf8")).toContain("<svg");
    expect([...readFileSync(join(out, "elbo.png")).subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(JSON.parse(readFileSync(join(out, "fit.json"), "utf8")).format).toBe("vippl-fit");
  });

  it("gives the same numbers for the same seed, and prints the table", async () => {
    const r1 = await vippl("fit", "examples/eight_schools.ppl", "--seed", "5", "--quiet");
    const r2 = await vippl("fit", "examples/eight_schools.ppl", "--seed", "5", "--quiet");
    expect(r1.code, r1.err).toBe(0);
    expect(r1.out).toContain("theta[7]");
    expect(r1.out).toContain("Pareto k");
    const table = (s: string) => s.slice(s.indexOf("┌"));
    expect(table(r1.out)).toBe(table(r2.out));
  });

  it("rejects a non-integer --steps with a diagnostic", async () => {
    const r = await vippl("fit", "examples/coin.ppl", "--steps", "many");
    expect(r.code).toBe(2);
    expect(r.err).toContain("PPL4003");
    expect(r.err).toContain("--steps");
  });

  it("rejects an unknown method, listing the valid ones", async () => {
    const r = await vippl("fit", "examples/coin.ppl", "--method", "nuts");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PPL41\d\d/);
    expect(r.err).toContain("advi");
  });

  it("stops on data that do not match, before fitting", async () => {
    const data = join(tmp, "bad.json");
    writeFileSync(data, JSON.stringify({ N: 3, y: [0, 1, 2] }));
    const r = await vippl("fit", "examples/coin.ppl", "--data", data);
    expect(r.code).toBe(1);
    expect(r.err).toContain("PPL3110");
    expect(r.out).toBe("");
  });

  it("fits the model's guide block, and says so when another family is used instead", async () => {
    const model = join(tmp, "guided.ppl");
    writeFileSync(model, "model G {\n  data N: int\n  data y: real[N]\n  latent mu: real\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, 1)\n  guide {\n    param m: real\n    param s: real<lower=0>\n    mu ~ Normal(m, s)\n  }\n}\n");
    const data = join(tmp, "guided.json");
    writeFileSync(data, JSON.stringify({ N: 3, y: [0.5, 1.5, 1.0] }));
    const r = await vippl("fit", model, "--data", data, "--json", "--method", "advi", "--family", "meanfield");
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("warning[PPL4107]");
    expect(r.err).toContain("meanfield");
    expect(r.err).toContain(`${model}:7:3`);
    // The exact posterior of mu is Normal(3 / (3 + 0.01), 1 / sqrt(3.01)).
    const mu = JSON.parse(r.out).params.mu;
    expect(Math.abs(mu.mean - 3 / 3.01) / (1 / Math.sqrt(3.01))).toBeLessThan(0.1);
    // ADVI without --family fits the guide block itself: no warning, the same posterior.
    const g = await vippl("fit", model, "--data", data, "--method", "advi", "--seed", "2");
    expect(g.code, g.err).toBe(0);
    expect(g.err).not.toContain("PPL4107");
    expect(g.out).toContain("custom family");
    const j = await vippl("fit", model, "--data", data, "--method", "advi", "--seed", "2", "--json");
    const muG = JSON.parse(j.out).params.mu;
    expect(Math.abs(muG.mean - 3 / 3.01) / (1 / Math.sqrt(3.01))).toBeLessThan(0.1);
    expect(Math.abs(muG.sd * Math.sqrt(3.01) - 1)).toBeLessThan(0.1);
  });
});
