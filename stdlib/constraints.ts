/**
 * Constraints on values, as plain data: the single source of truth for a distribution
 * parameter's domain, a distribution's support, a declared variable's bounds and the data check.
 *
 * The types mirror language/signatures.ts exactly (stdlib imports nothing of the language; the
 * compiler hands these to the type checker, which accepts them structurally).
 *
 * Boundaries. `positive` is x > 0 and `nonnegative` x >= 0; `greater_than`, `less_than` and
 * `interval` are closed (x >= lower, x <= upper), as Stan's declared bounds are, so that data
 * sitting on a declared bound is accepted. `isSubsetOf` compares continuous sets as closures (a
 * boundary point has probability zero), so a latent declared `real<lower=0>` fits a prior whose
 * support is `positive`.
 */

/** A bound that depends on another argument: `{ param: "n" }` (Binomial's support is 0..n). */
export type BoundRef = number | { readonly param: string } | { readonly sizeOf: string; readonly offset: number };

/**
 * A constraint on values. Tensor-valued constraints (simplex, ordered, the matrix ones) apply to
 * the trailing axis or axes; the rest apply element-wise.
 */
export type ConstraintSpec =
  | { readonly kind: "real" }
  | { readonly kind: "positive" }
  | { readonly kind: "nonnegative" }
  | { readonly kind: "unit_interval" }
  | { readonly kind: "greater_than"; readonly lower: number }
  | { readonly kind: "less_than"; readonly upper: number }
  | { readonly kind: "interval"; readonly lower: number; readonly upper: number }
  | { readonly kind: "simplex" }
  | { readonly kind: "ordered" }
  | { readonly kind: "positive_ordered" }
  | { readonly kind: "lower_cholesky" }
  | { readonly kind: "corr_cholesky" }
  | { readonly kind: "positive_definite" }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer"; readonly lower: BoundRef | null; readonly upper: BoundRef | null };

export type ConstraintKind = ConstraintSpec["kind"];

/** Every kind, for exhaustive tests and validation. */
export const CONSTRAINT_KINDS: readonly ConstraintKind[] = [
  "real",
  "positive",
  "nonnegative",
  "unit_interval",
  "greater_than",
  "less_than",
  "interval",
  "simplex",
  "ordered",
  "positive_ordered",
  "lower_cholesky",
  "corr_cholesky",
  "positive_definite",
  "boolean",
  "integer",
];

/** How many trailing axes a constraint spans: 0 element-wise, 1 for a vector, 2 for a matrix. */
export function constraintEventRank(c: ConstraintSpec): number {
  switch (c.kind) {
    case "simplex":
    case "ordered":
    case "positive_ordered":
      return 1;
    case "lower_cholesky":
    case "corr_cholesky":
    case "positive_definite":
      return 2;
    default:
      return 0;
  }
}

export const isDiscreteConstraint = (c: ConstraintSpec): boolean => c.kind === "integer" || c.kind === "boolean";

// ---------------------------------------------------------------------------------------------
// Named constants

function interval(lower: number, upper: number): ConstraintSpec {
  if (!(lower < upper)) throw new RangeError(`interval(${lower}, ${upper}): lower must be below upper`);
  return { kind: "interval", lower, upper };
}

function integer(lower: BoundRef | null = null, upper: BoundRef | null = null): ConstraintSpec {
  if (typeof lower === "number" && typeof upper === "number" && lower > upper) {
    throw new RangeError(`integer(${lower}, ${upper}): lower must not exceed upper`);
  }
  return { kind: "integer", lower, upper };
}

export const constraints = {
  real: { kind: "real" } as ConstraintSpec,
  positive: { kind: "positive" } as ConstraintSpec,
  nonnegative: { kind: "nonnegative" } as ConstraintSpec,
  unitInterval: { kind: "unit_interval" } as ConstraintSpec,
  simplex: { kind: "simplex" } as ConstraintSpec,
  ordered: { kind: "ordered" } as ConstraintSpec,
  positiveOrdered: { kind: "positive_ordered" } as ConstraintSpec,
  lowerCholesky: { kind: "lower_cholesky" } as ConstraintSpec,
  corrCholesky: { kind: "corr_cholesky" } as ConstraintSpec,
  positiveDefinite: { kind: "positive_definite" } as ConstraintSpec,
  boolean: { kind: "boolean" } as ConstraintSpec,
  /** Any integer. */
  anyInteger: { kind: "integer", lower: null, upper: null } as ConstraintSpec,
  /** 0, 1, 2, … (counts). */
  nonnegativeInteger: { kind: "integer", lower: 0, upper: null } as ConstraintSpec,
  /** 1, 2, 3, … */
  positiveInteger: { kind: "integer", lower: 1, upper: null } as ConstraintSpec,
  greaterThan: (lower: number): ConstraintSpec => ({ kind: "greater_than", lower }),
  lessThan: (upper: number): ConstraintSpec => ({ kind: "less_than", upper }),
  interval,
  integer,
} as const;

