/**
 * What the type checker needs to know about the standard library, as plain data. The checker
 * never imports stdlib (language/ imports nothing of ours): the compiler passes these in, built
 * from the stdlib registries, whose constraint declarations are the single source of truth.
 */

/** A bound that depends on another argument: `{ param: "n" }` (Binomial's support is 0..n). */
export type BoundRef = number | { readonly param: string } | { readonly sizeOf: string; readonly offset: number };

/**
 * A constraint on values, as data. Tensor-valued constraints (simplex, ordered, the matrix
 * ones) apply to the trailing axis or axes; the rest apply element-wise.
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

/** One argument of a distribution: `scale` of Normal is a positive scalar per element. */
export interface ParamSignature {
  readonly name: string;
  readonly constraint: ConstraintSpec;
  /** Rank of one event's worth of this argument: 0 for `scale`, 1 for Dirichlet's `alpha`, 2 for a Cholesky factor. */
  readonly eventRank: number;
  /** Must be an integer (Binomial's `n`). */
  readonly integer?: boolean;
}

export interface DistributionSignature {
  readonly name: string;
  readonly params: readonly ParamSignature[];
  /** The values a draw takes. */
  readonly support: ConstraintSpec;
  /** Rank of one draw: 0 for Normal, 1 for Dirichlet / MultivariateNormal / Multinomial. */
  readonly eventRank: number;
  /** Which argument's trailing `eventRank` axes give the event shape (Dirichlet: "alpha"). */
  readonly eventShapeFrom?: string;
  readonly discrete: boolean;
  readonly reparameterizable: boolean;
  /** One line for docs and hints: "Normal(loc, scale)". */
  readonly doc?: string;
}

export type Activation = string;

/** `MLP(20 -> 400 -> 784, hidden: relu, out: sigmoid)`. */
export interface NetworkSignature {
  readonly name: string;
  /** Fewest sizes in the arrow chain (input and output at least). */
  readonly minLayers: number;
  readonly maxLayers?: number;
  /** Named options and the identifiers each accepts (activations), or "int"/"real" for numbers. */
  readonly options: Readonly<Record<string, { readonly values?: readonly string[]; readonly type?: "int" | "real"; readonly default?: string | number }>>;
  readonly doc?: string;
}

/** The stdlib as the checker sees it. */
export interface Signatures {
  readonly distributions: ReadonlyMap<string, DistributionSignature>;
  readonly networks: ReadonlyMap<string, NetworkSignature>;
  /** Importable modules and the names each exports: "stdlib/nn" -> ["MLP", ...]. */
  readonly modules: ReadonlyMap<string, readonly string[]>;
}
