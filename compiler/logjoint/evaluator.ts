/**
 * Evaluates AST expressions (factor arguments, `let` definitions) on tfjs, vectorised over the
 * Monte Carlo sample axis and over vectorised loops (see value.ts for how axes line up).
 *
 * The evaluator knows nothing of where values come from: a scope resolves names (data, latents,
 * params, lets, loop variables) and applies networks. The log joint and, later, a guide use the
 * same evaluator with different scopes.
 */
import * as tf from "@tensorflow/tfjs";
import type { ArrayLit, BinaryExpr, CallExpr, Expr, Identifier, IndexArg, IndexExpr, SymbolInfo, TernaryExpr, TypedModel, UnaryExpr } from "../lang.js";
import { foldNumbers } from "../lang.js";
import { matmul } from "../../stdlib/index.js";
import { BUILTIN_RUNTIME, type BuiltinRuntimeContext } from "./builtins-runtime.js";
import { SupportChecks } from "./support-checks.js";
import { align, asBool, asFloat, asInt, broadcastIfNeeded, broadcastShape, elementwise, expandTo, ownRank, withFrame, type Value } from "./value.js";

/** Where names get their values. */
export interface EvalScope {
  lookup(sym: SymbolInfo, at: Identifier): Value;
  applyNetwork(sym: SymbolInfo, input: Value, at: CallExpr): Value;
  /** A size argument's value, or undefined to evaluate it as usual (minibatching remaps one). */
  sizeOverride?(e: Expr): number | undefined;
}

/** An error in the model's run-time evaluation that the type checker could not see. */
export class EvalError extends Error {
  constructor(
    message: string,
    readonly expr: Expr | null,
  ) {
    super(message);
    this.name = "EvalError";
  }
}

/** Long-lived tensors derived from persistent ones (literals, transposed data), freed with the owner. */
export class ConstantCache {
  /** Observed data checked against each factor's support (support-checks.ts). */
  readonly supports: SupportChecks;
  private readonly literals = new Map<Expr, tf.Tensor>();
  private readonly transposes = new Map<tf.Tensor, tf.Tensor>();
  private readonly floats = new Map<tf.Tensor, tf.Tensor>();
  private readonly distributions = new Map<object, { key: string; dist: { dispose(): void } }>();
  /** Terms of a factor's data alone (lgamma(y + 1), log y), by factor and data tensor (LogProbOptions.valueTerms). */
  private readonly valueTermMaps = new Map<object, Map<tf.Tensor, Map<string, tf.Tensor>>>();

  /** @param dataOrigin the full data tensor behind a data tensor (see SupportChecks); none: no data is trusted. */
  constructor(dataOrigin: (t: tf.Tensor) => tf.Tensor | undefined = () => undefined) {
    this.supports = new SupportChecks(dataOrigin);
  }

  literal(e: Expr, make: () => tf.Tensor): tf.Tensor {
    let t = this.literals.get(e);
    if (!t || t.isDisposed) {
      t = tf.keep(make());
      this.literals.set(e, t);
    }
    return t;
  }

  /** A float32 copy of a persistent int tensor, made once. */
  float(x: tf.Tensor): tf.Tensor {
    if (x.dtype === "float32") return x;
    let t = this.floats.get(x);
    if (!t || t.isDisposed) {
      t = tf.keep(tf.cast(x, "float32"));
      this.floats.set(x, t);
    }
    return t;
  }

  /** The transpose of a persistent 2-D tensor, computed once. */
  transpose(x: tf.Tensor): tf.Tensor {
    let t = this.transposes.get(x);
    if (!t || t.isDisposed) {
      t = tf.keep(tf.transpose(x));
      this.transposes.set(x, t);
    }
    return t;
  }

  /**
   * The distribution of a factor whose arguments are all persistent, built once per argument
   * tensors (`key`) and kept until the arguments change or the cache is disposed, so terms of its
   * parameters alone (log normalisers) are computed once. `make` runs inside the caller's tidy:
   * the parameter tensors are kept here.
   */
  distribution<D extends { dispose(): void; readonly params: Readonly<Record<string, tf.Tensor>> }>(owner: object, key: string, make: () => D): D {
    const hit = this.distributions.get(owner);
    if (hit && hit.key === key) return hit.dist as D;
    hit?.dist.dispose();
    const dist = make();
    for (const t of Object.values(dist.params)) tf.keep(t);
    this.distributions.set(owner, { key, dist });
    return dist;
  }

