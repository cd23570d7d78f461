/**
 * The trusted log-density path (`logProb(x, { trustedSupport: true })`) and `supportMask`: the
 * same numbers as the checked path wherever x is in the support, for every distribution in the
 * conformance table; ignored where the support depends on the parameters; and the mask is the
 * support logProb applies (-Infinity exactly where it is false).
 */
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { Binomial, Categorical, initBackend, type Distribution } from "../../../stdlib/index.js";
import { argsFromConstraints, rows, type Args } from "./table.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

const SEED = 20261124;
const flat = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

/** Values outside a fixed support, one per event, shaped like a draw of `d` ([n, ...event]). */
function outsideValues(d: Distribution, draw: tf.Tensor): tf.Tensor | null {
  const s = d.definition.support;
  switch (s.kind) {
    case "real":
      return null;
    case "positive":
      return tf.tensor([-1, -0.5], [2]);
    case "unit_interval":
      return tf.tensor([-0.5, 1.5], [2]);
    case "integer":
      return tf.tensor([2.5, -1], [2]);
    case "simplex":
      return tf.tidy(() => tf.add(tf.slice(draw, [0, 0], [2, -1]), tf.tensor([0.3, -2]).reshape([2, 1])));
    default:
      throw new Error(`no out-of-support values for ${s.kind}`);
  }
}

describe("fixedSupport", () => {
  it("is false exactly where the support depends on an argument", () => {
    const notFixed = rows.filter((r) => {
      const d = r.factory.create(fc.sample(r.args ?? argsFromConstraints(r.factory), { numRuns: 1, seed: SEED })[0] as never);
      const f = d.fixedSupport;
      d.dispose();
      return !f;
    });
    expect(notFixed.map((r) => r.factory.name).sort()).toEqual(["Binomial", "Categorical", "CategoricalLogit", "Multinomial", "Uniform"]);
  });
});

for (const row of rows) {
  const name = row.factory.name;
  describe(name, () => {
    it("trusted logProb equals the checked one on in-support values, in value and gradient", () => {
      fc.assert(
        fc.property(row.args ?? argsFromConstraints(row.factory), fc.integer({ min: 0, max: 1e6 }), (a: Args, s) => {
          const d = row.factory.create(a as never);
          const x = d.sample([12], s);
          const inside = flat(d.supportMask(x));
          const checked = flat(d.logProb(x));
          const trusted = flat(d.logProb(x, { trustedSupport: true }));
          // With a value-term cache: the same numbers on the first call and on a call that reuses it.
          const valueTerms = new Map<string, tf.Tensor>();
          const cached1 = flat(d.logProb(x, { trustedSupport: true, valueTerms }));
          const cached2 = flat(d.logProb(x, { trustedSupport: true, valueTerms }));
          expect(valueTerms.size > 0).toBe(d.fixedSupport && ["Bernoulli", "Beta", "Dirichlet", "Gamma", "InverseGamma", "LogNormal", "NegativeBinomial", "Poisson"].includes(name));
          expect([cached1, cached2]).toEqual([trusted, trusted]);
          tf.dispose([...valueTerms.values()]);
          // Draws lie in the support (a float32 Beta draw may round onto 0 or 1: compare where the mask says so).
          expect(inside.filter(Boolean).length).toBeGreaterThanOrEqual(inside.length === 1 ? 1 : inside.length - 1);
          checked.forEach((c, i) => {
            if (inside.length === 1 || inside[i]) expect(trusted[i]).toBe(c);
          });
          // Gradients in the continuous parameters agree too.
          const names = row.factory.definition.params.filter((p) => !p.integer).map((p) => p.name);
          if (names.length > 0 && inside.every(Boolean)) {
            const vars = names.map((n) => tf.tensor(a[n] as number[]));
            const grad = (trustedSupport: boolean) =>
              tf.grads((...ps: tf.Tensor[]) => {
                const named: Record<string, unknown> = { ...a };
                names.forEach((n, i) => (named[n] = ps[i]));
                const dd = row.factory.create(named as never, { validate: false });
                return tf.sum(dd.logProb(x, { trustedSupport }));
              })(vars);
            const g0 = grad(false).map(flat);
            const g1 = grad(true).map(flat);
            expect(g1).toEqual(g0);
            tf.dispose(vars);
          }
          x.dispose();
          d.dispose();
        }),
        { numRuns: 4, seed: SEED },
      );
    });

    it("supportMask is false exactly where logProb is -Infinity outside the support", () => {
      const a = fc.sample(row.args ?? argsFromConstraints(row.factory), { numRuns: 1, seed: SEED })[0] as Args;
      const d = row.factory.create(a as never);
      const draw = d.sample([2], 3);
      const bad = d.fixedSupport ? outsideValues(d, draw) : null;
      if (bad) {
        expect(flat(d.supportMask(bad))).toEqual([0, 0]);
        expect(flat(d.logProb(bad))).toEqual([-Infinity, -Infinity]);
        expect(flat(d.supportMask(draw)).every(Boolean)).toBe(true);
      } else if (d.fixedSupport) {
        // A support of all reals: no mask at all.
        const m = d.supportMask(draw);
        expect([m.shape, m.dtype, flat(m)]).toEqual([[], "bool", [1]]);
      }
      draw.dispose();
      bad?.dispose();
      d.dispose();
    });
  });
}

describe("a support that depends on the arguments", () => {
  it("ignores trustedSupport: out-of-range values stay -Infinity", () => {
    const b = Binomial(3, 0.4);
    expect(flat(b.logProb(tf.tensor([4, 2.5, 1]), { trustedSupport: true })).slice(0, 2)).toEqual([-Infinity, -Infinity]);
    const c = Categorical([0.2, 0.3, 0.5]);
    expect(flat(c.logProb(tf.tensor([3]), { trustedSupport: true }))).toEqual([-Infinity]);
    b.dispose();
    c.dispose();
  });

  it("supportMask there depends on the arguments", () => {
    const b = Binomial(tf.tensor([2, 5]), 0.4);
    expect(flat(b.supportMask(tf.tensor([4, 4])))).toEqual([0, 1]);
    b.dispose();
  });

  it("leaks no tensors", () => {
    const b = Binomial(3, 0.4);
    const x = tf.tensor([1, 2]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      b.logProb(x, { trustedSupport: true }).dispose();
      b.supportMask(x).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    b.dispose();
  });
});
