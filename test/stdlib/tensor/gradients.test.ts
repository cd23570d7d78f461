import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, matmul, stopGradient } from "../../../stdlib/tensor/index.js";
import { expectClose, expectNoLeak, randomArray, take } from "./helpers.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

/** Row-major float64 batched matmul with NumPy broadcasting of batch axes. */
function refMatmul(a: ArrayLike<number>, as: number[], b: ArrayLike<number>, bs: number[]): { v: Float64Array; shape: number[] } {
  const m = as[as.length - 2]!;
  const k = as[as.length - 1]!;
  const n = bs[bs.length - 1]!;
  const ab = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const pa = [...Array(r - ab.length).fill(1), ...ab];
  const pb = [...Array(r - bb.length).fill(1), ...bb];
  const ob = pa.map((v, i) => Math.max(v, pb[i]!));
  const total = ob.reduce((s, v) => s * v, 1);
  const v = new Float64Array(total * m * n);
  for (let o = 0; o < total; o++) {
    let rem = o;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const c = rem % ob[d]!;
      rem = Math.floor(rem / ob[d]!);
      ia += (pa[d] === 1 ? 0 : c) * sa;
      ib += (pb[d] === 1 ? 0 : c) * sb;
      sa *= pa[d]!;
      sb *= pb[d]!;
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[ia * m * k + i * k + t]! * b[ib * k * n + t * n + j]!;
        v[o * m * n + i * n + j] = s;
      }
  }
  return { v, shape: [...ob, m, n] };
}

/** Gradients of sum(W * (A @ B)) with respect to A and B, by float64 finite differences (exact: bilinear). */
function refGrads(a: Float32Array, as: number[], b: Float32Array, bs: number[], w: Float32Array): { ga: Float64Array; gb: Float64Array } {
  const loss = (aa: ArrayLike<number>, bb: ArrayLike<number>) => {
    const { v } = refMatmul(aa, as, bb, bs);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * w[i]!;
    return s;
  };
  const ga = new Float64Array(a.length);
  const gb = new Float64Array(b.length);
  const base = loss(a, b);
  for (let i = 0; i < a.length; i++) {
    const c = Float64Array.from(a);
    c[i]! += 1;
    ga[i] = loss(c, b) - base;
  }
  for (let i = 0; i < b.length; i++) {
    const c = Float64Array.from(b);
    c[i]! += 1;
    gb[i] = loss(a, c) - base;
  }
  return { ga, gb };
}

const size = (s: number[]) => s.reduce((p, v) => p * v, 1);

