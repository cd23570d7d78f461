import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { type Bijector, bijectTo, hasBijector, registerBijector, softplusBijector } from "../../stdlib/bijectors/index.js";
import { CONSTRAINT_KINDS, type ConstraintSpec, checkValue, constraints, isDiscreteConstraint, sameConstraint } from "../../stdlib/constraints.js";
import { initBackend } from "../../stdlib/tensor/backend.js";

beforeAll(async () => {
  await initBackend({ backend: "wasm" });
});

/** log |det A| of a square matrix (float64 LU with partial pivoting). */
function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    [m[k], m[p]] = [m[p]!, m[k]!];
    const piv = m[k]![k]!;
    s += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = m[i]![k]! / piv;
      for (let j = k; j < n; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  return s;
}

/** Which entries of one constrained event are free coordinates (the rest follow from them). */
function freeCoordinates(c: ConstraintSpec, eventShape: readonly number[]): number[] {
  const size = eventShape.reduce((p, n) => p * n, 1);
  const all = [...Array(size).keys()];
  switch (c.kind) {
    case "simplex":
      return all.slice(0, size - 1);
    case "lower_cholesky":
    case "positive_definite":
    case "corr_cholesky": {
      const n = eventShape[0]!;
      const out: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < (c.kind === "corr_cholesky" ? i : i + 1); j++) out.push(i * n + j);
      return out;
    }
    default:
      return all;
  }
}

