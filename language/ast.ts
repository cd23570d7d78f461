/**
 * The abstract syntax tree: tagged unions, a span on every node. Produced by the CST-to-AST
 * visitor (cst-to-ast.ts), printed back by printer.ts, checked by typecheck.ts.
 *
 * Spans are not part of a node's meaning: `stripSpans` gives the comparable shape used by the
 * round-trip property (print then parse gives back the same AST).
 */
import type { Span } from "./span.js";

export interface Identifier {
  readonly kind: "Identifier";
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Program structure

export interface Program {
  readonly kind: "Program";
  readonly imports: readonly ImportDecl[];
  readonly models: readonly ModelDecl[];
  readonly span: Span;
}

/** `import { VAE, MLP } from "stdlib/vae"` */
export interface ImportDecl {
  readonly kind: "Import";
  readonly names: readonly Identifier[];
  readonly module: string;
  readonly moduleSpan: Span;
  readonly span: Span;
}

/** `model Name(K: int = 3, scale: real = 1.0) { ... }`; the argument list is optional. */
export interface ModelDecl {
  readonly kind: "Model";
  readonly name: Identifier;
  /** Compile-time arguments; `null` when the model was written without parentheses. */
  readonly args: readonly ModelArg[] | null;
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** A compile-time model argument: `K: int<lower=1> = 3`. Type and default are both optional. */
export interface ModelArg {
  readonly kind: "ModelArg";
  readonly name: Identifier;
  readonly type: TypeExpr | null;
  readonly default: Expr | null;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Statements

export type Statement = DeclStmt | SampleStmt | AssignStmt | ForStmt | FactorStmt | GuideBlock;

export type DeclRole = "data" | "latent" | "param" | "let";

/**
 * `data N: int<lower=1>`, `latent mu: real[K]`, `param decoder: MLP(20 -> 784)`,
 * `let theta = mu + tau * eta`, `let theta: real[J]` (filled later by assignments).
 * A `let` has a type, an initialiser or both; the others have a type and no initialiser.
 */
export interface DeclStmt {
  readonly kind: "Decl";
  readonly role: DeclRole;
  readonly name: Identifier;
  readonly type: TypeExpr | null;
  readonly init: Expr | null;
  readonly span: Span;
}

/** `x ~ Normal(mu, sigma)`; the target may be indexed: `y[i] ~ ...`. */
export interface SampleStmt {
  readonly kind: "Sample";
  readonly target: Expr;
  readonly dist: DistCall;
  readonly span: Span;
}

/** The right-hand side of `~`: a distribution name and positional arguments. */
export interface DistCall {
  readonly kind: "DistCall";
  readonly name: Identifier;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** `theta[j] = mu + tau * eta[j]`: assignment into a `let` (never into data or a latent). */
export interface AssignStmt {
  readonly kind: "Assign";
  readonly target: Expr;
  readonly value: Expr;
  readonly span: Span;
}

/** `for i in 0..N { ... }`: `i` runs from `from` up to but excluding `to`. */
export interface ForStmt {
  readonly kind: "For";
  readonly variable: Identifier;
  readonly from: Expr;
  readonly to: Expr;
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** `factor(expr)`: adds `expr` to the log density (Stan's `target +=`). */
export interface FactorStmt {
  readonly kind: "Factor";
  readonly value: Expr;
  readonly span: Span;
}

/** `guide { ... }`: the variational family, written like a model over the same latents. */
export interface GuideBlock {
  readonly kind: "Guide";
  readonly body: readonly Statement[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Types

export type TypeExpr = TensorType | NetworkType;

/**
 * The element kinds. `simplex` and `ordered`/`positive_ordered` constrain the last axis
 * (`simplex[N, K]` is N simplexes of size K); `cholesky_corr`/`cholesky_cov`/`cov_matrix` the
 * last two axes.
 */
export type BaseType =
  | "int"
  | "real"
  | "bool"
  | "simplex"
  | "ordered"
  | "positive_ordered"
  | "cov_matrix"
  | "cholesky_cov"
  | "cholesky_corr";

/** `real<lower=0>[N, D]`, `int<lower=0, upper=K-1>[N]`, `simplex[K]`, `bool`. */
export interface TensorType {
  readonly kind: "TensorType";
  readonly base: BaseType;
  readonly bounds: Bounds | null;
  /** Sizes, outermost first; empty for a scalar. */
  readonly dims: readonly Expr[];
  readonly span: Span;
}

/** `<lower=…, upper=…>`; either may be absent. */
export interface Bounds {
  readonly lower: Expr | null;
  readonly upper: Expr | null;
  readonly span: Span;
}

/**
 * `MLP(20 -> 400 -> 784, hidden: relu, out: sigmoid)`: a network type. `layers` is the arrow
 * chain of sizes; `options` are the named settings, each an expression (an identifier like
 * `relu` names an activation).
 */
export interface NetworkType {
  readonly kind: "NetworkType";
  readonly name: Identifier;
  readonly layers: readonly Expr[];
  readonly options: readonly NamedArg[];
  readonly span: Span;
}

export interface NamedArg {
  readonly kind: "NamedArg";
  readonly name: Identifier;
  readonly value: Expr;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | NumberLit
  | BoolLit
  | Identifier
  | ArrayLit
  | UnaryExpr
  | BinaryExpr
  | TernaryExpr
  | CallExpr
  | IndexExpr;

/** `3`, `0.5`, `1e-3`. `isInt` when written without a point or exponent. */
export interface NumberLit {
  readonly kind: "Number";
  readonly value: number;
  readonly isInt: boolean;
  readonly span: Span;
}

export interface BoolLit {
  readonly kind: "Bool";
  readonly value: boolean;
  readonly span: Span;
}

/** `[1, 2, 3]`, `[[1, 0], [0, 1]]` */
export interface ArrayLit {
  readonly kind: "Array";
  readonly elements: readonly Expr[];
  readonly span: Span;
}

export type UnaryOp = "-" | "+" | "!";

export interface UnaryExpr {
  readonly kind: "Unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly span: Span;
}

/**
 * Precedence, loosest first: `? :`, `||`, `&&`, `== !=`, `< <= > >=`, `+ -`, `* / % @`,
 * unary `- + !`, `^` (right-associative, so `-x^2` is `-(x^2)`), then calls and indexing.
 */
export type BinaryOp =
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "@"
  | "^";

export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface TernaryExpr {
  readonly kind: "Ternary";
  readonly cond: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
  readonly span: Span;
}

/** `exp(x)`, `sum(x)`, `decoder(z)` (a network applied to an input). */
export interface CallExpr {
  readonly kind: "Call";
  readonly callee: Identifier;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** `x[i]`, `X[i, :]`, `x[2:5]`, `mu[z]` (0-based). */
export interface IndexExpr {
  readonly kind: "Index";
  readonly object: Expr;
  readonly indices: readonly IndexArg[];
  readonly span: Span;
}

export type IndexArg = Expr | Slice;

/** `a:b`, `:b`, `a:`, `:` — half-open, 0-based. */
export interface Slice {
  readonly kind: "Slice";
  readonly start: Expr | null;
  readonly end: Expr | null;
  readonly span: Span;
}

export type Node =
  | Program
  | ImportDecl
  | ModelDecl
  | ModelArg
  | Statement
  | DistCall
  | TypeExpr
  | Bounds
  | NamedArg
  | Expr
  | Slice;

/** A deep copy with every `span`/`moduleSpan` removed: the AST's meaning, for comparisons. */
export function stripSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripSpans);
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "span" || k === "moduleSpan") continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return node;
}