describe("BatchMatMul gradient (re-registered)", () => {
  const cases: [string, number[], number[]][] = [
    ["[M,K]@[K,N]", [4, 3], [3, 5]],
    ["[M,K]@[K,N] with a large B (dy @ Bᵀ folded to (B @ dyᵀ)ᵀ)", [2, 3], [3, 40]],
    ["[B,M,K]@[K,N] (threw in tfjs 4.22)", [2, 4, 3], [3, 5]],
    ["[B,M,K]@[B,K,N]", [2, 4, 3], [2, 3, 5]],
    ["[M,K]@[B,K,N]", [4, 3], [2, 3, 5]],
    ["[2,1,M,K]@[3,K,N] broadcast", [2, 1, 4, 3], [3, 3, 5]],
    ["[1,M,K]@[2,K,N]", [1, 4, 3], [2, 3, 5]],
    ["[2,M,K]@[1,K,N]", [2, 4, 3], [1, 3, 5]],
  ];
  for (const [name, as, bs] of cases) {
    it(`${name}: matmul value and gradients match float64`, () => {
      const a = randomArray(size(as), 1);
      const b = randomArray(size(bs), 2);
      const { v, shape } = refMatmul(a, as, b, bs);
      const w = randomArray(v.length, 3);
      const { ga, gb } = refGrads(a, as, b, bs, w);
      const at = tf.tensor(a, as, "float32");
      const bt = tf.tensor(b, bs, "float32");
      const wt = tf.tensor(Float32Array.from(w), shape, "float32");
      expectNoLeak(() => {
        const y = matmul(at, bt);
        expect(y.shape).toEqual(shape);
        expectClose(take(y), v, 1e-5, 1e-5, "value");
        // Through our matmul and through tf.matMul directly (which uses the same kernel gradient).
        for (const f of [matmul, (x: tf.Tensor, z: tf.Tensor) => tf.matMul(x, z)]) {
          const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), wt)))([at, bt]);
          expectClose(take(da!), ga, 1e-4, 1e-4, "dA");
          expectClose(take(db!), gb, 1e-4, 1e-4, "dB");
        }
      });
      tf.dispose([at, bt, wt]);
    });
  }

  it("handles transpose flags passed to tf.matMul (all four combinations)", () => {
    const a = randomArray(12, 4);
    const b = randomArray(15, 5);
    const w = randomArray(20, 6);
    const { ga, gb } = refGrads(a, [4, 3], b, [3, 5], w);
    const transpose = (x: ArrayLike<number>, r: number, c: number) => {
      const o = new Float32Array(x.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[j * r + i] = x[i * c + j]!;
      return o;
    };
    const wt = tf.tensor(w, [4, 5]);
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const at = ta ? tf.tensor(transpose(a, 4, 3), [3, 4]) : tf.tensor(a, [4, 3]);
      const bt = tb ? tf.tensor(transpose(b, 3, 5), [5, 3]) : tf.tensor(b, [3, 5]);
      expectNoLeak(() => {
        const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, z as tf.Tensor2D, ta, tb), wt)))([at, bt]);
        expectClose(take(da!), ta ? transpose(ga, 4, 3) : ga, 1e-4, 1e-4, `dA ${ta}${tb}`);
        expectClose(take(db!), tb ? transpose(gb, 3, 5) : gb, 1e-4, 1e-4, `dB ${ta}${tb}`);
        // The same through matmul's options.
        const [da2, db2] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(matmul(x, z, { transposeA: ta, transposeB: tb }), wt)))([at, bt]);
        expectClose(take(da2!), ta ? transpose(ga, 4, 3) : ga, 1e-4, 1e-4, `matmul dA ${ta}${tb}`);
        expectClose(take(db2!), tb ? transpose(gb, 3, 5) : gb, 1e-4, 1e-4, `matmul dB ${ta}${tb}`);
      });
      tf.dispose([at, bt]);
    }
    wt.dispose();
  });

  it("matmul promotes vectors like NumPy and rejects mismatched shapes", () => {
    const m = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const v3 = tf.tensor([1, 0, -1]);
    const v2 = tf.tensor([1, 1]);
    expectNoLeak(() => {
      const mv = matmul(m, v3);
      expect(mv.shape).toEqual([2]);
      expect(take(mv)).toEqual([-2, -2]);
      const vm = matmul(v2, m);
      expect(vm.shape).toEqual([3]);
      expect(take(vm)).toEqual([5, 7, 9]);
      const dot = matmul(v3, v3);
      expect(dot.shape).toEqual([]);
      expect(take(dot)).toEqual([2]);
      expect(() => matmul(m, m)).toThrow(/inner dimensions/);
    });
    tf.dispose([m, v3, v2]);
  });
});

describe("zero gradients for comparisons and logical ops", () => {
  it("where(x > 0, a, b) works under tf.grad", () => {
    const x = tf.tensor([-2, -0.5, 0.5, 3]);
    expectNoLeak(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.where(tf.greater(t, 0), tf.square(t), tf.mul(t, -3))))(x);
      expectClose(take(g), [-3, -3, 1, 6], 1e-6);
    });
    x.dispose();
  });

  it("every comparison and logical op passes a zero gradient", () => {
    const x = tf.tensor([-2, -0.5, 0.5, 3]);
    const ops: ((t: tf.Tensor) => tf.Tensor)[] = [
      (t) => tf.greaterEqual(t, 0),
      (t) => tf.less(t, 0),
      (t) => tf.lessEqual(t, 1),
      (t) => tf.equal(t, 0.5),
      (t) => tf.notEqual(t, 0.5),
      (t) => tf.logicalAnd(tf.greater(t, -1), tf.less(t, 1)),
      (t) => tf.logicalOr(tf.greater(t, 2), tf.less(t, -1)),
      (t) => tf.logicalNot(tf.greater(t, 0)),
      (t) => tf.logicalXor(tf.greater(t, 0), tf.greater(t, 1)),
      (t) => tf.isNaN(t),
    ];
    for (const op of ops) {
      expectNoLeak(() => {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.where(op(t), t, tf.mul(t, 2))))(x);
        const mask = tf.tidy(() => Array.from(op(x).dataSync()));
        expect(take(g)).toEqual(mask.map((m) => (m ? 1 : 2)));
      });
    }
    x.dispose();
  });
});

