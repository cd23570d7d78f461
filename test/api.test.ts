/** The public TypeScript API: `compile` and what it returns. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PplError, compile } from "../index.js";

const eight = readFileSync("examples/eight_schools.ppl", "utf8");
const eightData = JSON.parse(readFileSync("examples/eight_schools.data.json", "utf8"));

describe("compile", () => {
  it("compiles a model and exposes its graph", () => {
    const m = compile(eight, { file: "eight_schools.ppl" });
    expect(m.name).toBe("EightSchools");
    expect([...m.graph.nodes.values()].filter((n) => n.kind === "latent").map((n) => n.name)).toEqual(["mu", "tau", "eta"]);
    expect(m.warnings).toEqual([]);
    expect(m.graphText()).toContain("theta");
    expect(m.graphDot()).toMatch(/^digraph/);
    expect(m.graphJson().model).toBe("EightSchools");
  });

  it("throws a PplError carrying every diagnostic, renderable with the source", () => {
    let caught: unknown;
    try {
      compile("model M {\n  latent p: real\n  p ~ Beta(1, 1)\n  q ~ Normall(0, 1)\n}\n", { file: "bad.ppl" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PplError);
    const err = caught as PplError;
    expect(err.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/^PPL2\d{3}: /);
    const text = err.render();
    expect(text).toContain("bad.ppl:3:3");
    expect(text).toContain("^");
  });

  it("passes compile-time arguments and rejects unknown ones", () => {
    expect(compile(eight, { args: { scale: 2 } }).name).toBe("EightSchools");
    expect(() => compile(eight, { args: { scal: 2 } })).toThrow(PplError);
  });

  it("checks data and fills in the sizes", () => {
    const m = compile(eight);
    const bound = m.checkData(eightData);
    expect(bound.sizes.get("J")).toBe(8);
    const g = m.graphFor(bound);
    expect([...g.plates.values()][0]!.concreteSize).toBe(8);
    expect(() => m.checkData({ ...eightData, y: [1, 2] })).toThrow(PplError);
    const negative = () => m.checkData({ ...eightData, sigma: eightData.sigma.map((s: number) => -s) });
    expect(negative).toThrow(PplError);
    expect(() => negative()).toThrow(/PPL3110/);
  });
});
