/**
 * Arguments of a distribution: conversion to float32 tensors, shape checks and constraint checks,
 * all read from the definition (a parameter's constraint is the single source of truth; no
 * distribution writes its own argument check).
 */
import * as tf from "@tensorflow/tfjs";
import { type ConstraintSpec, SIMPLEX_TOLERANCE, checkValue, describeConstraint } from "../../constraints.js";
import type { DistributionDefinition, DistributionParam } from "../define.js";

/** What an argument may be: a number, a boolean, nested arrays of numbers, or a tensor. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];
export type ParamInput = number | boolean | readonly NestedNumbers[] | tf.Tensor;

/**
 * A bad argument: names the distribution and the argument, and carries the offending value, so a
 * caller (the compiler, the CLI) can turn it into a diagnostic with a source span.
 */
export class DistributionArgumentError extends Error {
  constructor(
    readonly distribution: string,
    readonly argument: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
    this.name = "DistributionArgumentError";
  }
}

export interface PreparedParams {
  readonly params: Record<string, tf.Tensor>;
  readonly batchShape: number[];
  readonly eventShape: number[];
  /** Tensors created here (to be disposed with the distribution). */
  readonly owned: tf.Tensor[];
}

const fmtShape = (s: readonly number[]) => `[${s.join(", ")}]`;

function fmtValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return String(v);
  }
}

function isNested(v: unknown): boolean {
  if (typeof v === "number" || typeof v === "boolean") return true;
  return Array.isArray(v) && v.every(isNested);
}

/** Rectangular nested arrays only; returns their shape or null. */
function nestedShape(v: NestedNumbers): number[] | null {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  const inner = v.map((e) => nestedShape(e as NestedNumbers));
  const first = inner[0];
  if (!first || inner.some((s) => s === null || s.length !== first.length || s.some((n, i) => n !== first[i]))) return null;
  return [v.length, ...first];
}

function flatten(v: NestedNumbers, out: number[]): number[] {
  if (Array.isArray(v)) for (const e of v) flatten(e as NestedNumbers, out);
  else out.push(typeof v === "boolean" ? (v ? 1 : 0) : (v as number));
  return out;
}

/** Broadcast two shapes (numpy rules), or null. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/**
 * The constraint check, with one float32 allowance: a simplex computed in float32 (a softmax)
 * sums to 1 only within ~K ulps, more than the data check's 1e-6 for large K.
 */
function violation(c: ConstraintSpec, values: ArrayLike<number>, shape: readonly number[]) {
  const v = checkValue(c, values, undefined, shape);
  if (!v || c.kind !== "simplex" || !/^sums to/.test(v.reason)) return v;
  const k = shape[shape.length - 1] ?? 1;
  const tol = Math.max(SIMPLEX_TOLERANCE, 8 * k * 2 ** -24);
  const rows = values.length / Math.max(k, 1);
  const rescaled = new Float64Array(values.length);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += values[r * k + j]!;
    // Within the float32 allowance: renormalise so the structural check passes; otherwise keep.
    const scale = Math.abs(s - 1) <= tol && s > 0 ? 1 / s : 1;
    for (let j = 0; j < k; j++) rescaled[r * k + j] = values[r * k + j]! * scale;
  }
  return checkValue(c, rescaled, undefined, shape);
}

