import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { APPROXIMATION_KINDS, approximationFromState, GaussianApproximation, LatentTransform, MeanFieldGuide, type LatentLayout } from "../../inference/index.js";
import { PplError } from "../../language/index.js";
import { initBackend, Rng } from "../../stdlib/index.js";
import { span } from "./helpers.js";

beforeAll(async () => {
  await initBackend();
});

const positive: LatentLayout = { name: "s", shape: [], size: 1, constraint: { kind: "positive" } as LatentLayout["constraint"], discrete: false, offset: 0, unconstrainedSize: 1, span: span(3) };
const z: LatentLayout = { name: "z", shape: [2], size: 2, constraint: { kind: "integer", lower: 0, upper: 3 } as LatentLayout["constraint"], discrete: true, offset: 0, unconstrainedSize: 0, span: span(4) };

describe("approximation registry", () => {
  it("gives each family to exactly one kind", () => {
    const families = APPROXIMATION_KINDS.flatMap((k) => [...k.families]);
    expect(new Set(families).size).toBe(families.length);
    expect(families).toEqual(expect.arrayContaining(["meanfield", "fullrank", "lowrank"]));
  });

  it("rejects an unknown family with PPL4105 naming the known ones", () => {
    try {
      approximationFromState({ family: "normalising-flow" }, [positive]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PplError);
      const d = (e as PplError).diagnostics[0]!;
      expect(d.code).toBe("PPL4105");
      expect(d.message).toContain("normalising-flow");
      expect(d.message).toContain("meanfield");
    }
  });

  it("a Gaussian guide's log q over constrained values is log q(z) - log|det J| (log-normal density)", () => {
    // q(u) = Normal(0.3, 0.5) on u = log s, so s is LogNormal(0.3, 0.5).
    const guide = new MeanFieldGuide(1, { mean: [0.3], sd: [0.5] });
    const q = new GaussianApproximation(guide, new LatentTransform([positive, z], 1), true);
    const before = tf.memory().numTensors;
    const { values, logQ } = q.draw(64, new Rng(7));
    const s = Array.from(values.get("s")!.dataSync());
    const lq = Array.from(logQ.dataSync());
    values.forEach((t) => t.dispose());
    logQ.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(values.has("z")).toBe(false);
    for (let i = 0; i < s.length; i++) {
      const x = s[i]!;
      const exact = -Math.log(x) - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) - 0.5 * ((Math.log(x) - 0.3) / 0.5) ** 2;
      expect(lq[i]!).toBeCloseTo(exact, 4);
    }
    // The state round-trips through the registry (the discrete latent is skipped by the Gaussian kind).
    const again = approximationFromState(q.state(), [positive, z]);
    const d1 = q.draw(5, new Rng(9));
    const d2 = again.draw(5, new Rng(9));
    expect(Array.from(d2.values.get("s")!.dataSync())).toEqual(Array.from(d1.values.get("s")!.dataSync()));
    for (const d of [d1, d2]) {
      d.values.forEach((t) => t.dispose());
      d.logQ.dispose();
    }
    again.dispose();
    q.dispose();
  });
});
