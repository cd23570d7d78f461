/** Shared helpers for the tensor-layer tests. */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";

/** Run `fn` and check it leaves the live tensor count unchanged (results must be disposed by fn). */
export function expectNoLeak<R>(fn: () => R): R {
  const before = tf.memory().numTensors;
  const r = fn();
  expect(tf.memory().numTensors).toBe(before);
  return r;
}

/** Read a tensor's values and dispose it. */
export function take(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** |a - b| <= atol + rtol * |b|, elementwise, with a readable failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol = 0, label = ""): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) ? !Number.isNaN(a) : !(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && a !== e) {
      const excess = Math.abs(a - e) / (atol + rtol * Math.abs(e));
      if (!(excess <= worstExcess)) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (worst >= 0) {
    expect.fail(`${label} element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Float32-representable grid, geometric when `log`. */
export function grid(lo: number, hi: number, n: number, log = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? 0 : i / (n - 1);
    out.push(Math.fround(log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo)));
  }
  return out;
}

/** Central finite difference of a float64 function of a vector. */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const v = xp[i]!;
    const step = h * Math.max(1, Math.abs(v));
    xp[i] = v + step;
    const fp = f(xp);
    xp[i] = v - step;
    const fm = f(xp);
    xp[i] = v;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

/** A deterministic pseudo-random float array (mulberry32), for test inputs. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = Math.fround(lo + (hi - lo) * u);
  }
  return out;
}