  /** The cache of terms of data tensor `x` alone for factor `owner` (its tensors are freed here). */
  valueTerms(owner: object, x: tf.Tensor): Map<string, tf.Tensor> {
    let byData = this.valueTermMaps.get(owner);
    if (!byData) this.valueTermMaps.set(owner, (byData = new Map()));
    let m = byData.get(x);
    if (!m) byData.set(x, (m = new Map()));
    return m;
  }

  /**
   * Frees the float copies, transposes and value terms of tensors that are gone (a minibatch's
   * slices of the data, replaced by the next batch), which would otherwise pile up one per batch.
   */
  dropStale(): void {
    for (const m of [this.floats, this.transposes]) {
      for (const [k, t] of m) {
        if (!k.isDisposed) continue;
        t.dispose();
        m.delete(k);
      }
    }
    for (const byData of this.valueTermMaps.values()) {
      for (const [k, m] of byData) {
        if (!k.isDisposed) continue;
        for (const t of m.values()) t.dispose();
        byData.delete(k);
      }
    }
  }

  dispose(): void {
    for (const d of this.distributions.values()) d.dist.dispose();
    this.distributions.clear();
    for (const byData of this.valueTermMaps.values()) for (const m of byData.values()) for (const t of m.values()) t.dispose();
    this.valueTermMaps.clear();
    for (const t of this.literals.values()) t.dispose();
    for (const t of this.transposes.values()) t.dispose();
    for (const t of this.floats.values()) t.dispose();
    this.floats.clear();
    this.literals.clear();
    this.transposes.clear();
  }
}

const prod = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

export class Evaluator {
  private readonly builtinContext: BuiltinRuntimeContext;

  constructor(
    private readonly typed: TypedModel,
    private readonly scope: EvalScope,
    private readonly cache: ConstantCache,
  ) {
    this.builtinContext = {
      value: (e) => this.eval(e),
      number: (e) => this.number(e),
      size: (e) => this.size(e),
    };
  }

  /** An int known without tensors: a literal, a compile-time argument, a data size. */
  number(e: Expr): number {
    const v = this.eval(e);
    if (v.num === undefined) throw new EvalError(`expected a number known before fitting here`, e);
    return v.num;
  }

  size(e: Expr): number {
    return this.scope.sizeOverride?.(e) ?? this.number(e);
  }

  eval(e: Expr): Value {
    switch (e.kind) {
      case "Number": {
        const isInt = this.elemOf(e) === "int" || (e.isInt && this.elemOf(e) !== "real");
        return { t: this.cache.literal(e, () => tf.scalar(e.value, isInt ? "int32" : "float32")), frame: 0, num: e.value, persistent: true };
      }
      case "Bool":
        return { t: this.cache.literal(e, () => tf.scalar(e.value, "bool")), frame: 0, num: e.value ? 1 : 0, persistent: true };
      case "Identifier":
        return this.identifier(e);
      case "Array":
        return this.array(e);
      case "Unary":
        return this.unary(e);
      case "Binary":
        return this.binary(e);
      case "Ternary":
        return this.ternary(e);
      case "Call":
        return this.call(e);
      case "Index":
        return this.index(e);
    }
  }

  private elemOf(e: Expr): string | undefined {
    const t = this.typed.exprTypes.get(e);
    return t && t.kind === "tensor" ? t.elem : undefined;
  }

  private identifier(e: Identifier): Value {
    const sym = this.typed.references.get(e);
    if (!sym) throw new EvalError(`'${e.name}' is not resolved`, e);
    return this.scope.lookup(sym, e);
  }

  private array(e: ArrayLit): Value {
    const vals = e.elements.map((x) => this.eval(x));
    const dtype = this.elemOf(e) === "int" ? "int32" : this.elemOf(e) === "bool" ? "bool" : "float32";
    if (vals.every((v) => v.num !== undefined && v.frame === 0 && v.t.rank === 0)) {
      return { t: tf.tensor1d(vals.map((v) => v.num!), dtype), frame: 0 };
    }
    const { ts, frame } = align(vals);
    let shape: number[] = [];
    for (const t of ts) shape = broadcastShape(shape, t.shape);
    const parts = ts.map((t) => broadcastIfNeeded(dtype === "float32" ? asFloat(t) : t, shape));
    return { t: tf.stack(parts, frame), frame };
  }

