/**
 * Types of the checked language: tensors of int/real/bool with (possibly symbolic) shapes and a
 * value constraint, and networks.
 */
import type { BoundRef, ConstraintSpec } from "./signatures.js";

/**
 * One axis size: a number, a symbol (a data size like `N`, or a printed size expression like
 * `K-1` when it cannot be folded), or unknown (unification with anything succeeds).
 */
export type Dim =
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "sym"; readonly name: string }
  | { readonly kind: "unknown" };

export type ElemType = "int" | "real" | "bool";

export interface TensorT {
  readonly kind: "tensor";
  readonly elem: ElemType;
  readonly shape: readonly Dim[];
  /** What is known of the values: declared bounds, a simplex, or inferred (exp(x) is positive). */
  readonly constraint: ConstraintSpec;
}

export interface NetworkT {
  readonly kind: "network";
  readonly name: string;
  /** Sizes of the arrow chain, input first. */
  readonly layers: readonly Dim[];
  readonly activations: Readonly<Record<string, string>>;
}

/** Used after an error, so one mistake does not cascade into many. */
export interface ErrorT {
  readonly kind: "error";
}

export type Type = TensorT | NetworkT | ErrorT;

export const constDim = (value: number): Dim => ({ kind: "const", value });
export const symDim = (name: string): Dim => ({ kind: "sym", name });
export const UNKNOWN_DIM: Dim = { kind: "unknown" };
export const ERROR_T: ErrorT = { kind: "error" };
export const REAL_CONSTRAINT: ConstraintSpec = { kind: "real" };

export function tensorT(elem: ElemType, shape: readonly Dim[] = [], constraint: ConstraintSpec = REAL_CONSTRAINT): TensorT {
  return { kind: "tensor", elem, shape, constraint };
}

export function showDim(d: Dim): string {
  return d.kind === "const" ? String(d.value) : d.kind === "sym" ? d.name : "?";
}

export function showConstraint(c: ConstraintSpec): string {
  const b = (x: BoundRef | null): string => {
    if (x === null) return "";
    if (typeof x === "number") return String(x);
    if ("param" in x) return x.param;
    return `size(${x.sizeOf})${x.offset ? (x.offset > 0 ? `+${x.offset}` : String(x.offset)) : ""}`;
  };
  switch (c.kind) {
    case "real":
      return "";
    case "positive":
      return "<lower=0>";
    case "nonnegative":
      return "<lower=0>";
    case "unit_interval":
      return "<lower=0, upper=1>";
    case "greater_than":
      return `<lower=${c.lower}>`;
    case "less_than":
      return `<upper=${c.upper}>`;
    case "interval":
      return `<lower=${c.lower}, upper=${c.upper}>`;
    case "integer": {
      const parts: string[] = [];
      if (c.lower !== null) parts.push(`lower=${b(c.lower)}`);
      if (c.upper !== null) parts.push(`upper=${b(c.upper)}`);
      return parts.length ? `<${parts.join(", ")}>` : "";
    }
    default:
      return c.kind;
  }
}

/** The declared type name of a structured constraint (`simplex`, `cholesky_cov`, ...); null for the rest. */
export function structuredTypeName(kind: ConstraintSpec["kind"]): string | null {
  switch (kind) {
    case "simplex":
    case "ordered":
    case "positive_ordered":
      return kind;
    case "lower_cholesky":
      return "cholesky_cov";
    case "corr_cholesky":
      return "cholesky_corr";
    case "positive_definite":
      return "cov_matrix";
    default:
      return null;
  }
}

/** `real<lower=0>[N, D]`, `int[N]`, `simplex[K]`, `MLP(20 -> 784)`. */
export function showType(t: Type): string {
  if (t.kind === "error") return "<error>";
  if (t.kind === "network") return `${t.name}(${t.layers.map(showDim).join(" -> ")})`;
  const dims = t.shape.length ? `[${t.shape.map(showDim).join(", ")}]` : "";
  const c = t.constraint;
  const structured = structuredTypeName(c.kind);
  if (structured) return `${structured}${dims}`;
  return c.kind === "boolean" ? `bool${dims}` : `${t.elem}${showConstraint(c)}${dims}`;
}
