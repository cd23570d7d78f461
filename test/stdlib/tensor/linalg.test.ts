import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  cholesky,
  choleskySolve,
  diagPart,
  initBackend,
  linalgJs,
  logDetFromCholesky,
  logDetSpd,
  matmul,
  triangularSolve,
} from "../../../stdlib/tensor/index.js";
import { expectClose, expectNoLeak, numericGrad, randomArray, take } from "./helpers.js";

beforeAll(async () => {
  expect(await initBackend({ backend: "wasm" })).toBe("wasm");
});

/** A random SPD matrix M Mᵀ + n I (row-major, float32-representable). */
function spd(n: number, seed: number): Float32Array {
  const m = randomArray(n * n, seed);
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
      a[i * n + j] = s;
    }
  return a;
}

/** A random well-conditioned lower-triangular matrix. */
function lowerTri(n: number, seed: number): Float32Array {
  const r = randomArray(n * n, seed);
  const l = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = i === j ? 1 + Math.abs(r[i * n + j]!) : 0.5 * r[i * n + j]!;
  return l;
}

const transpose = (x: ArrayLike<number>, r: number, c: number): Float32Array => {
  const o = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[j * r + i] = x[i * c + j]!;
  return o;
};

describe("cholesky", () => {
  it("reconstructs random SPD matrices (batched) and is lower triangular", () => {
    for (const n of [1, 3, 8, 40]) {
      const data = new Float32Array([...spd(n, n), ...spd(n, n + 100)]);
      const a = tf.tensor(data, [2, n, n]);
      expectNoLeak(() => {
        const l = cholesky(a);
        expect(l.shape).toEqual([2, n, n]);
        const lv = Array.from(l.dataSync());
        for (let b = 0; b < 2; b++) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(lv[b * n * n + i * n + j]).toBe(0);
        const back = take(matmul(l, l, { transposeB: true }));
        expectClose(back, data, 2e-5, 2e-5 * n, `L Lᵀ (n=${n})`);
        l.dispose();
      });
      a.dispose();
    }
  });

  it("gives NaN for a matrix that is not positive definite (only that batch element)", () => {
    const a = tf.tensor([4, 2, 2, 3, 1, 2, 2, 1], [2, 2, 2]);
    expectNoLeak(() => {
      const v = take(cholesky(a));
      expectClose(v.slice(0, 4), [2, 0, 1, Math.sqrt(2)], 1e-6);
      expect(v.slice(4).every(Number.isNaN)).toBe(true);
    });
    a.dispose();
  });

  it("gradient matches float64 finite differences (through a symmetrised input)", () => {
    const n = 5;
    const a0 = spd(n, 7);
    const w = randomArray(n * n, 8);
    // f(A) = sum(W * chol((A + Aᵀ)/2)); float64 reference through linalgJs.
    const f64 = (x: Float64Array) => {
      const s = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (x[i * n + j]! + x[j * n + i]!);
      const l = linalgJs.cholesky(s, n)!;
      let t = 0;
      for (let i = 0; i < n * n; i++) t += w[i]! * l[i]!;
      return t;
    };
    const ref = numericGrad(f64, a0, 1e-6);
    const a = tf.tensor(a0, [n, n]);
    const wt = tf.tensor(w, [n, n]);
    expectNoLeak(() => {
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(cholesky(tf.mul(tf.add(x, tf.transpose(x)), 0.5)), wt)))(a);
      expectClose(take(g), ref, 2e-3, 1e-4, "dchol");
    });
    tf.dispose([a, wt]);
  });
});