  private unary(e: UnaryExpr): Value {
    const v = this.eval(e.operand);
    switch (e.op) {
      case "+":
        return v;
      case "-":
        return { t: tf.neg(v.t), frame: v.frame, ...(v.num !== undefined ? { num: -v.num } : {}) };
      case "!":
        return { t: tf.logicalNot(asBool(v.t)), frame: v.frame };
    }
  }

  private binary(e: BinaryExpr): Value {
    // Left-leaning chains (`a + b + c + ...`) are walked in a loop, not by recursion.
    const links: BinaryExpr[] = [];
    let x: Expr = e;
    for (; x.kind === "Binary"; x = x.left) links.push(x);
    let acc = this.eval(x);
    for (let i = links.length - 1; i >= 0; i--) acc = this.applyBinary(links[i]!, acc, this.eval(links[i]!.right));
    return acc;
  }

  private applyBinary(e: BinaryExpr, a: Value, b: Value): Value {
    const op = e.op;
    if (op === "@") return this.matmul(a, b);
    const folded = a.num !== undefined && b.num !== undefined ? foldNumbers(op, a.num, b.num) : undefined;
    const num = typeof folded === "number" ? folded : undefined;
    const realResult = op === "/" || op === "^" || this.elemOf(e) === "real";
    const out = elementwise([a, b], (x, y) => {
      switch (op) {
        case "+":
          return realResult ? tf.add(asFloat(x), asFloat(y)) : tf.add(x, y);
        case "-":
          return realResult ? tf.sub(asFloat(x), asFloat(y)) : tf.sub(x, y);
        case "*":
          return realResult ? tf.mul(asFloat(x), asFloat(y)) : tf.mul(x, y);
        case "/":
          return tf.div(asFloat(x), asFloat(y));
        case "%":
          return tf.mod(x, y);
        case "^":
          return tf.pow(asFloat(x), asFloat(y));
        case "<":
          return tf.less(x, y);
        case "<=":
          return tf.lessEqual(x, y);
        case ">":
          return tf.greater(x, y);
        case ">=":
          return tf.greaterEqual(x, y);
        case "==":
          return tf.equal(x, y);
        case "!=":
          return tf.notEqual(x, y);
        case "&&":
          return tf.logicalAnd(asBool(x), asBool(y));
        case "||":
          return tf.logicalOr(asBool(x), asBool(y));
      }
      throw new EvalError(`operator '${op}' is not supported`, e);
    });
    return num === undefined ? out : { ...out, num };
  }

  /** `a @ b` (NumPy rules on own axes), routed to the fast 2-D product where possible. */
  private matmul(a: Value, b: Value): Value {
    const ra = ownRank(a);
    const rb = ownRank(b);
    const x = asFloat(a.t);
    const y = asFloat(b.t);
    if (a.frame === 0 && b.frame === 0) return { t: matmul(x, y), frame: 0 };
    if (a.frame === 0) {
      // Data on the left: A [.., M, K] @ w [F.., K] (vector per frame) is w @ Aᵀ.
      if (ra === 2 && rb === 1) {
        const at = a.persistent ? this.cache.transpose(x) : tf.transpose(x);
        const lead = b.t.shape.slice(0, b.frame);
        const k = b.t.shape[b.t.rank - 1]!;
        const out = matmul(tf.reshape(y, [-1, k]), at);
        return { t: tf.reshape(out, [...lead, x.shape[0]!]), frame: b.frame };
      }
      if (ra === 1 && rb === 2) {
        // v [K] @ W [F.., K, N] = sum over K.
        return { t: tf.sum(tf.mul(tf.reshape(x, [-1, 1]), y), -2), frame: b.frame };
      }
      if (ra === 1 && rb === 1) return { t: tf.sum(tf.mul(x, y), -1), frame: b.frame };
      // A [M, K] @ W [F.., K, N] folds the frame into the columns.
      if (ra === 2) return { t: matmul(x, y), frame: b.frame };
      return this.framedMatmul(a, b);
    }
    if (b.frame === 0) {
      // w [F.., K] @ B [K, N]: the frame rows are rows of one 2-D product.
      if (ra === 1 && rb === 2) {
        const lead = a.t.shape.slice(0, a.frame);
        const k = a.t.shape[a.t.rank - 1]!;
        const out = matmul(tf.reshape(x, [-1, k]), y);
        return { t: tf.reshape(out, [...lead, y.shape[1]!]), frame: a.frame };
      }
      if (rb === 1) return { t: tf.sum(tf.mul(x, y), -1), frame: a.frame };
      if (rb === 2) return { t: matmul(x, y), frame: a.frame };
      return this.framedMatmul(a, b);
    }
    return this.framedMatmul(a, b);
  }

