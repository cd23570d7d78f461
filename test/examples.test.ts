/** Every shipped example compiles with no errors and no warnings, and its data checks clean. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frontEnd } from "../cli/pipeline.js";

const dir = join(import.meta.dirname, "../examples");
const examples = readdirSync(dir).filter((f) => f.endsWith(".ppl")).sort();

describe("examples", () => {
  it("ships the examples the README lists", () => {
    for (const name of ["coin", "normal_gamma", "linreg", "logreg", "eight_schools", "gmm", "vae", "cvae", "bnn", "linreg_gamma", "poisson_groups", "gmm_conjugate", "lda"]) {
      expect(examples).toContain(`${name}.ppl`);
    }
  });

  for (const f of examples) {
    it(`${f} compiles and its data checks`, () => {
      const r = frontEnd(join("examples", f), {});
      expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(r.value?.dataPath).toBe(join("examples", f.replace(/\.ppl$/, ".data.json")));
      const g = r.value!.graph;
      expect([...g.nodes.values()].some((n) => n.kind === "latent" || n.kind === "network")).toBe(true);
    });
  }
});
