/**
 * The checker's state while it walks one model: the signatures it was given, the scopes, the
 * side tables that become the TypedModel, and the diagnostics found so far.
 */
import type { DeclStmt, Expr, ForStmt, Identifier, SampleStmt } from "../ast.js";
import type { Diagnostic } from "../diagnostics.js";
import type { DistributionSignature, NetworkSignature, Signatures } from "../signatures.js";
import type { SymbolInfo } from "../typed.js";
import { ERROR_T, tensorT, type Dim, type ElemType, type TensorT, type Type } from "../types.js";
import type { ConstValue, Range } from "./constraints.js";
import { REAL_RANGE, constraintOf } from "./constraints.js";
import * as E from "../errors/types.js";
import { nearestName } from "../suggest.js";
import { Scope, type Sym } from "./scope.js";
import { showExpr } from "./show.js";

/** What checking an expression finds: its type, its range of values, and its value when it is a constant. */
export interface Checked {
  readonly type: Type;
  readonly range: Range;
  readonly value?: ConstValue;
}

export const ERROR_CHECKED: Checked = { type: ERROR_T, range: REAL_RANGE };

export const numericElem = (t: TensorT): ElemType => (t.elem === "bool" ? "int" : t.elem);
export const joinElems = (a: ElemType, b: ElemType): ElemType => (a === "real" || b === "real" ? "real" : "int");

/** A tensor result with its constraint computed from its range. */
export function tensorChecked(elem: ElemType, shape: readonly Dim[], range: Range, value?: ConstValue): Checked {
  const r = elem === "int" && !range.discrete ? { ...range, discrete: true } : range;
  const t = tensorT(elem, shape, constraintOf(r, elem));
  return value === undefined ? { type: t, range: r } : { type: t, range: r, value };
}



export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly exprTypes = new Map<Expr, Type>();
  /** Results of a long left-leaning chain's links, checked bottom-up (see checkExpr). */
  readonly spine = new Map<Expr, Checked>();
  readonly references = new Map<Identifier, SymbolInfo>();
  readonly distributions = new Map<SampleStmt, DistributionSignature>();
  readonly networks = new Map<DeclStmt, NetworkSignature>();
  readonly loopVars = new Map<ForStmt, SymbolInfo>();
  /** The model's scope (arguments and top-level declarations). */
  readonly modelScope = new Scope(null);
  /** The guide's own scope, when checking the guide. */
  guideScope: Scope | null = null;
  /** Where lookups start. */
  scope: Scope = this.modelScope;
  /** True while checking the guide block. */
  inGuide = false;
  /** Names already reported as undeclared. */
  private readonly undeclared = new Set<string>();

  constructor(readonly signatures: Signatures) {}

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  /** Resolves a use of a name: reports undeclared names and uses before the declaration. */
  resolve(id: Identifier): Sym | undefined {
    const sym = this.scope.lookup(id.name);
    if (!sym) {
      // Once per name: a misspelling used three times is one mistake.
      if (!this.undeclared.has(id.name)) this.report(E.undeclaredName(id.name, id.span, nearestName(id.name, this.scope.names())));
      this.undeclared.add(id.name);
      return undefined;
    }
    this.references.set(id, sym);
    if (!sym.declared) {
      this.report(E.useBeforeDeclaration(id.name, id.span, sym.span));
      return undefined;
    }
    return sym;
  }

  record(e: Expr, c: Checked): Checked {
    this.exprTypes.set(e, c.type);
    return c;
  }

  /**
   * The tensor behind a checked value, or null after an error. A network where a value is
   * needed is reported here (once per use).
   */
  tensor(c: Checked, e: Expr): TensorT | null {
    if (c.type.kind === "tensor") return c.type;
    if (c.type.kind === "network") this.report(E.networkAsValue(showExpr(e), e.span));
    return null;
  }
}