describe("triangularSolve", () => {
  it("solves lower/upper, plain/adjoint systems with small residuals", () => {
    const n = 12;
    const k = 3;
    const l = lowerTri(n, 11);
    const u = transpose(l, n, n);
    const b = randomArray(n * k, 12);
    const bt = tf.tensor(b, [n, k]);
    for (const [mat, lower] of [[l, true], [u, false]] as const) {
      const at = tf.tensor(mat, [n, n]);
      for (const adjoint of [false, true]) {
        expectNoLeak(() => {
          const x = triangularSolve(at, bt, { lower, adjoint });
          const back = take(matmul(at, x, { transposeA: adjoint }));
          expectClose(back, b, 1e-5, 1e-5, `residual lower=${lower} adjoint=${adjoint}`);
          x.dispose();
        });
      }
      at.dispose();
    }
    bt.dispose();
  });

  it("broadcasts batch axes and accepts a vector right-hand side", () => {
    const n = 4;
    const l = tf.tensor(lowerTri(n, 21), [n, n]);
    const b = tf.tensor(randomArray(3 * n * 2, 22), [3, n, 2]);
    const v = tf.tensor(randomArray(n, 23));
    expectNoLeak(() => {
      const x = triangularSolve(l, b);
      expect(x.shape).toEqual([3, n, 2]);
      expectClose(take(matmul(l, x)), Array.from(b.dataSync()), 1e-5, 1e-5, "batched residual");
      x.dispose();
      const xv = triangularSolve(l, v);
      expect(xv.shape).toEqual([n]);
      expectClose(take(matmul(l, xv)), Array.from(v.dataSync()), 1e-5, 1e-5, "vector residual");
      xv.dispose();
    });
    tf.dispose([l, b, v]);
  });

  it("gradients with respect to both operands match float64 finite differences", () => {
    const n = 4;
    const k = 2;
    const l0 = lowerTri(n, 31);
    const b0 = randomArray(2 * n * k, 32);
    const w = randomArray(2 * n * k, 33);
    for (const lower of [true, false]) {
      for (const adjoint of [false, true]) {
        const a0 = lower ? l0 : transpose(l0, n, n);
        // Loss over a batch of two right-hand sides sharing A (A's gradient sums over the batch).
        const loss = (a: ArrayLike<number>, bb: ArrayLike<number>) => {
          let s = 0;
          for (let q = 0; q < 2; q++) {
            const x = linalgJs.solveTriangular(a, Array.from(bb).slice(q * n * k, (q + 1) * n * k), n, k, lower, adjoint);
            for (let i = 0; i < n * k; i++) s += w[q * n * k + i]! * x[i]!;
          }
          return s;
        };
        const ga = numericGrad((a) => loss(a, b0), a0, 1e-6);
        const gb = numericGrad((bb) => loss(a0, bb), b0, 1e-6);
        // Only A's triangle is read: the gradient is zero off it.
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (lower ? j > i : j < i) ga[i * n + j] = 0;
        const at = tf.tensor(a0, [n, n]);
        const bt = tf.tensor(b0, [2, n, k]);
        const wt = tf.tensor(w, [2, n, k]);
        expectNoLeak(() => {
          const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(triangularSolve(x, y, { lower, adjoint }), wt)))([at, bt]);
          expectClose(take(da!), ga, 1e-3, 1e-4, `dA lower=${lower} adjoint=${adjoint}`);
          expectClose(take(db!), gb, 1e-3, 1e-4, `dB lower=${lower} adjoint=${adjoint}`);
        });
        tf.dispose([at, bt, wt]);
      }
    }
  });
});

describe("log-determinants and choleskySolve", () => {
  it("logDetFromCholesky and logDetSpd match plain JS; gradient of logdet is A⁻¹", () => {
    const n = 6;
    const a0 = spd(n, 41);
    const l64 = linalgJs.cholesky(a0, n)!;
    const ref = linalgJs.logDetFromCholesky(l64, n);
    const a = tf.tensor(a0, [n, n]);
    expectNoLeak(() => {
      const l = cholesky(a);
      expect(take(logDetFromCholesky(l))[0]).toBeCloseTo(ref, 4);
      expect(take(logDetSpd(a))[0]).toBeCloseTo(ref, 4);
      expectClose(take(diagPart(l)), [0, 1, 2, 3, 4, 5].map((i) => l64[i * n + i]!), 1e-5);
      l.dispose();
      // d log det A / dA = A⁻¹ (symmetric).
      const g = take(tf.grad((x: tf.Tensor) => logDetSpd(x))(a));
      const inv = tf.tidy(() => Array.from(choleskySolve(cholesky(a), tf.eye(n)).dataSync()));
      expectClose(g, inv, 1e-3, 1e-5, "dlogdet");
    });
    a.dispose();
  });

  it("choleskySolve solves A x = b (batched)", () => {
    const n = 10;
    const a0 = new Float32Array([...spd(n, 51), ...spd(n, 52)]);
    const a = tf.tensor(a0, [2, n, n]);
    const b = tf.tensor(randomArray(2 * n * 3, 53), [2, n, 3]);
    expectNoLeak(() => {
      const l = cholesky(a);
      const x = choleskySolve(l, b);
      expectClose(take(matmul(a, x)), Array.from(b.dataSync()), 1e-4, 1e-5, "A x = b");
      tf.dispose([l, x]);
    });
    tf.dispose([a, b]);
  });
});
