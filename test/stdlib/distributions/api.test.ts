/**
 * The user-facing surface: factories that are also signatures, shapes and broadcasting, argument
 * errors by name, disposal.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Categorical,
  CategoricalLogit,
  Dirichlet,
  DistributionArgumentError,
  Gamma,
  MultivariateNormal,
  Normal,
  NormalDefinition,
  Uniform,
  distributionRegistry,
  stdlibSignatures,
} from "../../../stdlib/index.js";
import { initBackend } from "../../../stdlib/tensor/backend.js";
import { Rng } from "../../../stdlib/tensor/rng.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

function argError(f: () => unknown): DistributionArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DistributionArgumentError);
    return e as DistributionArgumentError;
  }
  throw new Error("no error");
}

describe("factories", () => {
  it("are callable and carry the signature", () => {
    expect(Normal.name).toBe("Normal");
    expect(Normal.params.map((p) => p.name)).toEqual(["loc", "scale"]);
    expect(Normal.support).toEqual({ kind: "real" });
    expect(Normal.definition).toBe(NormalDefinition);
    expect(distributionRegistry.get("Normal")).toBe(NormalDefinition);
    // The checker's view stays plain data.
    const sig = stdlibSignatures().distributions.get("Normal")!;
    expect(typeof sig).toBe("object");
    expect(JSON.parse(JSON.stringify(sig))).toEqual(JSON.parse(JSON.stringify(NormalDefinition)));
    const d = Normal(0, 1);
    expect(d.name).toBe("Normal");
    expect(d.definition).toBe(NormalDefinition);
    d.dispose();
  });

  it("accept numbers, nested arrays and tensors, and broadcast them", () => {
    const scale = tf.tensor([[1], [2]]);
    const d = Normal([0, 1, 2], scale);
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([]);
    expect(d.params.loc!.shape).toEqual([2, 3]);
    const lp = d.logProb(0);
    expect(lp.shape).toEqual([2, 3]);
    const s = d.sample([4], 1);
    expect(s.shape).toEqual([4, 2, 3]);
    expect(d.logProb(s).shape).toEqual([4, 2, 3]);
    tf.dispose([lp, s]);
    d.dispose();
    expect(scale.isDisposed).toBe(false); // the caller's tensor stays the caller's
    scale.dispose();
  });

  it("give event shapes from the event argument", () => {
    const dir = Dirichlet([[1, 2, 3], [1, 1, 1]]);
    expect(dir.batchShape).toEqual([2]);
    expect(dir.eventShape).toEqual([3]);
    const x = dir.sample([5], 2);
    expect(x.shape).toEqual([5, 2, 3]);
    expect(dir.logProb(x).shape).toEqual([5, 2]);
    const mvn = MultivariateNormal([0, 0], [[1, 0], [0.5, 2]]);
    expect(mvn.eventShape).toEqual([2]);
    expect(mvn.batchShape).toEqual([]);
    const cat = Categorical([[0.2, 0.8], [0.5, 0.5], [1, 0]]);
    expect(cat.batchShape).toEqual([3]);
    expect(cat.eventShape).toEqual([]);
    const c = cat.sample([10], 3);
    expect(c.shape).toEqual([10, 3]);
    expect(Array.from(c.dataSync()).filter((_, i) => i % 3 === 2)).toEqual(new Array(10).fill(0));
    tf.dispose([x, c]);
    [dir, mvn, cat].forEach((d) => d.dispose());
  });

  it("reject bad arguments by name", () => {
    expect(argError(() => Normal(0, -1)).message).toBe("argument 'scale' of Normal must be positive, got -1");
    const b = argError(() => Normal([0, 1, 2], [1, 2]));
    expect(b.message).toBe("arguments 'loc' (shape [3]) and 'scale' (shape [2]) of Normal do not broadcast");
    expect(argError(() => Gamma(1, [1, 0, 2])).message).toMatch(/^argument 'rate' of Gamma must be positive, got 0 at index \[1\]/);
    expect(argError(() => Categorical([0.5, 0.6])).message).toMatch(/^argument 'probs' of Categorical must be a simplex .*sums to 1\.1/);
    expect(argError(() => CategoricalLogit(1)).message).toMatch(/argument 'logits' of CategoricalLogit must be a vector/);
    expect(argError(() => Uniform(1, 0)).message).toMatch(/^argument 'upper' of Uniform must be greater than 'lower'/);
    expect(argError(() => MultivariateNormal([0, 0, 0], [[1, 0], [0, 1]])).message).toMatch(/disagree on the event size/);
    expect(argError(() => Normal.create({ loc: 0, scale: 1, sd: 2 } as never)).message).toMatch(/Normal has no argument 'sd'/);
    expect(argError(() => Normal([[1, 2], [3]] as never, 1)).message).toMatch(/ragged/);
    const e = argError(() => Normal(0, -1));
    expect([e.distribution, e.argument, e.value]).toEqual(["Normal", "scale", -1]);
  });

  it("take a seed or an Rng, and never draw without one", () => {
    const d = Normal(0, 1);
    const a = d.sample([3], new Rng(5));
    const b = d.sample([3], 5);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const r = new Rng(9);
    const c1 = d.sample([3], r);
    const c2 = d.sample([3], r);
    expect(Array.from(c1.dataSync())).not.toEqual(Array.from(c2.dataSync()));
    expect(() => d.sample([3], NaN)).toThrow(/seed/);
    tf.dispose([a, b, c1, c2]);
    d.dispose();
    expect(() => d.logProb(0)).toThrow(/disposed/);
  });

  it("free what they created and nothing else", () => {
    const before = tf.memory().numTensors;
    const d = Normal([0, 1], 1);
    d.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      const g = tf.grad((s: tf.Tensor) => Normal(0, s).logProb([1, 2]).sum())(tf.scalar(1.5));
      expect(g.dataSync()[0]).toBeCloseTo(-2 / 1.5 + (1 + 4) / 1.5 ** 3, 4);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
