/**
 * model.fit through compile() on the benchmark data, against the closed-form posteriors and log
 * evidence (reference/exact.json) and Stan's NUTS (reference/nuts.json; names there are 1-based).
 */
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { compile, PplError, type FitResult } from "../../index.js";
import { initBackend } from "../../stdlib/index.js";
import { SHARED } from "./helpers.js";

const REF = `${SHARED}/bench/reference`;
const have = existsSync(`${REF}/exact.json`) && existsSync(`${SHARED}/bench/data/coin.json`);
type Params = Record<string, { mean: number; sd: number }>;
const exact = have ? (JSON.parse(readFileSync(`${REF}/exact.json`, "utf8")) as Record<string, { params: Params; log_evidence: number }>) : {};
const nuts = have ? (JSON.parse(readFileSync(`${REF}/nuts.json`, "utf8")) as Record<string, { params: Params }>) : {};
/** "theta[1]" (1-based, Stan) -> "theta[0]". */
const zeroBased = (n: string): string => n.replace(/\[(\d+)\]/, (_, i: string) => `[${Number(i) - 1}]`);

function benchData(name: string): Record<string, unknown> {
  const d = JSON.parse(readFileSync(`${SHARED}/bench/data/${name}.json`, "utf8")) as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k.startsWith("_")) delete d[k];
  return d;
}

async function fitExample(name: string, options: Record<string, unknown> = {}): Promise<FitResult> {
  const model = compile(readFileSync(`examples/${name}.ppl`, "utf8"), { file: `${name}.ppl` });
  return model.fit(benchData(name), { seed: 1, ...options });
}

function checkAgainst(r: FitResult, ref: Params, meanTol: number, sdTol: number | undefined): void {
  for (const [name, p] of Object.entries(ref)) {
    const row = r.row(zeroBased(name));
    expect(row, name).toBeDefined();
    expect(Math.abs(row!.mean - p.mean) / p.sd, `${name} mean error in sds`).toBeLessThan(meanTol);
    if (sdTol !== undefined) expect(Math.abs(row!.sd / p.sd - 1), `${name} relative sd error`).toBeLessThan(sdTol);
  }
}

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

describe.skipIf(!have)("model.fit on the benchmark models", () => {
  for (const name of ["coin", "normal_gamma", "linreg"]) {
    it(`${name}: within 0.1 sd and 10% of the exact posterior; ELBO <= log evidence`, async () => {
      const r = await fitExample(name);
      const ref = exact[name]!;
      checkAgainst(r, ref.params, 0.1, 0.1);
      expect(r.elbo).toBeLessThanOrEqual(ref.log_evidence + 4 * r.elboSe + 1e-6 * Math.abs(ref.log_evidence));
      expect(r.elbo).toBeGreaterThan(ref.log_evidence - 0.5);
      expect(r.diagnostics.paretoK).toBeLessThan(0.7);
      expect(r.converged).toBe(true);
      r.dispose();
    });
  }

  it("eight_schools: means (theta included, as a transformed parameter) within 0.2 sd of NUTS", async () => {
    const r = await fitExample("eight_schools", { family: "fullrank" });
    checkAgainst(r, nuts.eight_schools!.params, 0.2, undefined);
    expect(r.summary().map((x) => x.name)).toContain("theta[7]");
    r.dispose();
  });

  it("option mistakes are diagnostics rendered against the model", async () => {
    const model = compile(readFileSync("examples/coin.ppl", "utf8"), { file: "coin.ppl" });
    let err: unknown;
    try {
      await model.fit(benchData("coin"), { familly: "fullrank" } as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PplError);
    expect((err as PplError).render()).toContain("error[PPL4103]: unknown fit option 'familly'");
    expect((err as PplError).render()).toContain("did you mean 'family'?");
  });

  it("save/load through the model keeps the deterministics", async () => {
    const model = compile(readFileSync("examples/eight_schools.ppl", "utf8"));
    const data = benchData("eight_schools");
    const r = await model.fit(data, { seed: 2, maxSteps: 200, minSteps: 50, finalSamples: 200 });
    const back = await model.loadFit(JSON.stringify(r.save()), data);
    expect(back.sample(20, 5)).toEqual(r.sample(20, 5));
    expect(Object.keys(back.sample(2, 1))).toContain("theta[0]");
    back.dispose();
    r.dispose();
  });
});

describe("simplex latents", () => {
  it("a Dirichlet prior on a simplex fits (the support check's tf.all has a zero gradient), without leaks", async () => {
    const model = compile(`model Dice {
  data N: int<lower=1>
  data y: int<lower=0, upper=2>[N]
  latent theta: simplex[3]
  theta ~ Dirichlet([2.0, 1.0, 1.0])
  y ~ Categorical(theta)
}`);
    const y = [...Array<number>(30).fill(0), ...Array<number>(15).fill(1), ...Array<number>(5).fill(2)];
    const before = tf.memory().numTensors;
    const r = await model.fit({ N: y.length, y }, { seed: 1 });
    // Exact posterior: Dirichlet(2 + 30, 1 + 15, 1 + 5).
    const a = [32, 16, 6];
    const s = 54;
    a.forEach((ak, k) => {
      const m = ak / s;
      const sd = Math.sqrt((m * (1 - m)) / (s + 1));
      const row = r.row(`theta[${k}]`)!;
      expect(Math.abs(row.mean - m)).toBeLessThan(0.1 * sd);
      expect(Math.abs(row.sd / sd - 1)).toBeLessThan(0.15);
    });
    expect(r.converged).toBe(true);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
