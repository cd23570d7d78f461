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

// -- Support masks -------------------------------------------------------------------------------
//
// A log density masks its value with "is x in the support" (inSupport) and evaluates its formula at
// a safe stand-in outside it (safeWhere). When the caller vouches that x lies in a support that
// depends on no parameter (observed data checked once), `logProb(x, { trustedSupport: true })` runs
// the same formula in a *trusted* scope where both are identities and the mask is never computed.
// A *collect* scope instead records the masks, which is how `supportMask(x)` reads the support a
// density actually applies. The scope is set by Distribution.logProb around its synchronous
// logProbImpl call only (save and restore, so a nested logProb runs in its own scope).

/** How the support helpers behave during one logProbImpl call (null: check, the default). */
export type SupportScope =
  | { readonly mode: "trusted"; readonly valueTerms?: Map<string, tf.Tensor> }
  | { readonly mode: "collect"; readonly masks: tf.Tensor[] };

let supportScope: SupportScope | null = null;

/** Runs `f` with the support helpers in `scope`, restoring the previous scope after. */
export function withSupportScope<T>(scope: SupportScope | null, f: () => T): T {
  const previous = supportScope;
  supportScope = scope;
  try {
    return f();
  } finally {
    supportScope = previous;
  }
}

/**
 * A term of the value alone (lgamma(k + 1), log x), given its key within one distribution: in a
 * trusted scope with a value-term cache (LogProbOptions.valueTerms, the caller's, for a value that
 * does not change) it is computed once and kept there; otherwise computed now. The kept tensor
 * belongs to the cache: combine it with something, never return it as it is.
 */
export function valueTerm(key: string, make: () => tf.Tensor): tf.Tensor {
  const cache = supportScope?.mode === "trusted" ? supportScope.valueTerms : undefined;
  if (!cache) return make();
  let t = cache.get(key);
  if (!t || t.isDisposed) {
    t = tf.keep(make());
    cache.set(key, t);
  }
  return t;
}

/** A support mask computed at most once, and not at all in a trusted scope (where nothing reads it). */
export type Mask = () => tf.Tensor;

/** The mask `make()` as a lazy, memoised value for inSupport and safeWhere. */
export function mask(make: () => tf.Tensor): Mask {
  let t: tf.Tensor | null = null;
  return () => (t ??= make());
}

const maskOf = (ok: tf.Tensor | Mask): tf.Tensor => (typeof ok === "function" ? ok() : ok);

/**
 * `x` where `ok`, else `safe`: keeps the unused branch of a masked density finite (and its gradient
 * 0, not NaN). For support masks of the value only (an identity in a trusted scope): guard a
 * parameter-dependent branch with `where`.
 */
export function safeWhere(ok: tf.Tensor | Mask, x: tf.Tensor, safe: number): tf.Tensor {
  if (supportScope?.mode === "trusted") return x;
  return where(maskOf(ok), x, safe);
}

/**
 * The log density `lp` where `ok`, -Infinity elsewhere; `lp` must be finite where `ok` is false
 * (evaluate it at a clamped or safe value). Adding log(ok) costs a cast, a log and an add, about a
 * third of a broadcasting `where` on wasm. `lp` itself in a trusted scope.
 */
export function inSupport(ok: tf.Tensor | Mask, lp: tf.Tensor): tf.Tensor {
  if (supportScope?.mode === "trusted") return lp;
  if (supportScope?.mode === "collect") {
    supportScope.masks.push(maskOf(ok));
    return lp;
  }
  return tf.add(lp, tf.log(tf.cast(maskOf(ok), "float32")));
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
