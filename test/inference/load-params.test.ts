import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../index.js";
import { PplError } from "../../language/index.js";
import { initBackend } from "../../stdlib/index.js";

beforeAll(async () => {
  await initBackend();
});

const SRC = `model P {
  data y: real[6]
  param c: real
  latent mu: real
  let shifted = mu + c
  mu ~ Normal(0, 1)
  y ~ Normal(mu + 2 * c, 1)
}`;
const DATA = { y: [3.1, 2.9, 3.4, 2.6, 3.0, 3.2] };

describe("loading a fit into the model", () => {
  it("restores the point-estimated params, so lets and predictive draws use the fitted values", async () => {
    const model = compile(SRC);
    const fit = await model.fit(DATA, { seed: 2, family: "meanfield" });
    const c = fit.params["c"]!.values[0]!;
    expect(Math.abs(c)).toBeGreaterThan(0.1); // the fit moved it away from its zero start
    const loaded = await model.loadFit(JSON.stringify(fit.save()), DATA);
    try {
      expect(loaded.sample(200, 4)["shifted"]).toEqual(fit.sample(200, 4)["shifted"]);
      expect(loaded.predictive(50, 1).variables.get("y")!.values).toEqual(fit.predictive(50, 1).variables.get("y")!.values);
    } finally {
      fit.dispose();
      loaded.dispose();
    }
  });

  it("a saved fit without the model's params is refused with PPL4105", async () => {
    const model = compile(SRC);
    const fit = await model.fit(DATA, { seed: 2, maxSteps: 100 });
    const saved = { ...fit.save(), params: {} };
    fit.dispose();
    await expect(model.loadFit(saved, DATA)).rejects.toThrow(PplError);
    await model.loadFit(saved, DATA).catch((e: PplError) => {
      expect(e.diagnostics[0]!.code).toBe("PPL4105");
      expect(e.diagnostics[0]!.message).toContain("param 'c'");
    });
  });
});