  /** Both sides framed (or batched own axes): explicit broadcasting, then a batched product. */
  private framedMatmul(a: Value, b: Value): Value {
    const ra = ownRank(a);
    const rb = ownRank(b);
    const frame = Math.max(a.frame, b.frame);
    if (ra === 1 && rb === 1) return elementwise([a, b], (x, y) => tf.sum(tf.mul(asFloat(x), asFloat(y)), -1));
    if (ra === 1) {
      // v [.., K] @ W [.., K, N]
      const x = tf.expandDims(asFloat(withFrame(a, frame)), -1);
      const y = asFloat(withFrame(b, frame));
      const xs = ownRankPad(x, frame, rb);
      return { t: tf.sum(tf.mul(xs, y), -2), frame };
    }
    if (rb === 1) {
      // M [.., M, K] @ v [.., K]
      const x = asFloat(withFrame(a, frame));
      const y = tf.expandDims(asFloat(withFrame(b, frame)), -2);
      const ys = ownRankPad(y, frame, ra);
      return { t: tf.sum(tf.mul(x, ys), -1), frame };
    }
    const own = Math.max(ra, rb);
    const x = asFloat(expandTo({ t: withFrame(a, frame), frame }, frame, own));
    const y = asFloat(expandTo({ t: withFrame(b, frame), frame }, frame, own));
    return { t: matmul(x, y), frame };
  }

  private ternary(e: TernaryExpr): Value {
    const c = this.eval(e.cond);
    const a = this.eval(e.then);
    const b = this.eval(e.otherwise);
    const { ts, frame } = align([c, a, b]);
    let shape: number[] = [];
    for (const t of ts) shape = broadcastShape(shape, t.shape);
    const float = ts[1]!.dtype === "float32" || ts[2]!.dtype === "float32";
    const pick = (t: tf.Tensor) => broadcastIfNeeded(float ? asFloat(t) : t, shape);
    return { t: tf.where(broadcastIfNeeded(asBool(ts[0]!), shape), pick(ts[1]!), pick(ts[2]!)), frame };
  }

  private call(e: CallExpr): Value {
    const sym = this.typed.references.get(e.callee);
    if (sym && sym.type.kind === "network") {
      const input = this.eval(e.args[0]!);
      return this.scope.applyNetwork(sym, input, e);
    }
    const impl = BUILTIN_RUNTIME.get(e.callee.name);
    if (!impl) throw new EvalError(`function '${e.callee.name}' has no run-time implementation`, e);
    return impl(e, this.builtinContext);
  }

  // -------------------------------------------------------------------------------------------
  // Indexing: scalars drop an axis, slices keep it, int arrays replace it by their own axes.

  private index(e: IndexExpr): Value {
    let v = this.eval(e.object);
    let pos = 0;
    for (const ix of e.indices) {
      if (ix.kind === "Slice") {
        v = this.slice(v, pos, ix);
        pos++;
        continue;
      }
      const idx = this.eval(ix);
      const m = ownRank(idx);
      v = gatherAxis(v, pos, idx);
      pos += m;
    }
    return v;
  }

  private slice(v: Value, pos: number, ix: Extract<IndexArg, { kind: "Slice" }>): Value {
    if (!ix.start && !ix.end) return v;
    const axis = v.frame + pos;
    const n = v.t.shape[axis]!;
    const start = ix.start ? this.number(ix.start) : 0;
    const end = ix.end ? this.number(ix.end) : n;
    const begin = v.t.shape.map((_, i) => (i === axis ? start : 0));
    const size = v.t.shape.map((s, i) => (i === axis ? Math.max(0, end - start) : s));
    return { t: tf.slice(v.t, begin, size), frame: v.frame };
  }
}