// ---------------------------------------------------------------------------------------------
// Words

function describeBound(b: BoundRef, resolve?: BoundResolver): string {
  if (typeof b === "number") return String(b);
  const v = resolve?.(b);
  if (v !== undefined) return String(v);
  if ("param" in b) return b.param;
  return b.offset === 0 ? `size(${b.sizeOf})` : `size(${b.sizeOf}) ${b.offset < 0 ? "-" : "+"} ${Math.abs(b.offset)}`;
}

/** The constraint in words, for messages: "positive", "in [0, 1]", "an integer from 0 to n". */
export function describeConstraint(c: ConstraintSpec, resolve?: BoundResolver): string {
  switch (c.kind) {
    case "real":
      return "a real number";
    case "positive":
      return "positive";
    case "nonnegative":
      return "non-negative";
    case "unit_interval":
      return "in [0, 1]";
    case "greater_than":
      return `at least ${c.lower}`;
    case "less_than":
      return `at most ${c.upper}`;
    case "interval":
      return `in [${c.lower}, ${c.upper}]`;
    case "simplex":
      return "a simplex (non-negative, summing to 1)";
    case "ordered":
      return "ordered (strictly increasing)";
    case "positive_ordered":
      return "positive and ordered (strictly increasing)";
    case "lower_cholesky":
      return "a Cholesky factor (lower-triangular with a positive diagonal)";
    case "corr_cholesky":
      return "a correlation Cholesky factor (lower-triangular, positive diagonal, rows of unit length)";
    case "positive_definite":
      return "a symmetric positive-definite matrix";
    case "boolean":
      return "a boolean (true/false or 0/1)";
    case "integer": {
      const lo = c.lower === null ? null : describeBound(c.lower, resolve);
      const hi = c.upper === null ? null : describeBound(c.upper, resolve);
      if (lo !== null && hi !== null) return `an integer from ${lo} to ${hi}`;
      if (lo !== null) return lo === "0" ? "a non-negative integer" : `an integer of at least ${lo}`;
      if (hi !== null) return `an integer of at most ${hi}`;
      return "an integer";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of the declarations themselves (used by the registry tests and defineDistribution)

/** Problems with a constraint as data (a non-finite bound, lower above upper); empty when fine. */
export function validateConstraint(c: ConstraintSpec): string[] {
  const problems: string[] = [];
  const finite = (x: number, what: string) => {
    if (!Number.isFinite(x)) problems.push(`${what} must be a finite number, got ${x}`);
  };
  switch (c.kind) {
    case "greater_than":
      finite(c.lower, "lower");
      break;
    case "less_than":
      finite(c.upper, "upper");
      break;
    case "interval":
      finite(c.lower, "lower");
      finite(c.upper, "upper");
      if (!(c.lower < c.upper)) problems.push(`lower ${c.lower} must be below upper ${c.upper}`);
      break;
    case "integer":
      for (const [what, b] of [
        ["lower", c.lower],
        ["upper", c.upper],
      ] as const) {
        if (typeof b === "number" && !Number.isInteger(b)) problems.push(`${what} bound must be an integer, got ${b}`);
        if (b !== null && typeof b === "object" && "sizeOf" in b && !Number.isInteger(b.offset)) {
          problems.push(`${what} bound offset must be an integer, got ${b.offset}`);
        }
      }
      if (typeof c.lower === "number" && typeof c.upper === "number" && c.lower > c.upper) {
        problems.push(`lower ${c.lower} must not exceed upper ${c.upper}`);
      }
      break;
    default:
      if (!CONSTRAINT_KINDS.includes((c as { kind: ConstraintKind }).kind)) {
        problems.push(`unknown constraint kind '${String((c as { kind: unknown }).kind)}'`);
      }
  }
  return problems;
}

/** Names of the arguments a constraint's bounds refer to (Binomial's support refers to "n"). */
export function boundReferences(c: ConstraintSpec): string[] {
  if (c.kind !== "integer") return [];
  const out: string[] = [];
  for (const b of [c.lower, c.upper]) {
    if (b !== null && typeof b === "object") out.push("param" in b ? b.param : b.sizeOf);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Subsets

/** Turns a symbolic bound into a number when the caller knows it (an argument's value or size). */
export type BoundResolver = (ref: Exclude<BoundRef, number>) => number | undefined;

/** Structure a tensor constraint imposes beyond its element range. */
type Structure = "simplex" | "ordered" | "lower_cholesky" | "positive_definite";

/** A constraint seen as a set: element range (closed), discreteness and structure. */
interface SetView {
  readonly structure: readonly Structure[];
  readonly discrete: boolean;
  /** Closed element range; bounds that stay symbolic are kept aside. */
  readonly lo: number;
  readonly hi: number;
  readonly loRef: Exclude<BoundRef, number> | null;
  readonly hiRef: Exclude<BoundRef, number> | null;
}

function view(c: ConstraintSpec, resolve: BoundResolver | undefined): SetView {
  const cont = (lo: number, hi: number, structure: readonly Structure[] = []): SetView => ({
    structure,
    discrete: false,
    lo,
    hi,
    loRef: null,
    hiRef: null,
  });
  switch (c.kind) {
    case "real":
      return cont(-Infinity, Infinity);
    case "positive":
    case "nonnegative":
      return cont(0, Infinity);
    case "unit_interval":
      return cont(0, 1);
    case "greater_than":
      return cont(c.lower, Infinity);
    case "less_than":
      return cont(-Infinity, c.upper);
    case "interval":
      return cont(c.lower, c.upper);
    case "simplex":
      return cont(0, 1, ["simplex"]);
    case "ordered":
      return cont(-Infinity, Infinity, ["ordered"]);
    case "positive_ordered":
      return cont(0, Infinity, ["ordered"]);
    case "lower_cholesky":
      return cont(-Infinity, Infinity, ["lower_cholesky"]);
    // A correlation Cholesky factor is a Cholesky factor whose rows have unit length.
    case "corr_cholesky":
      return cont(-1, 1, ["lower_cholesky"]);
    case "positive_definite":
      return cont(-Infinity, Infinity, ["positive_definite"]);
    case "boolean":
      return { structure: [], discrete: true, lo: 0, hi: 1, loRef: null, hiRef: null };
    case "integer": {
      const side = (b: BoundRef | null, dflt: number): [number, Exclude<BoundRef, number> | null] => {
        if (b === null) return [dflt, null];
        if (typeof b === "number") return [b, null];
        const v = resolve?.(b);
        return v === undefined ? [NaN, b] : [v, null];
      };
      const [lo, loRef] = side(c.lower, -Infinity);
      const [hi, hiRef] = side(c.upper, Infinity);
      return {
        structure: [],
        discrete: true,
        lo: Number.isNaN(lo) ? lo : Math.ceil(lo),
        hi: Number.isNaN(hi) ? hi : Math.floor(hi),
        loRef,
        hiRef,
      };
    }
  }
}

function sameRef(a: Exclude<BoundRef, number>, b: Exclude<BoundRef, number>): boolean {
  if ("param" in a && "param" in b) return a.param === b.param;
  if ("sizeOf" in a && "sizeOf" in b) return a.sizeOf === b.sizeOf && a.offset === b.offset;
  return false;
}

/** a.lower >= b.lower, with symbolic bounds compared only when they are the same reference. */
function lowerWithin(a: SetView, b: SetView): boolean {
  if (b.loRef) {
    if (a.loRef) {
      if (sameRef(a.loRef, b.loRef)) return true;
      // size(x) + 1 >= size(x) - 1
      if ("sizeOf" in a.loRef && "sizeOf" in b.loRef) return a.loRef.sizeOf === b.loRef.sizeOf && a.loRef.offset >= b.loRef.offset;
    }
    return false;
  }
  if (a.loRef) return b.lo === -Infinity;
  return a.lo >= b.lo;
}

function upperWithin(a: SetView, b: SetView): boolean {
  if (b.hiRef) {
    if (a.hiRef) {
      if (sameRef(a.hiRef, b.hiRef)) return true;
      if ("sizeOf" in a.hiRef && "sizeOf" in b.hiRef) return a.hiRef.sizeOf === b.hiRef.sizeOf && a.hiRef.offset <= b.hiRef.offset;
    }
    return false;
  }
  if (a.hiRef) return b.hi === Infinity;
  return a.hi <= b.hi;
}

const isEmptyView = (v: SetView): boolean => !v.loRef && !v.hiRef && v.lo > v.hi;

/**
 * Does every value satisfying `a` also satisfy `b`? Used to check a latent's declared constraint
 * against its prior's support and an argument's constraint against a parameter's. Continuous sets
 * are compared as closures (boundaries carry no probability), integers exactly; symbolic bounds
 * are resolved through `resolve` when given, and otherwise only match the same reference.
 */
export function isSubsetOf(a: ConstraintSpec, b: ConstraintSpec, resolve?: BoundResolver): boolean {
  const va = view(a, resolve);
  const vb = view(b, resolve);
  if (isEmptyView(va)) return true;
  // Structure: every structure b imposes must be implied by a's.
  for (const s of vb.structure) if (!va.structure.includes(s)) return false;
  if (vb.discrete && !va.discrete) {
    // A continuous set inside the integers: only a single integer point.
    if (va.loRef || va.hiRef || va.lo !== va.hi || !Number.isInteger(va.lo)) return false;
  }
  return lowerWithin(va, vb) && upperWithin(va, vb);
}

/** Same set (each a subset of the other). */
export const sameConstraint = (a: ConstraintSpec, b: ConstraintSpec, resolve?: BoundResolver): boolean =>
  isSubsetOf(a, b, resolve) && isSubsetOf(b, a, resolve);

// ---------------------------------------------------------------------------------------------
// Checking values

/** Tolerances of the structural checks: relative for sums and norms, absolute for symmetry. */
export const SIMPLEX_TOLERANCE = 1e-6;
export const MATRIX_TOLERANCE = 1e-8;

/** Why a value fails a constraint. */
export interface ConstraintViolation {
  /** Multi-index of the failing element, or of the failing vector/matrix (leading axes only). */
  readonly index: readonly number[];
  /** The offending value (an element, a sum or a diagonal entry). */
  readonly value: number;
  /** In words, without the variable's name: "-1 is not positive", "sums to 0.9, not 1". */
  readonly reason: string;
  /** How many elements (or events) fail in all. */
  readonly count: number;
}

/** The row-major multi-index of element `flat` of a tensor of `shape`. */
export function unflatten(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let r = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    const n = shape[a]!;
    if (n > 0) {
      idx[a] = r % n;
      r = Math.floor(r / n);
    }
  }
  return idx;
}

const fmt = (x: number): string => (Number.isNaN(x) ? "NaN" : String(x));

/** Checks one element against an element-wise constraint; a reason when it fails. */
function elementProblem(c: ConstraintSpec, x: number, resolve: BoundResolver | undefined): string | null {
  if (!Number.isFinite(x)) return `${fmt(x)} is not a finite number`;
  switch (c.kind) {
    case "real":
      return null;
    case "positive":
      return x > 0 ? null : `${fmt(x)} is not positive`;
    case "nonnegative":
      return x >= 0 ? null : `${fmt(x)} is negative`;
    case "unit_interval":
      return x >= 0 && x <= 1 ? null : `${fmt(x)} is not in [0, 1]`;
    case "greater_than":
      return x >= c.lower ? null : `${fmt(x)} is below the lower bound ${c.lower}`;
    case "less_than":
      return x <= c.upper ? null : `${fmt(x)} is above the upper bound ${c.upper}`;
    case "interval":
      return x >= c.lower && x <= c.upper ? null : `${fmt(x)} is not in [${c.lower}, ${c.upper}]`;
    case "boolean":
      return x === 0 || x === 1 ? null : `${fmt(x)} is not a boolean (0 or 1)`;
    case "integer": {
      if (!Number.isInteger(x)) return `${fmt(x)} is not an integer`;
      const bound = (b: BoundRef | null): number | undefined =>
        b === null ? undefined : typeof b === "number" ? b : resolve?.(b);
      const lo = bound(c.lower);
      const hi = bound(c.upper);
      if (lo !== undefined && x < lo) return `${fmt(x)} is below the lower bound ${lo}`;
      if (hi !== undefined && x > hi) return `${fmt(x)} is above the upper bound ${hi}`;
      return null;
    }
    default:
      return null;
  }
}

/**
 * Checks values (flat, row-major, of the given shape) against a constraint and says which element
 * fails and why: the first failure, and how many fail. `null` when all satisfy it. Tensor
 * constraints apply to the trailing axis (simplex, ordered) or two axes (the matrix kinds); a
 * shape too small for them is itself a failure.
 */
export function checkValue(
  c: ConstraintSpec,
  values: ArrayLike<number>,
  resolveBound?: BoundResolver,
  shape: readonly number[] = [values.length],
): ConstraintViolation | null {
  const rank = constraintEventRank(c);
  if (rank === 0) {
    let first: ConstraintViolation | null = null;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const reason = elementProblem(c, values[i]!, resolveBound);
      if (reason === null) continue;
      count++;
      if (!first) first = { index: unflatten(i, shape), value: values[i]!, reason, count: 0 };
    }
    return first ? { ...first, count } : null;
  }
  if (shape.length < rank) {
    return { index: [], value: NaN, reason: `has ${shape.length} axes but ${describeConstraint(c)} needs at least ${rank}`, count: 1 };
  }
  const lead = shape.slice(0, shape.length - rank);
  const event = shape.slice(shape.length - rank);
  const eventSize = event.reduce((p, n) => p * n, 1);
  const nEvents = lead.reduce((p, n) => p * n, 1);
  if (rank === 2 && event[0] !== event[1]) {
    return { index: [], value: NaN, reason: `is ${event[0]} x ${event[1]}, not square`, count: nEvents };
  }
  let first: ConstraintViolation | null = null;
  let count = 0;
  for (let e = 0; e < nEvents; e++) {
    const off = e * eventSize;
    const found = rank === 1 ? vectorProblem(c, values, off, eventSize) : matrixProblem(c, values, off, event[0]!);
    if (!found) continue;
    count++;
    if (!first) first = { index: unflatten(e, lead), value: found.value, reason: found.reason, count: 0 };
  }
  return first ? { ...first, count } : null;
}

function vectorProblem(c: ConstraintSpec, v: ArrayLike<number>, off: number, n: number): { value: number; reason: string } | null {
  for (let i = 0; i < n; i++) {
    const x = v[off + i]!;
    if (!Number.isFinite(x)) return { value: x, reason: `element ${i} is ${fmt(x)}, not a finite number` };
  }
  switch (c.kind) {
    case "simplex": {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const x = v[off + i]!;
        if (x < 0) return { value: x, reason: `element ${i} is ${fmt(x)}, negative` };
        sum += x;
      }
      if (n === 0 || Math.abs(sum - 1) > SIMPLEX_TOLERANCE) return { value: sum, reason: `sums to ${sum}, not 1` };
      return null;
    }
    case "ordered":
    case "positive_ordered": {
      if (c.kind === "positive_ordered" && n > 0 && !(v[off]! > 0)) return { value: v[off]!, reason: `element 0 is ${fmt(v[off]!)}, not positive` };
      for (let i = 1; i < n; i++) {
        const prev = v[off + i - 1]!;
        const x = v[off + i]!;
        if (!(x > prev)) return { value: x, reason: `is not strictly increasing: element ${i} (${fmt(x)}) does not exceed element ${i - 1} (${fmt(prev)})` };
      }
      return null;
    }
    default:
      return null;
  }
}

function matrixProblem(c: ConstraintSpec, v: ArrayLike<number>, off: number, n: number): { value: number; reason: string } | null {
  const at = (i: number, j: number) => v[off + i * n + j]!;
  for (let i = 0; i < n * n; i++) {
    const x = v[off + i]!;
    if (!Number.isFinite(x)) return { value: x, reason: `entry [${Math.floor(i / n)}, ${i % n}] is ${fmt(x)}, not a finite number` };
  }
  switch (c.kind) {
    case "lower_cholesky":
    case "corr_cholesky": {
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (at(i, j) !== 0) return { value: at(i, j), reason: `entry [${i}, ${j}] above the diagonal is ${at(i, j)}, not 0` };
        }
        if (!(at(i, i) > 0)) return { value: at(i, i), reason: `diagonal entry [${i}, ${i}] is ${fmt(at(i, i))}, not positive` };
      }
      if (c.kind === "corr_cholesky") {
        for (let i = 0; i < n; i++) {
          let ss = 0;
          for (let j = 0; j <= i; j++) ss += at(i, j) * at(i, j);
          const norm = Math.sqrt(ss);
          if (Math.abs(norm - 1) > SIMPLEX_TOLERANCE) return { value: norm, reason: `row ${i} has length ${norm}, not 1` };
        }
      }
      return null;
    }
    case "positive_definite": {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          const a = at(i, j);
          const b = at(j, i);
          if (Math.abs(a - b) > MATRIX_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b))) {
            return { value: a, reason: `is not symmetric: entry [${i}, ${j}] is ${a} but [${j}, ${i}] is ${b}` };
          }
        }
      }
      // Cholesky: positive definite iff every pivot is positive.
      const L = new Float64Array(n * n);
      for (let j = 0; j < n; j++) {
        let d = at(j, j);
        for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
        if (!(d > 0)) return { value: d, reason: `is not positive definite (Cholesky pivot ${j} is ${d})` };
        const ljj = Math.sqrt(d);
        L[j * n + j] = ljj;
        for (let i = j + 1; i < n; i++) {
          let s = at(i, j);
          for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
          L[i * n + j] = s / ljj;
        }
      }
      return null;
    }
    default:
      return null;
  }
}
