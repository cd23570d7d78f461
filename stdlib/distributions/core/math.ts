/**
 * Small tensor helpers shared by the distribution files (called inside tf.tidy).
 */
import * as tf from "@tensorflow/tfjs";
import { broadcastShapes } from "./args.js";
import { type Rng, normals, openUniforms } from "./random.js";

export const LOG_2PI = Math.log(2 * Math.PI);
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
export const LOG_PI = Math.log(Math.PI);
export const LN2 = Math.LN2;
export const EULER_GAMMA = 0.5772156649015329;

/** The broadcast shape of some tensors. */
export function commonShape(...ts: tf.Tensor[]): number[] {
  let s: number[] = [];
  for (const t of ts) {
    const j = broadcastShapes(s, t.shape);
    if (j === null) throw new Error(`shapes [${s.join(", ")}] and [${t.shape.join(", ")}] do not broadcast`);
    s = j;
  }
  return s;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * `t` broadcast to `shape`. Numeric tensors broadcast by adding zeros: tf.broadcastTo runs as
 * Tile, slow on wasm, whose gradient is one Slice and one Add per repetition; an Add's gradient is
 * one Sum.
 */
export function broadcastTo(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (sameShape(t.shape, shape)) return t;
  if (t.dtype === "bool") return tf.broadcastTo(t, [...shape]);
  return tf.add(t, tf.zeros([...shape], t.dtype));
}

/**
 * where(cond, a, b) with every operand broadcast to the common shape. Runs the Select kernel
 * directly (tf.where clones every operand first: three Identity kernels, and three Casts in the
 * gradient); a number branch is a filled constant, not a broadcast.
 */
export function where(cond: tf.Tensor, a: tf.Tensor | number, b: tf.Tensor | number): tf.Tensor {
  let s: number[] = [...cond.shape];
  for (const x of [a, b]) {
    if (typeof x === "number") continue;
    const j = broadcastShapes(s, x.shape);
    if (j === null) throw new Error(`shapes [${s.join(", ")}] and [${x.shape.join(", ")}] do not broadcast`);
    s = j;
  }
  const dtype = typeof a !== "number" ? a.dtype : typeof b !== "number" ? b.dtype : "float32";
  const full = (x: tf.Tensor | number): tf.Tensor => (typeof x === "number" ? tf.fill(s, x, dtype) : broadcastTo(x, s));
  return tf.engine().runKernel("Select", { condition: broadcastTo(cond, s), t: full(a), e: full(b) }) as tf.Tensor;
}

/** `x` where `ok`, else `safe`: keeps the unused branch of a masked density finite (and its gradient 0, not NaN). */
export function safeWhere(ok: tf.Tensor, x: tf.Tensor, safe: number): tf.Tensor {
  return where(ok, x, safe);
}

/**
 * The log density `lp` where `ok`, -Infinity elsewhere; `lp` must be finite where `ok` is false
 * (evaluate it at a clamped or safe value). Adding log(ok) costs a cast, a log and an add, about a
 * third of a broadcasting `where` on wasm.
 */
export function inSupport(ok: tf.Tensor, lp: tf.Tensor): tf.Tensor {
  return tf.add(lp, tf.log(tf.cast(ok, "float32")));
}

/** max(x, tiny): a positive stand-in for x <= 0 that keeps logs finite (outside the support anyway). */
export function clampPositive(x: tf.Tensor): tf.Tensor {
  return tf.maximum(x, 1e-30);
}

/** x clamped into the open unit interval (float32). */
export function clampUnit(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(x, 1e-30, 1 - 2 ** -24);
}

/** 0/1 (float) tensors: is `x` an integer? */
export function isInteger(x: tf.Tensor): tf.Tensor {
  return tf.equal(tf.floor(x), x);
}

/** A tensor of standard normal noise of the given shape. */
export function normalNoise(rng: Rng, shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((p, k) => p * k, 1);
  return tf.tensor(normals(rng, n), [...shape], "float32");
}

/** A tensor of uniforms on (0, 1) of the given shape. */
export function uniformNoise(rng: Rng, shape: readonly number[]): tf.Tensor {
  const n = shape.reduce((p, k) => p * k, 1);
  return tf.tensor(openUniforms(rng, n), [...shape], "float32");
}

/** A parameter's values broadcast to a draw shape (a synchronous read). */
export function valuesAt(t: tf.Tensor, shape: readonly number[]): Float32Array {
  return tf.tidy(() => broadcastTo(t, shape)).dataSync() as Float32Array;
}

/** Per-element draws: `draw(i)` for each element of `shape`. */
export function drawEach(shape: readonly number[], draw: (i: number) => number): tf.Tensor {
  const n = shape.reduce((p, k) => p * k, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = draw(i);
  return tf.tensor(out, [...shape], "float32");
}

/** A constant tensor of a given shape (NaN or Infinity for undefined or infinite moments). */
export function filled(shape: readonly number[], v: number): tf.Tensor {
  return tf.fill([...shape], v, "float32");
}
