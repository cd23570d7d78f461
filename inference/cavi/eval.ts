/**
 * A small float64 evaluator for the argument expressions CAVI reads: constants built from data
 * (`ones(K)`, `alpha * ones(K)`, `1 / sigma`) and, by probing, where each term of a factor reads
 * its latents (index maps) and the coefficients of a linear predictor. It covers what the
 * conjugacy analysis accepts (compiler CONSTANT_FUNCTIONS, arithmetic, `@`, indexing by ints,
 * int arrays and slices), with NumPy broadcasting. Plain JS: CAVI works in float64 throughout.
 */
import type { BoundData, GraphIR } from "../../compiler/index.js";
import { printExpr, type Expr } from "../../language/index.js";

export interface Arr {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const size = (s: readonly number[]): number => s.reduce((p, x) => p * x, 1);
const scalar = (v: number): Arr => ({ shape: [], data: Float64Array.of(v) });

export class EvalFailure extends Error {}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new EvalFailure(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of `to` (row-major), the flat index of `from` it reads under broadcasting. */
export function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const n = size(to);
  const out = new Int32Array(n);
  if (from.length > to.length) throw new EvalFailure(`shape [${from}] does not broadcast to [${to}]`);
  if (size(from) === n && from.every((d, i) => d === to[to.length - from.length + i])) {
    // Same elements (leading ones aside): the identity map.
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  const fs = strides(from);
  const off = to.length - from.length;
  const ts = strides(to);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let ax = 0; ax < to.length; ax++) {
      const c = Math.floor(rem / ts[ax]!);
      rem -= c * ts[ax]!;
      const fa = ax - off;
      if (fa >= 0) {
        const d = from[fa]!;
        if (d !== 1 && d !== to[ax]) throw new EvalFailure(`shape [${from}] does not broadcast to [${to}]`);
        if (d !== 1) src += c * fs[fa]!;
      }
    }
    out[i] = src;
  }
  return out;
}

export function broadcastTo(a: Arr, to: readonly number[]): Float64Array {
  const idx = broadcastIndex(a.shape, to);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a.data[idx[i]!]!;
  return out;
}

function elementwise(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const data = new Float64Array(ia.length);
  for (let i = 0; i < ia.length; i++) data[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return { shape, data };
}

function map(a: Arr, f: (x: number) => number): Arr {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[i]!);
  return { shape: a.shape, data };
}

/** The builtins a constant argument may call, by name (evaluated arguments in, an array out). */
const dimsOf = (args: readonly Arr[]): number[] => args.map((x) => x.data[0]!);
const CONSTANT_BUILTINS: Readonly<Record<string, (args: readonly Arr[]) => Arr>> = {
  sqrt: ([a]) => map(a!, Math.sqrt),
  exp: ([a]) => map(a!, Math.exp),
  log: ([a]) => map(a!, Math.log),
  square: ([a]) => map(a!, (x) => x * x),
  abs: ([a]) => map(a!, Math.abs),
  pow: ([a, b]) => elementwise(a!, b!, Math.pow),
  ones: (args) => filled(dimsOf(args), 1),
  zeros: (args) => filled(dimsOf(args), 0),
  fill: ([v, ...d]) => repeated(v!, dimsOf(d)),
  rep: ([v, ...d]) => repeated(v!, dimsOf(d)),
};

function filled(d: number[], value: number): Arr {
  return { shape: d, data: new Float64Array(size(d)).fill(value) };
}

function repeated(v: Arr, d: number[]): Arr {
  return { shape: [...v.shape, ...d], data: broadcastTo({ shape: [...v.shape, ...d.map(() => 1)], data: v.data }, [...v.shape, ...d]) };
}

function matmul(a: Arr, b: Arr): Arr {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]!], data: a.data } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0]!, 1], data: b.data } : b;
  if (A.shape.length !== 2 || B.shape.length !== 2 || A.shape[1] !== B.shape[0]) throw new EvalFailure(`cannot multiply [${a.shape}] @ [${b.shape}]`);
  const [m, k] = A.shape as [number, number];
  const n = B.shape[1]!;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = A.data[i * k + p]!;
      if (x === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += x * B.data[p * n + j]!;
    }
  }
  const shape = a.shape.length === 1 && b.shape.length === 1 ? [] : a.shape.length === 1 ? [n] : b.shape.length === 1 ? [m] : [m, n];
  return { shape, data: out };
}