/** Central-difference Jacobian of u -> free coordinates of forward(u), for one event u. */
function numericalLogDet(b: Bijector, u: number[], h = 1e-2): number {
  const f = (v: number[]) => tf.tidy(() => Array.from(b.forward(tf.tensor1d(v)).dataSync()));
  const xShape = b.forwardEventShape([u.length]);
  const free = freeCoordinates(b.constraint, xShape);
  const cols: number[][] = [];
  for (let i = 0; i < u.length; i++) {
    const up = [...u];
    const dn = [...u];
    up[i]! += h;
    dn[i]! -= h;
    const fu = f(up);
    const fd = f(dn);
    cols.push(free.map((k) => (fu[k]! - fd[k]!) / (2 * h)));
  }
  const J = free.map((_, r) => cols.map((col) => col[r]!));
  return logAbsDet(J);
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

interface StructCase {
  readonly c: ConstraintSpec;
  /** Unconstrained event sizes to try. */
  readonly sizes: readonly number[];
  readonly range: number;
}

const structured: StructCase[] = [
  { c: constraints.simplex, sizes: [1, 2, 4, 7], range: 4 },
  { c: constraints.ordered, sizes: [1, 3, 5], range: 3 },
  { c: constraints.positiveOrdered, sizes: [1, 3, 5], range: 3 },
  { c: constraints.lowerCholesky, sizes: [1, 3, 6, 10], range: 2 },
  { c: constraints.corrCholesky, sizes: [1, 3, 6], range: 2 },
  { c: constraints.positiveDefinite, sizes: [1, 3, 6], range: 1.5 },
];

describe("bijectTo: the registry", () => {
  it("has a bijector for every continuous constraint kind, landing in that constraint", () => {
    const sample: Record<string, ConstraintSpec> = {
      greater_than: constraints.greaterThan(-2),
      less_than: constraints.lessThan(3),
      interval: constraints.interval(-1, 4),
      integer: constraints.anyInteger,
    };
    for (const kind of CONSTRAINT_KINDS) {
      const c = sample[kind] ?? ({ kind } as ConstraintSpec);
      if (isDiscreteConstraint(c)) {
        expect(hasBijector(kind)).toBe(false);
        expect(() => bijectTo(c)).toThrow(/no bijector reaches/);
      } else {
        expect(hasBijector(kind)).toBe(true);
        expect(sameConstraint(bijectTo(c).constraint, c)).toBe(true);
      }
    }
  });

  it("can swap the bijector of a kind and restore it", () => {
    const prev = registerBijector("positive", () => softplusBijector());
    try {
      expect(bijectTo(constraints.positive).name).toBe("softplus");
    } finally {
      registerBijector("positive", prev!);
    }
    expect(bijectTo(constraints.positive).name).toBe("exp");
  });

  it("maps event shapes both ways", () => {
    expect(bijectTo(constraints.simplex).forwardEventShape([5, 3])).toEqual([5, 4]);
    expect(bijectTo(constraints.simplex).inverseEventShape([4])).toEqual([3]);
    expect(bijectTo(constraints.lowerCholesky).forwardEventShape([6])).toEqual([3, 3]);
    expect(bijectTo(constraints.lowerCholesky).inverseEventShape([2, 3, 3])).toEqual([2, 6]);
    expect(bijectTo(constraints.corrCholesky).forwardEventShape([3])).toEqual([3, 3]);
    expect(bijectTo(constraints.corrCholesky).inverseEventShape([4, 4])).toEqual([6]);
    expect(bijectTo(constraints.positiveDefinite).forwardEventShape([10])).toEqual([4, 4]);
    expect(bijectTo(constraints.positive).forwardEventShape([2, 3])).toEqual([2, 3]);
    expect(() => bijectTo(constraints.lowerCholesky).forwardEventShape([4])).toThrow(/n\(n\+1\)\/2/);
  });
});

describe("element-wise bijectors (random bounds)", () => {
  const bounds = fc.oneof(
    fc.constant<ConstraintSpec>(constraints.real),
    fc.constant<ConstraintSpec>(constraints.positive),
    fc.constant<ConstraintSpec>(constraints.unitInterval),
    fc.double({ min: -50, max: 50, noNaN: true }).map((l) => constraints.greaterThan(l)),
    fc.double({ min: -50, max: 50, noNaN: true }).map((u) => constraints.lessThan(u)),
    fc
      .tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.05, max: 50, noNaN: true }))
      .map(([l, w]) => constraints.interval(l, l + w)),
  );
  const values = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 });

  it("round-trips, satisfies the constraint, and log|det J| matches finite differences", () => {
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(bounds, values, (c, us) => {
        const b = bijectTo(c);
        const u = tf.tensor1d(us);
        const { value, logDet } = b.forwardWithLogDet(u);
        const back = b.inverse(value);
        const x = Array.from(value.dataSync());
        const ld = Array.from(logDet.dataSync());
        const ub = Array.from(back.dataSync());
        const ld2 = tf.tidy(() => Array.from(b.logDetJacobian(u).dataSync()));
        tf.dispose([u, value, logDet, back]);
        expect(checkValue(c, x)).toBeNull();
        for (let i = 0; i < us.length; i++) {
          // float32: the inverse loses ~eps * |x| / |dx/du| in u.
          expect(Math.abs(ub[i]! - us[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(us[i]!)));
          expect(ld2[i]).toBeCloseTo(ld[i]!, 5);
          const h = 1e-2;
          const fwd = (v: number) => tf.tidy(() => b.forward(tf.scalar(v)).dataSync()[0]!);
          const d = (fwd(us[i]! + h) - fwd(us[i]! - h)) / (2 * h);
          expect(close(ld[i]!, Math.log(Math.abs(d)), 2e-2)).toBe(true);
        }
      }),
      { numRuns: 40, seed: 11 },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("softplus round-trips and its log|det J| is log sigmoid(u)", () => {
    const b = softplusBijector();
    const us = [-8, -1, 0, 0.5, 3, 20];
    tf.tidy(() => {
      const u = tf.tensor1d(us);
      const x = b.forward(u);
      expect(checkValue(constraints.positive, x.dataSync())).toBeNull();
      const back = Array.from(b.inverse(x).dataSync());
      back.forEach((v, i) => expect(v).toBeCloseTo(us[i]!, 3));
      Array.from(b.logDetJacobian(u).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(-Math.log1p(Math.exp(-us[i]!)), 5));
    });
  });

  it("keeps the interval's log|det J| finite far in the tails", () => {
    const b = bijectTo(constraints.interval(-1, 1));
    tf.tidy(() => {
      const ld = Array.from(b.logDetJacobian(tf.tensor1d([-200, -40, 40, 200])).dataSync());
      for (const v of ld) expect(Number.isFinite(v)).toBe(true);
      expect(ld[0]).toBeCloseTo(Math.log(2) - 200, 3);
    });
  });
});

describe("structured bijectors", () => {
  for (const { c, sizes, range } of structured) {
    describe(c.kind, () => {
      it("round-trips, satisfies the constraint, and log|det J| matches a numerical Jacobian", () => {
        const b = bijectTo(c);
        const before = tf.memory().numTensors;
        fc.assert(
          fc.property(
            fc.constantFrom(...sizes).chain((m) => fc.array(fc.double({ min: -range, max: range, noNaN: true }), { minLength: m, maxLength: m })),
            (us) => {
              const u = tf.tensor1d(us);
              const { value, logDet } = b.forwardWithLogDet(u);
              const back = b.inverse(value);
              const x = Array.from(value.dataSync());
              const shape = value.shape;
              const ld = logDet.dataSync()[0]!;
              const ub = Array.from(back.dataSync());
              tf.dispose([u, value, logDet, back]);
              expect(shape).toEqual(b.forwardEventShape([us.length]));
              expect(checkValue(c, x, undefined, shape)).toBeNull();
              ub.forEach((v, i) => expect(Math.abs(v - us[i]!)).toBeLessThan(5e-3 * Math.max(1, Math.abs(us[i]!))));
              expect(close(ld, numericalLogDet(b, us), 2e-2)).toBe(true);
            },
          ),
          { numRuns: 15, seed: 7 },
        );
        expect(tf.memory().numTensors).toBe(before);
      });

      it("keeps batch axes and is differentiable on wasm", () => {
        const b = bijectTo(c);
        const m = sizes[sizes.length - 1]!;
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const u = tf.randomUniform([2, 3, m], -1, 1, "float32", 5);
          const { value, logDet } = b.forwardWithLogDet(u);
          expect(value.shape).toEqual([2, 3, ...b.forwardEventShape([m])]);
          expect(logDet.shape).toEqual([2, 3]);
          // Batched log|det J| equals the per-event one.
          const first = tf.slice(u, [1, 2, 0], [1, 1, m]).reshape([m]);
          expect(logDet.arraySync() as number[][]).toSatisfy((a: number[][]) => close(a[1]![2]!, b.logDetJacobian(first).dataSync()[0]!, 1e-5));
          expect(b.inverse(value).shape).toEqual([2, 3, m]);
          const g = tf.grad((v: tf.Tensor) => tf.add(tf.sum(tf.mul(b.forward(v), tf.randomUniform(value.shape, 0, 1, "float32", 3))), tf.sum(b.logDetJacobian(v))))(u);
          expect(g.shape).toEqual(u.shape);
          for (const v of g.dataSync()) expect(Number.isFinite(v)).toBe(true);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  }

  it("maps u = 0 to the uniform simplex and the identity correlation", () => {
    tf.tidy(() => {
      const s = Array.from(bijectTo(constraints.simplex).forward(tf.zeros([4])).dataSync());
      s.forEach((v) => expect(v).toBeCloseTo(0.2, 6));
      const r = Array.from(bijectTo(constraints.corrCholesky).forward(tf.zeros([3])).dataSync());
      expect(r).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    });
  });

  it("says when a positive-definite inverse gets a matrix that is not", () => {
    tf.tidy(() => {
      expect(() => bijectTo(constraints.positiveDefinite).inverse(tf.tensor2d([1, 2, 2, 1], [2, 2]))).toThrow(/not positive definite/);
    });
  });
});
