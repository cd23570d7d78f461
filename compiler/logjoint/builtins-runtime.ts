/**
 * The run-time side of the built-in functions of language/builtins.ts, as a registry keyed by
 * name (the type checker owns the typing rules; this file owns the tensors). Every function works
 * on framed values (see value.ts): reductions reduce a value's own axes, never the sample or loop
 * axes; softmax, log_softmax, cumsum, dot and concat act on the last (own) axis.
 */
import * as tf from "@tensorflow/tfjs";
import type { CallExpr, Expr } from "../lang.js";
import { digamma, lgamma, logit, softplus } from "../../stdlib/index.js";
import { align, asFloat, asInt, broadcastIfNeeded, broadcastShape, elementwise, ownRank, type Value } from "./value.js";

/** What a built-in may ask of the evaluator. */
export interface BuiltinRuntimeContext {
  value(e: Expr): Value;
  /** An int known before evaluation: an axis, a size. */
  number(e: Expr): number;
  /** A size argument (`ones(N)`); under minibatching the subsampled plate's size is the batch's. */
  size(e: Expr): number;
}

export type BuiltinImpl = (call: CallExpr, cx: BuiltinRuntimeContext) => Value;

const unary =
  (f: (x: tf.Tensor) => tf.Tensor, keepInt = false): BuiltinImpl =>
  (call, cx) => {
    const v = cx.value(call.args[0]!);
    return { t: f(keepInt ? v.t : asFloat(v.t)), frame: v.frame };
  };

/** The own axes of a value to reduce: all of them, or the one given (negative counts from the end). */
function ownAxes(v: Value, call: CallExpr, cx: BuiltinRuntimeContext): number[] {
  const r = ownRank(v);
  if (call.args.length > 1) {
    const a = cx.number(call.args[1]!);
    return [v.frame + (a < 0 ? r + a : a)];
  }
  return [...Array(r).keys()].map((i) => v.frame + i);
}

const reduction =
  (f: (x: tf.Tensor, axes: number[]) => tf.Tensor, float = true): BuiltinImpl =>
  (call, cx) => {
    const v = cx.value(call.args[0]!);
    const axes = ownAxes(v, call, cx);
    const x = float ? asFloat(v.t) : v.t;
    return { t: axes.length === 0 ? x : f(x, axes), frame: v.frame };
  };

/** Sample variance (divisor n - 1), as Stan's `variance` and `sd`. */
function sampleVariance(x: tf.Tensor, axes: number[]): tf.Tensor {
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const m = tf.mean(x, axes, true);
  return tf.div(tf.sum(tf.square(tf.sub(x, m)), axes), Math.max(n - 1, 1));
}

const filled =
  (value: number | null): BuiltinImpl =>
  (call, cx) => {
    const first = value === null ? 1 : 0;
    const dims = call.args.slice(first).map((a) => cx.size(a));
    if (value !== null) return { t: tf.fill(dims, value, "float32"), frame: 0 };
    const v = cx.value(call.args[0]!);
    if (v.frame === 0 && v.num !== undefined) return { t: tf.fill(dims, v.num, v.t.dtype === "int32" ? "int32" : "float32"), frame: 0 };
    const lead = v.t.shape.slice(0, v.frame);
    const t = tf.reshape(v.t, [...lead, ...dims.map(() => 1)]);
    return { t: tf.broadcastTo(t, [...lead, ...dims]), frame: v.frame };
  };

const binary =
  (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, float: boolean): BuiltinImpl =>
  (call, cx) => {
    const a = cx.value(call.args[0]!);
    const b = cx.value(call.args[1]!);
    return elementwise([a, b], (x, y) => (float ? f(asFloat(x), asFloat(y)) : f(x, y)));
  };

