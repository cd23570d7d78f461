/**
 * The typed AST: the checker's output. The AST itself is unchanged; the checker adds side
 * tables keyed by node identity (every expression's type, every name's symbol, every `~`'s
 * distribution signature), which the compiler reads when it lowers to the graph IR.
 */
import type { DeclStmt, Expr, ForStmt, GuideBlock, ModelArg, ModelDecl, Program, SampleStmt, Identifier } from "./ast.js";
import type { DistributionSignature, NetworkSignature } from "./signatures.js";
import type { Span } from "./span.js";
import type { Type } from "./types.js";

export type SymbolRole = "data" | "latent" | "param" | "let" | "arg" | "loop";

export interface SymbolInfo {
  readonly name: string;
  readonly role: SymbolRole;
  readonly type: Type;
  /** Where it was declared. */
  readonly span: Span;
  readonly decl: DeclStmt | ModelArg | ForStmt;
  /** For a `latent` (or observed `data`): the `~` statements that target it, in source order. */
  readonly samples: readonly SampleStmt[];
  /** For a `let`: its initialiser and the assignments into it (`theta[j] = ...`). */
  readonly definitions: readonly Expr[];
}

export interface TypedModel {
  readonly program: Program;
  readonly model: ModelDecl;
  /** Model-level names (data, latent, param, let, compile-time args), in declaration order. */
  readonly symbols: ReadonlyMap<string, SymbolInfo>;
  /** Loop variables, keyed by their `for` statement. */
  readonly loopVars: ReadonlyMap<ForStmt, SymbolInfo>;
  /** The type of every checked expression (including sample targets and distribution arguments). */
  readonly exprTypes: ReadonlyMap<Expr, Type>;
  /** What each identifier use refers to. */
  readonly references: ReadonlyMap<Identifier, SymbolInfo>;
  /** The distribution of every `~` (model and guide). */
  readonly distributions: ReadonlyMap<SampleStmt, DistributionSignature>;
  /** The signature behind every network-typed declaration. */
  readonly networks: ReadonlyMap<DeclStmt, NetworkSignature>;
  /** Values of compile-time arguments (defaults, or overrides passed to the checker). */
  readonly args: ReadonlyMap<string, number | boolean>;
  /** The `guide { }` block, if the model has one, with the `~` statements inside it by latent name. */
  readonly guide: GuideBlock | null;
  readonly guideSamples: ReadonlyMap<string, readonly SampleStmt[]>;
  /**
   * Names the guide declares (its own `param`s and `let`s): the variational parameters, kept out
   * of `symbols` so they are never mistaken for the model's. Set by the checker (optional only so
   * that hand-built TypedModels in tests need not give it).
   */
  readonly guideSymbols?: ReadonlyMap<string, SymbolInfo>;
}
