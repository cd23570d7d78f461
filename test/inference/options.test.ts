import { describe, expect, it } from "vitest";
import { METHODS, OPTION_NAMES, resolveMethod, validateOptions } from "../../inference/index.js";

const codes = (r: { diagnostics: readonly { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe("fit options", () => {
  it("fills in defaults", () => {
    const r = validateOptions({});
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toMatchObject({ method: "auto", family: "auto", samples: 8, entropy: "analytic", estimator: "reparam", init: "laplace" });
  });

  it("names an unknown option and suggests the nearest one", () => {
    const r = validateOptions({ samles: 4 });
    expect(codes(r)).toEqual(["PPL4103"]);
    expect(r.diagnostics[0]!.message).toContain("'samles'");
    expect(r.diagnostics[0]!.hint).toContain("did you mean 'samples'?");
    expect(r.diagnostics[0]!.hint).toContain("'learningRate'");
  });

  it("names the option and the valid values or range", () => {
    const r = validateOptions({ family: "fullrnk", samples: 0, learningRate: -1, clipNorm: "big", method: "nuts" });
    expect(codes(r)).toEqual(["PPL4104", "PPL4104", "PPL4104", "PPL4104", "PPL4104"]);
    const text = r.diagnostics.map((d) => d.message).join("\n");
    expect(text).toContain("fit option 'family' must be one of 'auto', 'meanfield', 'fullrank', 'lowrank', 'custom', got 'fullrnk'");
    expect(text).toContain("fit option 'samples' must be an integer in [1, 100000], got 0");
    expect(text).toContain("'learningRate' must be a number in (0, 10]");
    expect(text).toContain("'method' must be one of 'auto', 'advi'");
  });

  it("checks minSteps against maxSteps and the checkpoint object", () => {
    expect(codes(validateOptions({ minSteps: 50, maxSteps: 10 }))).toEqual(["PPL4104"]);
    expect(validateOptions({ checkpoint: { every: 0 } }).diagnostics[0]!.message).toContain("'every' is a positive integer");
    expect(validateOptions({ checkpoint: { every: 5, pth: "x" } }).diagnostics[0]!.message).toContain("unknown key 'pth'");
  });

  it("every option has a check", () => {
    expect(OPTION_NAMES).toContain("seed");
    expect(OPTION_NAMES).toContain("onProgress");
    expect(OPTION_NAMES.length).toBeGreaterThan(20);
  });
});

describe("method registry", () => {
  const continuous = { continuousLatents: ["mu"], discreteLatents: [], params: [] };
  it("auto picks advi for an all-continuous model, with its reason", () => {
    const r = resolveMethod("auto", continuous);
    expect(r.method?.name).toBe("advi");
    expect(r.reason).toContain("continuous");
  });
  it("an unknown method lists the valid ones", () => {
    const r = resolveMethod("advo", continuous);
    expect(codes(r)).toEqual(["PPL4101"]);
    expect(r.diagnostics[0]!.hint).toContain("did you mean 'advi'?");
    expect(r.diagnostics[0]!.hint).toContain("'auto'");
  });
  it("a method whose capability the model lacks says what would work", () => {
    const r = resolveMethod("advi", { continuousLatents: ["mu"], discreteLatents: ["z"], params: [] });
    expect(codes(r)).toEqual(["PPL4102"]);
    expect(r.diagnostics[0]!.message).toContain("'z' is discrete");
    // Discrete latents that CAVI does not take go to black-box VI.
    expect(resolveMethod("auto", { continuousLatents: [], discreteLatents: ["z"], params: [] }).method?.name).toBe("bbvi");
    expect(codes(resolveMethod("cavi", continuous))).toEqual(["PPL4102"]);
  });
  it("lists every method with its capabilities", () => {
    expect(METHODS.map((m) => m.name)).toEqual(["advi", "cavi", "ccvi", "bbvi", "bbb"]);
    expect(METHODS.find((m) => m.name === "advi")!.capabilities.discreteLatents).toBe(false);
  });
});
