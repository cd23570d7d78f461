/**
 * Runtime values of the log-joint evaluator and how their axes line up.
 *
 * A value's tensor may carry leading *frame* axes before its own axes: the Monte Carlo sample
 * axis S first, then one axis per vectorised `for` loop it sits in (outermost first). `frame`
 * says how many of those leading axes the tensor has (a prefix of [S, L1, L2, ...]); an axis the
 * value does not vary along has size 1. Data and compile-time constants have frame 0 (no frame
 * axes at all), so they are never broadcast over S until an operation needs it: `X @ w` with X
 * data [N, D] and w [S, D] is computed as w @ Xᵀ, not as S copies of X.
 */
import * as tf from "@tensorflow/tfjs";

export interface Value {
  readonly t: tf.Tensor;
  /** Number of leading frame axes in `t` (0: none, 1: [S], 2: [S, L1], ...). */
  readonly frame: number;
  /** The value as a plain number when it is known without evaluation (sizes, literals, args). */
  readonly num?: number;
  /** A long-lived tensor (data, constants cached at build time), safe to cache derived tensors of. */
  readonly persistent?: boolean;
}

export const ownRank = (v: Value): number => v.t.rank - v.frame;
export const ownShape = (v: Value): number[] => v.t.shape.slice(v.frame);
export const frameShape = (v: Value): number[] => v.t.shape.slice(0, v.frame);

export function unframed(t: tf.Tensor, num?: number): Value {
  return num === undefined ? { t, frame: 0 } : { t, frame: 0, num };
}

export function framed(t: tf.Tensor, frame: number): Value {
  return { t, frame };
}

export const asFloat = (t: tf.Tensor): tf.Tensor => (t.dtype === "float32" ? t : tf.cast(t, "float32"));
export const asInt = (t: tf.Tensor): tf.Tensor => (t.dtype === "int32" ? t : tf.cast(t, "int32"));
export const asBool = (t: tf.Tensor): tf.Tensor => (t.dtype === "bool" ? t : tf.notEqual(t, 0));

const ones = (n: number): number[] => Array.from({ length: Math.max(0, n) }, () => 1);

/**
 * The tensor of a framed value reshaped to `frame` frame axes and `own` own axes (size-1 axes
 * inserted after its frame and before its own axes). An unframed value is returned as it is when
 * right-aligned broadcasting already lines it up.
 */
export function expandTo(v: Value, frame: number, own: number): tf.Tensor {
  const r = ownRank(v);
  if (v.frame === 0) return v.t;
  if (v.frame === frame && r === own) return v.t;
  const s = v.t.shape;
  return tf.reshape(v.t, [...s.slice(0, v.frame), ...ones(frame - v.frame), ...ones(own - r), ...s.slice(v.frame)]);
}

/** Tensors of several values lined up for NumPy broadcasting, and the frame of the result. */
export function align(vals: readonly Value[]): { ts: tf.Tensor[]; frame: number; own: number } {
  let frame = 0;
  let own = 0;
  for (const v of vals) {
    frame = Math.max(frame, v.frame);
    own = Math.max(own, ownRank(v));
  }
  if (frame === 0) return { ts: vals.map((v) => v.t), frame, own };
  return { ts: vals.map((v) => expandTo(v, frame, own)), frame, own };
}

/** Applies a broadcasting element-wise op to aligned values. */
export function elementwise(vals: readonly Value[], op: (...ts: tf.Tensor[]) => tf.Tensor): Value {
  const { ts, frame } = align(vals);
  return { t: op(...ts), frame };
}

/** A value with the frame axes made explicit at `frame` (size 1 where it does not vary). */
export function withFrame(v: Value, frame: number): tf.Tensor {
  if (v.frame === frame) return v.t;
  return tf.reshape(v.t, [...v.t.shape.slice(0, v.frame), ...ones(frame - v.frame), ...v.t.shape.slice(v.frame)]);
}

/** Broadcast shape of two shapes (NumPy rules); throws on a mismatch. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * `t` broadcast to `shape`. Numeric tensors broadcast by adding zeros: tf.broadcastTo runs as
 * Tile, whose tfjs gradient is one Slice and one Add per repetition (2000 ops for a [8] -> [8,
 * 1000] broadcast), while an Add's gradient is one Sum.
 */
export function broadcastIfNeeded(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (t.rank === shape.length && t.shape.every((n, i) => n === shape[i])) return t;
  if (t.dtype === "bool") return tf.broadcastTo(t, [...shape]);
  return tf.add(t, tf.zeros([...shape], t.dtype));
}

/**
 * The sum of a log-density tensor over every axis but the sample axis: a framed tensor gives
 * [S or 1], an unframed one a scalar.
 */
export function sumToSample(t: tf.Tensor, frame: number): tf.Tensor {
  if (frame === 0) return t.rank === 0 ? t : tf.sum(t);
  if (t.rank === 1) return t;
  return tf.sum(t, [...Array(t.rank - 1).keys()].map((i) => i + 1));
}