function ownRankPad(t: tf.Tensor, frame: number, own: number): tf.Tensor {
  const r = t.rank - frame;
  if (r >= own) return t;
  const s = t.shape;
  return tf.reshape(t, [...s.slice(0, frame), ...Array(own - r).fill(1), ...s.slice(frame)]);
}


/** Moves axis `from` of `t` to position `to`. */
function moveAxis(t: tf.Tensor, from: number, to: number): tf.Tensor {
  if (from === to) return t;
  const perm = [...Array(t.rank).keys()];
  perm.splice(from, 1);
  perm.splice(to, 0, from);
  return tf.transpose(t, perm);
}

/** Moves the block of `count` axes at `from` to position `to` (in the result). */
function moveAxes(t: tf.Tensor, from: number, count: number, to: number): tf.Tensor {
  if (from === to || count === 0) return t;
  const perm = [...Array(t.rank).keys()];
  const block = perm.splice(from, count);
  perm.splice(to, 0, ...block);
  return tf.transpose(t, perm);
}

/**
 * `v[idx]` along own axis `pos`: element-wise per frame when `idx` is framed (mu[z] with mu
 * [S, K] and z [S, N] picks mu[s, z[s, n]]). Gathers go through tf.gather, whose gradient the
 * project re-registers (wasm lacks UnsortedSegmentSum).
 */
export function gatherAxis(v: Value, pos: number, idx: Value): Value {
  const it = asInt(idx.t);
  const idxFrameShape = it.shape.slice(0, idx.frame);
  const idxVaries = idxFrameShape.some((n) => n > 1);
  if (idx.frame === 0 || !idxVaries) {
    // The same index for every frame element: a plain gather.
    const plain = idx.frame === 0 ? it : tf.reshape(it, it.shape.slice(idx.frame));
    const out = tf.gather(v.t, plain, v.frame + pos);
    if (idx.frame <= v.frame) return { t: out, frame: v.frame };
    // Keep the index's (size-1) frame axes so the result carries its frame depth.
    return { t: withFrame({ t: out, frame: v.frame }, idx.frame), frame: idx.frame };
  }
  const objFrameShape = v.t.shape.slice(0, v.frame);
  const objVariesWhereIdxDoes = objFrameShape.some((n, i) => n > 1 && (idxFrameShape[i] ?? 1) > 1);
  if (pos === 0 && !objVariesWhereIdxDoes && idx.frame > v.frame && idxFrameShape.slice(0, v.frame).every((n) => n === 1)) {
    // v [F_v.., K, rest] with an index varying only along deeper frame axes: one plain gather.
    const out = tf.gather(v.t, tf.reshape(it, it.shape.slice(v.frame)), v.frame);
    return { t: out, frame: idx.frame };
  }
  // General: both vary along the frame. Flatten the common frame into the gathered axis.
  const frame = Math.max(v.frame, idx.frame);
  const vt = withFrame(v, frame);
  const ix = withFrame({ t: it, frame: idx.frame }, frame);
  const fshape = broadcastShape(vt.shape.slice(0, frame), ix.shape.slice(0, frame));
  const p = prod(fshape);
  const own = vt.shape.slice(frame);
  const k = own[pos]!;
  const vb = broadcastIfNeeded(vt, [...fshape, ...own]);
  const moved = moveAxis(vb, frame + pos, frame); // [F.., K, pre.., post..]
  const rest = moved.shape.slice(frame + 1);
  const flat = tf.reshape(moved, [p * k, ...rest]);
  const idxOwn = ix.shape.slice(frame);
  const ib = broadcastIfNeeded(ix, [...fshape, ...idxOwn]);
  const offsets = tf.reshape(tf.mul(tf.range(0, p, 1, "int32"), tf.scalar(k, "int32")), [...fshape, ...idxOwn.map(() => 1)]);
  const gathered = tf.gather(flat, tf.add(ib, offsets), 0); // [F.., idxOwn.., pre.., post..]
  // Put the index's axes back where axis `pos` was (after the `pos` leading own axes).
  const out = moveAxes(gathered, frame, idxOwn.length, frame + pos);
  return { t: out, frame };
}
