/**
 * Checking data against a model's `data` declarations, before any fitting: every declared name
 * present, of the declared shape (sizes evaluated from integer data and compile-time arguments),
 * of the declared element type, finite, and inside its declared bounds or structure. The result
 * holds each variable as a flat TypedArray with its concrete shape, and the sizes that the
 * lowering needs for plates. No tfjs here: plain TypedArrays.
 *
 * Integer sizes that are not in the data (a CSV has no scalars) are taken from the shape of the
 * first given variable that uses them as a plain dimension: `data N: int` and `data y: real[N]`
 * with only `y` given makes N the length of y.
 */
import { checkValue, constraintEventRank, describeConstraint, unflatten, type ConstraintSpec } from "../../stdlib/index.js";
import type { DeclStmt, Diagnostic, ElemType, Expr, PhaseResult, SourceFile, Span, TensorType, TypedModel } from "../lang.js";
import {
  badSize,
  constraintViolation,
  dataArgumentNotObject,
  extraData,
  missingData,
  notBoolean,
  notFinite,
  notInteger,
  rankMismatch,
  raggedData,
  sizeMismatch,
  unsupportedValue,
  type DataSite,
} from "./errors.js";
import { locateNames } from "./parse.js";
import { evalSizeExpr, printSizeExpr, printTensorType, type SizeLookup } from "./sizes.js";

/** One data variable, checked and flattened (row-major). */
export interface BoundVariable {
  readonly name: string;
  readonly elem: ElemType;
  readonly shape: readonly number[];
  /** `real` as Float64Array; `int` and `bool` (0/1) as Int32Array. */
  readonly values: Float64Array | Int32Array;
  /** The declared constraint with its bounds evaluated: what the values were checked against. */
  readonly constraint: ConstraintSpec;
  readonly decl: DeclStmt;
  /** An integer size not in the data, taken from the length of this other variable. */
  readonly inferredFrom?: string;
}

export interface BoundData {
  readonly variables: ReadonlyMap<string, BoundVariable>;
  /**
   * Values of every integer scalar data variable and integer compile-time argument, plus each
   * symbolic dim of the data declarations' types (`"K-1"`) with the size it took.
   */
  readonly sizes: Map<string, number>;
}

interface DataDecl {
  readonly name: string;
  readonly decl: DeclStmt;
  readonly type: TensorType;
}

const INT32_MAX = 2147483647;

/** Checks `data` (name -> number | boolean | nested arrays) against the model's `data` declarations. */
export function checkData(typed: TypedModel, data: Record<string, unknown>, dataFile?: SourceFile): PhaseResult<BoundData> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const what = Array.isArray(data) ? "an array" : data === null ? "null" : `a ${typeof data}`;
    return { diagnostics: [dataArgumentNotObject(what)] };
  }
  const diagnostics: Diagnostic[] = [];
  const decls = dataDeclarations(typed);
  const declNames = new Set(decls.map((d) => d.name));
  const has = (name: string) => Object.prototype.hasOwnProperty.call(data, name) && data[name] !== undefined;

  let locations: ReadonlyMap<string, Span> | undefined;
  const siteOf = (name: string): DataSite | undefined => {
    if (!dataFile) return undefined;
    locations ??= locateNames(dataFile);
    const span = locations.get(name);
    return span ? { file: dataFile, span } : undefined;
  };

  // Names in the data the model does not declare as data: warnings, with a typo suggestion.
  const extras = Object.keys(data).filter((k) => !k.startsWith("_") && !declNames.has(k) && data[k] !== undefined);
  const missing = decls.filter((d) => !has(d.name)).map((d) => d.name);
  for (const name of extras) {
    const sym = typed.symbols.get(name);
    const site = siteOf(name);
    if (sym && sym.role !== "data") {
      diagnostics.push(extraData(name, { role: sym.role, ...(site ? { site } : {}) }));
      continue;
    }
    const suggestion = nearest(name, missing) ?? nearest(name, [...declNames]);
    const suggestionSpan = suggestion ? decls.find((d) => d.name === suggestion)?.decl.span : undefined;
    diagnostics.push(extraData(name, { ...(suggestion ? { suggestion } : {}), ...(suggestionSpan ? { suggestionSpan } : {}), ...(site ? { site } : {}) }));
  }

  // Sizes: compile-time arguments and integer scalar data, then sizes taken from shapes.
  const scalars = new Map<string, number>();
  const inferred = new Map<string, string>();
  for (const d of decls) {
    if (d.type.base !== "int" || d.type.dims.length !== 0 || !has(d.name)) continue;
    const v = data[d.name];
    if (typeof v === "number" && Number.isInteger(v)) scalars.set(d.name, v);
  }
  for (const d of decls) {
    if (d.type.base !== "int" || d.type.dims.length !== 0 || has(d.name)) continue;
    const from = inferSize(d.name, decls, data, has);
    if (from) {
      scalars.set(d.name, from.size);
      inferred.set(d.name, from.variable);
    }
  }
  const lookup: SizeLookup = (name) => {
    const s = scalars.get(name);
    if (s !== undefined) return s;
    const a = typed.args.get(name);
    return typeof a === "number" ? a : typeof a === "boolean" ? (a ? 1 : 0) : undefined;
  };

  const variables = new Map<string, BoundVariable>();
  for (const d of decls) {
    const from = inferred.get(d.name);
    if (!has(d.name) && from === undefined) {
      const typo = extras.find((e) => nearest(e, [d.name]) === d.name);
      diagnostics.push(missingData(d.name, printTensorType(d.type), d.decl.span, typo));
      continue;
    }
    const value = from !== undefined ? scalars.get(d.name) : data[d.name];
    const bound = checkVariable(d, value, lookup, inferred, () => siteOf(d.name), diagnostics);
    if (bound) variables.set(d.name, from !== undefined ? { ...bound, inferredFrom: from } : bound);
  }

  const sizes = new Map<string, number>();
  for (const [name, v] of typed.args) {
    const t = typed.symbols.get(name)?.type;
    const isInt = t?.kind === "tensor" ? t.elem === "int" : Number.isInteger(v);
    if (typeof v === "number" && isInt) sizes.set(name, v);
  }
  for (const [name, v] of scalars) sizes.set(name, v);
  for (const [name, b] of variables) {
    const t = typed.symbols.get(name)?.type;
    if (t?.kind !== "tensor") continue;
    t.shape.forEach((dim, k) => {
      if (dim.kind === "sym" && !sizes.has(dim.name) && b.shape[k] !== undefined) sizes.set(dim.name, b.shape[k]!);
    });
  }

  if (diagnostics.some((x) => x.severity === "error")) return { diagnostics };
  return { value: { variables, sizes }, diagnostics };
}