/** `v[...]`: scalars drop an axis, slices keep it, int arrays replace it by their own axes. */
function index(v: Arr, indices: readonly ({ kind: "slice"; start: number; end: number } | { kind: "at"; idx: Arr })[]): Arr {
  let cur = v;
  let pos = 0;
  for (const ix of indices) {
    const shape = cur.shape;
    const outer = size(shape.slice(0, pos));
    const n = shape[pos]!;
    const inner = size(shape.slice(pos + 1));
    if (ix.kind === "slice") {
      const len = Math.max(0, ix.end - ix.start);
      const data = new Float64Array(outer * len * inner);
      for (let o = 0; o < outer; o++) for (let i = 0; i < len; i++) for (let r = 0; r < inner; r++) data[(o * len + i) * inner + r] = cur.data[(o * n + ix.start + i) * inner + r]!;
      cur = { shape: [...shape.slice(0, pos), len, ...shape.slice(pos + 1)], data };
      pos++;
      continue;
    }
    const m = ix.idx.data.length;
    const data = new Float64Array(outer * m * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < m; i++) {
        const at = ix.idx.data[i]!;
        if (!Number.isInteger(at) || at < 0 || at >= n) throw new EvalFailure(`index ${at} out of range 0..${n - 1}`);
        for (let r = 0; r < inner; r++) data[(o * m + i) * inner + r] = cur.data[(o * n + at) * inner + r]!;
      }
    }
    cur = { shape: [...shape.slice(0, pos), ...ix.idx.shape, ...shape.slice(pos + 1)], data };
    pos += ix.idx.shape.length;
  }
  return cur;
}

/** Evaluates expressions against the data, compile-time arguments and sizes, with overrides. */
export class Float64Evaluator {
  private readonly base = new Map<string, Arr>();

  constructor(graph: GraphIR, data: BoundData | undefined) {
    for (const [k, v] of graph.args) this.base.set(k, scalar(typeof v === "boolean" ? (v ? 1 : 0) : v));
    for (const [k, v] of graph.sizes) this.base.set(k, scalar(v));
    if (data) {
      for (const [k, v] of data.sizes) this.base.set(k, scalar(v));
      // Float64 data is shared, not copied (nothing here writes into a value it reads).
      for (const [k, v] of data.variables) this.base.set(k, { shape: [...v.shape], data: v.values instanceof Float64Array ? v.values : Float64Array.from(v.values) });
    }
  }

  has(name: string): boolean {
    return this.base.has(name);
  }

  value(name: string): Arr | undefined {
    return this.base.get(name);
  }

  /** Evaluates `e`; `over` binds names (latents being probed, substituted lets) first. */
  eval(e: Expr, over: ReadonlyMap<string, Arr> = new Map(), lets?: (name: string) => Expr | undefined): Arr {
    const ev = (x: Expr): Arr => this.eval(x, over, lets);
    switch (e.kind) {
      case "Number":
        return scalar(e.value);
      case "Bool":
        return scalar(e.value ? 1 : 0);
      case "Identifier": {
        const o = over.get(e.name) ?? this.base.get(e.name);
        if (o) return o;
        const l = lets?.(e.name);
        if (l) return ev(l);
        throw new EvalFailure(`'${e.name}' has no value here`);
      }
      case "Array": {
        const parts = e.elements.map(ev);
        const shape = parts.reduce<number[]>((s, p) => broadcastShapes(s, p.shape), []);
        const inner = size(shape);
        const data = new Float64Array(parts.length * inner);
        parts.forEach((p, i) => data.set(broadcastTo(p, shape), i * inner));
        return { shape: [parts.length, ...shape], data };
      }
      case "Unary":
        if (e.op === "-") return map(ev(e.operand), (x) => -x);
        if (e.op === "+") return ev(e.operand);
        break;
      case "Binary": {
        const a = ev(e.left);
        const b = ev(e.right);
        switch (e.op) {
          case "+":
            return elementwise(a, b, (x, y) => x + y);
          case "-":
            return elementwise(a, b, (x, y) => x - y);
          case "*":
            return elementwise(a, b, (x, y) => x * y);
          case "/":
            return elementwise(a, b, (x, y) => x / y);
          case "^":
            return elementwise(a, b, (x, y) => Math.pow(x, y));
          case "@":
            return matmul(a, b);
          default:
            break;
        }
        break;
      }
      case "Call": {
        const f = CONSTANT_BUILTINS[e.callee.name];
        if (f) return f(e.args.map(ev));
        break;
      }
      case "Index": {
        const v = ev(e.object);
        const idx = e.indices.map((ix, i) => {
          if (ix.kind === "Slice") {
            const n = v.shape[i] ?? 0;
            return { kind: "slice" as const, start: ix.start ? ev(ix.start).data[0]! : 0, end: ix.end ? ev(ix.end).data[0]! : n };
          }
          return { kind: "at" as const, idx: ev(ix) };
        });
        return index(v, idx);
      }
      default:
        break;
    }
    throw new EvalFailure(`CAVI cannot evaluate \`${printExpr(e)}\``);
  }
}