const entries: [string, BuiltinImpl][] = [
  ["exp", unary(tf.exp)],
  ["log", unary(tf.log)],
  ["log1p", unary(tf.log1p)],
  ["expm1", unary((x) => tf.sub(tf.exp(x), 1))],
  ["sqrt", unary(tf.sqrt)],
  ["square", unary(tf.square, true)],
  ["abs", unary(tf.abs, true)],
  ["sin", unary(tf.sin)],
  ["cos", unary(tf.cos)],
  ["tanh", unary(tf.tanh)],
  ["sigmoid", unary(tf.sigmoid)],
  ["inv_logit", unary(tf.sigmoid)],
  ["logit", unary((x) => logit(x))],
  ["softplus", unary((x) => softplus(x))],
  ["log_sigmoid", unary((x) => tf.neg(softplus(tf.neg(x))))],
  ["relu", unary(tf.relu, true)],
  ["lgamma", unary((x) => lgamma(x))],
  ["digamma", unary((x) => digamma(x))],
  ["log_softmax", unary((x) => tf.logSoftmax(x))],
  ["softmax", unary((x) => tf.softmax(x))],
  ["sum", reduction((x, a) => tf.sum(x, a), false)],
  ["prod", reduction((x, a) => tf.prod(x, a), false)],
  ["mean", reduction((x, a) => tf.mean(x, a))],
  ["max", reduction((x, a) => tf.max(x, a), false)],
  ["min", reduction((x, a) => tf.min(x, a), false)],
  ["logsumexp", reduction((x, a) => tf.logSumExp(x, a))],
  ["sd", reduction((x, a) => tf.sqrt(sampleVariance(x, a)))],
  ["variance", reduction(sampleVariance)],
  ["ones", filled(1)],
  ["zeros", filled(0)],
  ["fill", filled(null)],
  ["rep", filled(null)],
  [
    "cumsum",
    (call, cx) => {
      const v = cx.value(call.args[0]!);
      return { t: tf.cumsum(v.t.dtype === "bool" ? asInt(v.t) : v.t, v.t.rank - 1), frame: v.frame };
    },
  ],
  [
    "dot",
    (call, cx) => {
      const a = cx.value(call.args[0]!);
      const b = cx.value(call.args[1]!);
      return elementwise([a, b], (x, y) => tf.sum(tf.mul(asFloat(x), asFloat(y)), -1));
    },
  ],
  [
    "transpose",
    (call, cx) => {
      const v = cx.value(call.args[0]!);
      const r = v.t.rank;
      const perm = [...Array(r).keys()];
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      return { t: tf.transpose(v.t, perm), frame: v.frame };
    },
  ],
  [
    "size",
    (call, cx) => {
      const v = cx.value(call.args[0]!);
      const axis = call.args[1] ? cx.number(call.args[1]) : 0;
      const n = v.t.shape[v.frame + axis]!;
      return { t: tf.scalar(n, "int32"), frame: 0, num: n };
    },
  ],
  ["pow", binary(tf.pow, true)],
  ["minimum", binary(tf.minimum, false)],
  ["maximum", binary(tf.maximum, false)],
  [
    "one_hot",
    (call, cx) => {
      const z = cx.value(call.args[0]!);
      const k = cx.size(call.args[1]!);
      // tf.oneHot with dtype float32 gives all zeros on wasm (tfjs 4.22): make int32, then cast.
      return { t: tf.cast(tf.oneHot(asInt(z.t), k), "float32"), frame: z.frame };
    },
  ],
  [
    "concat",
    (call, cx) => {
      const vals = call.args.map((a) => cx.value(a));
      const { ts, frame } = align(vals);
      const anyFloat = ts.some((t) => t.dtype === "float32");
      // Every axis but the last broadcasts to the common leading shape.
      let lead: number[] = [];
      for (const t of ts) lead = broadcastShape(lead, t.shape.slice(0, -1));
      const parts = ts.map((t) => broadcastIfNeeded(anyFloat ? asFloat(t) : t, [...lead, t.shape[t.rank - 1]!]));
      return { t: tf.concat(parts, -1), frame };
    },
  ],
];

/** Every built-in function's implementation, by name. */
export const BUILTIN_RUNTIME: ReadonlyMap<string, BuiltinImpl> = new Map(entries);