/** The model's `data` declarations of tensor type, in declaration order. */
function dataDeclarations(typed: TypedModel): DataDecl[] {
  const out: DataDecl[] = [];
  for (const sym of typed.symbols.values()) {
    if (sym.role !== "data" || sym.decl.kind !== "Decl") continue;
    const t = sym.decl.type;
    // A data declaration without a tensor type was already reported by the type checker.
    if (!t || t.kind !== "TensorType") continue;
    out.push({ name: sym.name, decl: sym.decl, type: t });
  }
  return out;
}

/** The length of the first given variable whose declaration uses `name` as a plain dimension. */
function inferSize(name: string, decls: readonly DataDecl[], data: Record<string, unknown>, has: (n: string) => boolean): { size: number; variable: string } | undefined {
  for (const d of decls) {
    if (!has(d.name)) continue;
    const axis = d.type.dims.findIndex((e) => e.kind === "Identifier" && e.name === name);
    if (axis < 0) continue;
    let x: unknown = data[d.name];
    for (let k = 0; k < axis && Array.isArray(x); k++) x = x[0];
    if (Array.isArray(x)) return { size: x.length, variable: d.name };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// One variable

const indexText = (name: string, idx: readonly number[]): string => (idx.length ? `${name}[${idx.join(", ")}]` : name);


/**
 * The shape of nested arrays, read down the first elements. Axes below an empty array have
 * unknown length (-1) up to the declared rank.
 */
function readShape(v: unknown, declaredRank: number): number[] {
  const shape: number[] = [];
  let x = v;
  while (Array.isArray(x)) {
    shape.push(x.length);
    if (x.length === 0) break;
    x = x[0];
  }
  if (shape.length > 0 && shape[shape.length - 1] === 0) while (shape.length < declaredRank) shape.push(-1);
  return shape;
}

/**
 * Visits the leaves of nested arrays in row-major order, checking that every row matches the
 * shape. Returns what is ragged, or undefined. No allocation per leaf: data can be large.
 */
function walkLeaves(name: string, v: unknown, shape: readonly number[], visit: (leaf: unknown, index: number) => void): string | undefined {
  const path: number[] = [];
  let index = 0;
  let problem: string | undefined;
  const here = () => indexText(name, path);
  const first = () => indexText(name, path.map(() => 0));
  const walk = (y: unknown, depth: number): void => {
    if (depth === shape.length || shape[depth] === -1) {
      if (Array.isArray(y)) problem = `${here()} is an array but ${first()} is not`;
      else visit(y, index++);
      return;
    }
    if (!Array.isArray(y)) {
      problem = `${here()} is ${describeLeaf(y)} but ${first()} is an array of ${shape[depth]}`;
      return;
    }
    if (y.length !== shape[depth]) {
      problem = `${here()} has ${y.length} element${y.length === 1 ? "" : "s"} but ${first()} has ${shape[depth]}`;
      return;
    }
    for (let i = 0; i < y.length && !problem; i++) {
      path.push(i);
      walk(y[i], depth + 1);
      path.pop();
    }
  };
  walk(v, 0);
  return problem;
}

function describeLeaf(y: unknown): string {
  if (y === null) return "null";
  if (typeof y === "string") return `the string ${JSON.stringify(y.length > 20 ? `${y.slice(0, 20)}…` : y)}`;
  if (typeof y === "number") return Number.isNaN(y) ? "NaN" : String(y);
  if (typeof y === "boolean") return String(y);
  if (Array.isArray(y)) return "an array";
  if (typeof y === "object") return "an object";
  return `a ${typeof y}`;
}

/** First offender and count of one kind of element problem. */
class Tally {
  first: { index: number; leaf: unknown } | undefined;
  count = 0;
  add(index: number, leaf: unknown): void {
    this.count++;
    this.first ??= { index, leaf };
  }
}

/** The declared constraint with its bounds evaluated; unresolvable bounds are left open. */
export function declaredConstraint(t: TensorType, lookup: SizeLookup): ConstraintSpec {
  const bound = (e: Expr | null | undefined): number | null => {
    if (!e) return null;
    const r = evalSizeExpr(e, lookup);
    return r.ok ? r.value : null;
  };
  switch (t.base) {
    case "bool":
      return { kind: "boolean" };
    case "simplex":
      return { kind: "simplex" };
    case "ordered":
      return { kind: "ordered" };
    case "positive_ordered":
      return { kind: "positive_ordered" };
    case "cov_matrix":
      return { kind: "positive_definite" };
    case "cholesky_cov":
      return { kind: "lower_cholesky" };
    case "cholesky_corr":
      return { kind: "corr_cholesky" };
    case "int":
      return { kind: "integer", lower: bound(t.bounds?.lower), upper: bound(t.bounds?.upper) };
    case "real": {
      // Declared bounds are closed, as in Stan: `real<lower=0>` admits 0.
      const lo = bound(t.bounds?.lower);
      const hi = bound(t.bounds?.upper);
      if (lo !== null && hi !== null) return lo === 0 && hi === 1 ? { kind: "unit_interval" } : { kind: "interval", lower: lo, upper: hi };
      if (lo !== null) return lo === 0 ? { kind: "nonnegative" } : { kind: "greater_than", lower: lo };
      if (hi !== null) return { kind: "less_than", upper: hi };
      return { kind: "real" };
    }
  }
}

function checkVariable(
  d: DataDecl,
  value: unknown,
  lookup: SizeLookup,
  inferred: ReadonlyMap<string, string>,
  /** Lazy: locating names in the data file re-reads it, so only when there is something to say. */
  site: () => DataSite | undefined,
  out: Diagnostic[],
): BoundVariable | undefined {
  const { name, decl, type } = d;
  const span = decl.span;
  const declaredRank = type.dims.length;
  const got = readShape(value, declaredRank);

  // A string or an object in place of the whole value: say so, not "wrong number of axes".
  if (got.length === 0 && value !== null && typeof value !== "number" && typeof value !== "boolean") {
    out.push(unsupportedValue(name, name, describeLeaf(value), declaredRank ? "an array of numbers" : "a number", span, 1, site()));
    return undefined;
  }
  // Shape: rank, then each axis against its evaluated size.
  if (got.length !== declaredRank) {
    // Ragged data explains a wrong rank better ([[1, 2], 3] reads as two axes).
    const ragged = walkLeaves(name, value, got, () => {});
    out.push(ragged ? raggedData(name, ragged, span, site()) : rankMismatch(name, printTensorType(type), declaredRank, got, span, site()));
    return undefined;
  }
  const shape = [...got];
  let shapeOk = true;
  for (let k = 0; k < declaredRank; k++) {
    const dim = type.dims[k]!;
    const r = evalSizeExpr(dim, lookup);
    // A size that cannot be evaluated depends on missing data, reported on its own.
    if (!r.ok) continue;
    if (!Number.isInteger(r.value) || r.value < 0) {
      out.push(badSize(name, printSizeExpr(dim), r.value, dim.span));
      shapeOk = false;
      continue;
    }
    if (shape[k] === -1) shape[k] = r.value;
    if (shape[k] === r.value) continue;
    shapeOk = false;
    const text = printSizeExpr(dim);
    const from = dim.kind === "Identifier" ? inferred.get(dim.name) : undefined;
    const expected =
      dim.kind === "Number"
        ? `its declaration says ${r.value}`
        : `${text} = ${r.value}${from ? ` (taken from the length of '${from}', as '${text}' is not in the data)` : ""}`;
    let hint =
      dim.kind === "Identifier"
        ? from
          ? `give '${text}' in the data, or make the lengths of '${from}' and '${name}' agree`
          : `'${name}' and '${text}' in the data must agree: fix one of them`
        : `'${name}' must have ${r.value} element${r.value === 1 ? "" : "s"} along that axis`;
    if (declaredRank === 2 && got[0] !== got[1]) {
      const other = evalSizeExpr(type.dims[1 - k]!, lookup);
      if (other.ok && got[k] === other.value && got[1 - k] === r.value) {
        hint = `'${name}' looks transposed: give it as ${printSizeExpr(type.dims[0]!)} rows of ${printSizeExpr(type.dims[1]!)} values`;
      }
    }
    out.push(sizeMismatch(name, k, got[k]!, expected, dim.span, hint, site()));
    break;
  }
  for (let k = 0; k < shape.length; k++) if (shape[k] === -1) shape[k] = 0;

  // Elements: kind, finiteness, integrality; written straight into the typed array.
  const elem: ElemType = type.base === "int" ? "int" : type.base === "bool" ? "bool" : "real";
  const n = got.reduce((p, x) => p * Math.max(x, 0), 1);
  const values = elem === "real" ? new Float64Array(n) : new Int32Array(n);
  const unsupported = new Tally();
  const nonFinite = new Tally();
  const nonInteger = new Tally();
  const nonBoolean = new Tally();
  const ragged = walkLeaves(name, value, got, (leaf, i) => {
    if (typeof leaf === "number") {
      if (!Number.isFinite(leaf)) nonFinite.add(i, leaf);
      else if (elem === "real") values[i] = leaf;
      else if (elem === "bool") {
        if (leaf === 0 || leaf === 1) values[i] = leaf;
        else nonBoolean.add(i, leaf);
      } else if (Number.isInteger(leaf) && Math.abs(leaf) <= INT32_MAX) values[i] = leaf;
      else nonInteger.add(i, leaf);
    } else if (typeof leaf === "boolean") {
      if (elem === "real") unsupported.add(i, leaf);
      else values[i] = leaf ? 1 : 0;
    } else if (leaf === null) nonFinite.add(i, leaf);
    else unsupported.add(i, leaf);
  });
  if (ragged) {
    out.push(raggedData(name, ragged, span, site()));
    return undefined;
  }
  const where = (t: Tally) => indexText(name, declaredRank ? unflatten(t.first!.index, got) : []);
  const expected = elem === "bool" ? "a boolean" : elem === "int" ? "an integer" : "a number";
  if (unsupported.first) out.push(unsupportedValue(name, where(unsupported), describeLeaf(unsupported.first.leaf), expected, span, unsupported.count, site()));
  if (nonFinite.first) {
    const leaf = nonFinite.first.leaf;
    const gotText = leaf === null ? "missing (null)" : describeLeaf(leaf);
    out.push(notFinite(name, where(nonFinite), gotText, span, nonFinite.count, site()));
  }
  if (nonInteger.first) out.push(notInteger(name, where(nonInteger), nonInteger.first.leaf as number, span, nonInteger.count, site()));
  if (nonBoolean.first) out.push(notBoolean(name, where(nonBoolean), describeLeaf(nonBoolean.first.leaf), span, nonBoolean.count, site()));
  if (unsupported.count || nonFinite.count || nonInteger.count || nonBoolean.count || !shapeOk) return undefined;

  // Bounds and structure.
  const constraint = declaredConstraint(type, lookup);
  const bad = checkValue(constraint, values, undefined, shape);
  if (bad) {
    const from = inferred.get(name);
    // Element-wise: the value says it all ("y[3] = -1"); structured: the reason ("w[1] sums to 0.9, not 1").
    const elementwise = bad.index.length === declaredRank && constraintEventRank(constraint) === 0;
    const reason = (elementwise ? `= ${bad.value}` : bad.reason) + (from ? ` (taken from the length of '${from}')` : "");
    out.push(constraintViolation(name, indexText(name, bad.index), reason, describeConstraint(constraint), span, bad.count, site()));
    return undefined;
  }
  return { name, elem, shape, values, constraint, decl };
}

// ---------------------------------------------------------------------------------------------
// Typo suggestions

function editDistance(a: string, b: string): number {
  const m = b.length;
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= m; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[m]!;
}

/** The candidate within a third of the name's length (1 to 3 edits; case differences count as one). */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const dist = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (dist < bestDist) {
      best = c;
      bestDist = dist;
    }
  }
  return bestDist <= limit ? best : undefined;
}