function checkConstraint(def: DistributionDefinition, p: DistributionParam, t: tf.Tensor, raw: unknown): void {
  const values = t.dataSync();
  const v = violation(p.constraint, values, t.shape);
  if (!v) return;
  const what = describeConstraint(p.constraint);
  const where = v.index.length > 0 ? ` at index [${v.index.join(", ")}]` : "";
  const more = v.count > 1 ? ` (${v.count} ${p.eventRank > 0 ? "entries" : "elements"} fail)` : "";
  const elementwise = p.eventRank === 0 && Number.isFinite(v.value) ? `got ${fmtValue(v.value)}` : `but ${v.reason}`;
  const got = p.eventRank === 0 && !Number.isFinite(v.value) ? `got ${v.value}` : elementwise;
  throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} must be ${what}, ${got}${where}${more}`);
}

/**
 * Converts, checks and broadcasts the arguments. Throws `DistributionArgumentError` for a missing
 * or unusable argument, shapes that do not broadcast and values outside a parameter's constraint.
 */
export function prepareParams(def: DistributionDefinition, args: Readonly<Record<string, ParamInput>>, validate: boolean): PreparedParams {
  const owned: tf.Tensor[] = [];
  const converted: Record<string, tf.Tensor> = {};
  try {
    for (const key of Object.keys(args)) {
      if (!def.params.some((p) => p.name === key)) {
        throw new DistributionArgumentError(def.name, key, args[key], `${def.name} has no argument '${key}'; its arguments are ${def.params.map((p) => `'${p.name}'`).join(", ")}`);
      }
    }
    for (const p of def.params) {
      const raw = args[p.name];
      if (raw === undefined || raw === null) {
        throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} is missing (call it as ${def.name}(${def.params.map((q) => q.name).join(", ")}))`);
      }
      let t: tf.Tensor;
      if (raw instanceof tf.Tensor) {
        if (raw.isDisposed) throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} is a disposed tensor`);
        if (raw.dtype === "float32") t = raw;
        else if (raw.dtype === "string" || raw.dtype === "complex64") {
          throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} must be a numeric tensor, got dtype ${raw.dtype}`);
        } else {
          t = tf.cast(raw, "float32");
          owned.push(t);
        }
      } else {
        if (!isNested(raw)) {
          throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} must be a number, an array of numbers or a tensor, got ${fmtValue(raw)}`);
        }
        const shape = nestedShape(raw as NestedNumbers);
        if (shape === null) throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} is a ragged array (rows of different lengths)`);
        t = tf.tensor(flatten(raw as NestedNumbers, []), shape, "float32");
        owned.push(t);
      }
      if (t.rank < p.eventRank) {
        const what = p.eventRank === 1 ? "a vector (at least 1 axis)" : "a matrix (at least 2 axes)";
        throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} must be ${what}, got shape ${fmtShape(t.shape)}`);
      }
      if (p.eventRank > 0 && t.shape.slice(t.rank - p.eventRank).some((n) => n === 0)) {
        throw new DistributionArgumentError(def.name, p.name, raw, `argument '${p.name}' of ${def.name} has an empty event axis, shape ${fmtShape(t.shape)}`);
      }
      if (validate) checkConstraint(def, p, t, raw);
      converted[p.name] = t;
    }

    // Batch shapes broadcast; event axes agree with the event-defining argument.
    let batchShape: number[] = [];
    let batchFrom: DistributionParam | undefined;
    for (const p of def.params) {
      const t = converted[p.name]!;
      const b = t.shape.slice(0, t.rank - p.eventRank);
      const joined = broadcastShapes(batchShape, b);
      if (joined === null) {
        const other = batchFrom!;
        const ot = converted[other.name]!;
        throw new DistributionArgumentError(
          def.name,
          p.name,
          args[p.name],
          `arguments '${other.name}' (shape ${fmtShape(ot.shape)}) and '${p.name}' (shape ${fmtShape(t.shape)}) of ${def.name} do not broadcast`,
        );
      }
      batchShape = joined;
      // Name the argument that set the batch shape so far in a broadcast error.
      if (!batchFrom || b.length > converted[batchFrom.name]!.rank - batchFrom.eventRank) batchFrom = p;
    }
    let eventShape: number[] = [];
    if (def.eventRank > 0 || def.params.some((p) => p.eventRank > 0)) {
      const from = def.params.find((p) => p.name === def.eventShapeFrom) ?? def.params.find((p) => p.eventRank > 0)!;
      const ft = converted[from.name]!;
      const size = ft.shape[ft.rank - 1]!;
      if (def.eventRank > 0) eventShape = ft.shape.slice(ft.rank - def.eventRank);
      // Every argument with event axes must agree with it on their size (a d-vector and d x d matrix).
      for (const p of def.params) {
        if (p.eventRank === 0 || p === from) continue;
        const t = converted[p.name]!;
        const ev = t.shape.slice(t.rank - p.eventRank);
        if (ev.some((n) => n !== size)) {
          throw new DistributionArgumentError(
            def.name,
            p.name,
            args[p.name],
            `arguments '${from.name}' (shape ${fmtShape(ft.shape)}) and '${p.name}' (shape ${fmtShape(t.shape)}) of ${def.name} disagree on the event size (${size} vs ${fmtShape(ev)})`,
          );
        }
      }
    }

    // A support bounded by two arguments (Uniform) needs lower < upper, element by element.
    const lo = def.supportFromParams?.lower;
    const hi = def.supportFromParams?.upper;
    if (validate && lo !== undefined && hi !== undefined) {
      const lt = converted[lo]!;
      const ht = converted[hi]!;
      const bad = tf.tidy(() => {
        const ok = tf.less(tf.broadcastTo(lt, batchShape), tf.broadcastTo(ht, batchShape));
        return tf.logicalNot(ok).dataSync();
      });
      const i = bad.findIndex((b) => b !== 0);
      if (i >= 0) {
        const lv = tf.tidy(() => tf.broadcastTo(lt, batchShape).dataSync()[i]!);
        const hv = tf.tidy(() => tf.broadcastTo(ht, batchShape).dataSync()[i]!);
        const where = batchShape.length > 0 ? ` at index ${i} (flat)` : "";
        throw new DistributionArgumentError(def.name, hi, args[hi], `argument '${hi}' of ${def.name} must be greater than '${lo}', got ${hi} = ${hv} and ${lo} = ${lv}${where}`);
      }
    }

    const params: Record<string, tf.Tensor> = {};
    for (const p of def.params) {
      const t = converted[p.name]!;
      const target = [...batchShape, ...t.shape.slice(t.rank - p.eventRank)];
      if (target.length === t.rank && target.every((n, i) => n === t.shape[i])) {
        params[p.name] = t;
      } else {
        // Adding zeros rather than tf.broadcastTo, which runs as Tile (slow on wasm, and its
        // gradient is one Slice and one Add per repetition).
        const b = tf.tidy(() => tf.add(t, tf.zeros(target, "float32")));
        owned.push(b);
        params[p.name] = b;
      }
    }
    return { params, batchShape, eventShape, owned };
  } catch (e) {
    for (const t of owned) t.dispose();
    throw e;
  }
}
