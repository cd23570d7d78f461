/**
 * Symbols and scopes. A block (the model body, the guide, a loop body) declares its names up
 * front, so a name used above its declaration is reported as "used before its declaration"
 * rather than "not declared"; a symbol becomes usable once its declaration has been checked.
 */
import type { DeclStmt, ForStmt, Identifier, ModelArg, SampleStmt, Expr } from "../ast.js";
import type { Span } from "../span.js";
import type { SymbolInfo, SymbolRole } from "../typed.js";
import { ERROR_T, type Type } from "../types.js";
import type { ConstValue, Range } from "./constraints.js";
import { REAL_RANGE } from "./constraints.js";

/** A symbol while it is being checked; handed out as a SymbolInfo once done. */
export interface Sym extends SymbolInfo {
  type: Type;
  /** The declared (or inferred) range of values, with symbolic bounds kept (`upper=K-1`). */
  range: Range;
  /** A compile-time argument's value. */
  value: ConstValue | undefined;
  /** False until the declaration has been checked: a use before then is a use before declaration. */
  declared: boolean;
  readonly samples: SampleStmt[];
  readonly definitions: Expr[];
  /** Where the name was declared: the model, its guide, or a loop body. */
  readonly scope: "model" | "guide" | "local";
}

export function makeSym(
  name: string,
  role: SymbolRole,
  span: Span,
  decl: DeclStmt | ModelArg | ForStmt,
  scope: Sym["scope"],
): Sym {
  return { name, role, type: ERROR_T, span, decl, samples: [], definitions: [], range: REAL_RANGE, value: undefined, declared: false, scope };
}

/** A chain of name tables, innermost first when looking up. */
export class Scope {
  private readonly table = new Map<string, Sym>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Sym | undefined {
    return this.table.get(name) ?? this.parent?.lookup(name);
  }

  lookupLocal(name: string): Sym | undefined {
    return this.table.get(name);
  }

  add(sym: Sym): void {
    this.table.set(sym.name, sym);
  }

  /** Every visible name, innermost first (for suggestions). */
  names(): string[] {
    return [...this.table.keys(), ...(this.parent ? this.parent.names() : [])];
  }

  symbols(): Sym[] {
    return [...this.table.values()];
  }
}

export const declName = (d: DeclStmt | ModelArg | ForStmt): Identifier => (d.kind === "For" ? d.variable : d.name);