describe("gather and slicing under gradients (no UnsortedSegmentSum on wasm)", () => {
  it("gather's gradient scatters and sums duplicate indices, on any axis", () => {
    const x = tf.tensor(randomArray(12, 7), [3, 4]);
    expectNoLeak(() => {
      const g0 = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], "int32"))))(x);
      expect(take(g0)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2]);
      const w = tf.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
      const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([3, 1, 3], "int32"), 1), w)))(x);
      expect(take(g1)).toEqual([0, 2, 0, 1 + 3, 0, 5, 0, 4 + 6, 0, 8, 0, 7 + 9]);
      w.dispose();
      const gnd = tf.grad((t: tf.Tensor) => tf.sum(tf.gatherND(t, tf.tensor2d([[0, 1], [2, 3], [0, 1]], [3, 2], "int32"))))(x);
      expect(take(gnd)).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    });
    x.dispose();
  });

  it("stridedSlice has a gradient (unit, negative and non-unit strides, masks)", () => {
    const x = tf.tensor(randomArray(30, 8), [5, 6]);
    // (tfjs's StridedSlice kernel itself is wrong for a shrunk axis combined with a non-unit
    // stride on another axis, on cpu and wasm alike, so that combination is not tested.)
    const cases: [number[], number[], number[], number, number, number, number, number][] = [
      [[1, 0], [4, 6], [1, 1], 0, 0, 0, 0, 0],
      [[1, -1], [4, 0], [1, -2], 0, 0, 0, 0, 0],
      [[0, 1], [5, 6], [2, 3], 0, 0, 0, 0, 0],
      [[2, 0], [3, 6], [1, 1], 0, 0, 0, 0, 1],
      [[2, 0], [3, 6], [1, 2], 0, 0, 0, 0, 0],
      [[0, 0], [0, 0], [1, 1], 3, 3, 0, 0, 0],
      [[0, 1], [0, 4], [1, 1], 0, 0, 0, 1, 0],
      [[-1], [0], [-1], 0, 0, 0, 0, 0],
    ];
    for (const c of cases) {
      expectNoLeak(() => {
        // d/dx sum(w * slice(x)) is w scattered back: check with x's own values as weights.
        const y = tf.stridedSlice(x, ...c);
        const w = tf.randomUniform(y.shape, 0, 1, "float32", 3);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.stridedSlice(t, ...c), w)))(x);
        // Reference: the same gradient through the identity sum(w * slice(x)) = sum(g * x) for
        // all x, checked on x and on 2x (linear) plus g * x equal to w * slice(x) summed.
        const lhs = tf.tidy(() => tf.sum(tf.mul(y, w)).dataSync()[0]!);
        const rhs = tf.tidy(() => tf.sum(tf.mul(g, x)).dataSync()[0]!);
        expect(rhs).toBeCloseTo(lhs, 4);
        // Each input element gets at most one weight (no overlaps in a strided slice).
        const gv = take(g);
        const wv = take(w);
        const nonzero = gv.filter((v) => v !== 0).sort();
        expect(nonzero).toEqual(wv.filter((v) => v !== 0).sort());
        y.dispose();
      });
    }
    x.dispose();
  });
});

describe("Unpack gradient", () => {
  it("tf.linalg.bandPart of one matrix works under a gradient; unused unstacked slices get zeros", () => {
    const x = tf.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expectNoLeak(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.linalg.bandPart(t, -1, 0), t)))(x);
      // d/dt sum(lower(t) * t) = 2 t on the lower triangle, 0 above.
      expect(take(g)).toEqual([2, 0, 0, 8, 10, 0, 14, 16, 18]);
      const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.unstack(t)[1]!))(x);
      expect(take(g2)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0]);
    });
    x.dispose();
  });
});

describe("stopGradient", () => {
  it("passes the value and blocks the gradient", () => {
    const x = tf.tensor([1, 2, 3]);
    expectNoLeak(() => {
      const v = stopGradient(x);
      expect(take(v)).toEqual([1, 2, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(t), t), stopGradient(tf.square(t)))))(x);
      expect(take(g)).toEqual([1, 2, 3]);
    });
    x.dispose();
  });
});
