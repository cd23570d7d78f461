/**
 * Statements: declarations (in order; a name is usable once declared), `~`, assignment into a
 * `let`, `for` loops (plates: the variable is an int scoped to the body), `factor`, and the guide.
 *
 * Decisions: `factor(e)` takes a number of any shape; a tensor is summed (as Stan's `target +=`).
 * `data` and `latent` are declared at the top of the model only; `param` at the top of the model
 * or of the guide; `let` anywhere (a `let` in a loop body is local to it).
 */
import type { DeclStmt, Expr, ForStmt, GuideBlock, Statement } from "../ast.js";
import { ERROR_T, showType, tensorT, type TensorT } from "../types.js";
import * as E from "../errors/types.js";
import { rangeFromInterval } from "./constraints.js";
import type { Checker } from "./context.js";
import { checkTensorType } from "./declared-types.js";
import { checkExpr } from "./expressions.js";
import { checkNetworkType } from "./networks.js";
import { checkSample, targetRoot, type SampleContext } from "./samples.js";
import { Scope, makeSym, type Sym } from "./scope.js";
import { broadcastsInto } from "./shapes.js";
import { showExpr } from "./show.js";

export type BlockKind = "model" | "guide" | "loop";

export interface StatementContext extends SampleContext {
  /** The guide block found at the top of the model, checked after the model's body. */
  guide: GuideBlock | null;
  /** Every `let` declared anywhere, to report those never defined. */
  readonly lets: Sym[];
}

/** Declares a block's names up front (reporting duplicates), then checks its statements in order. */
export function checkBlock(stmts: readonly Statement[], kind: BlockKind, ck: Checker, sc: StatementContext): void {
  const scopeKind: Sym["scope"] = kind === "model" ? "model" : kind === "guide" ? "guide" : "local";
  for (const s of stmts) {
    if (s.kind !== "Decl") continue;
    const name = s.name.name;
    const existing = ck.scope.lookup(name);
    if (existing) {
      ck.report(E.duplicateDeclaration(name, s.name.span, existing.span));
      continue;
    }
    ck.scope.add(makeSym(name, s.role, s.name.span, s, scopeKind));
  }
  for (const s of stmts) {
    // A statement deep enough to exhaust the stack (thousands of nested prefix operators, say)
    // is the user's to split, not a compiler bug: report it there and go on.
    try {
      checkStatement(s, kind, ck, sc);
    } catch (e) {
      if (!isStackOverflow(e)) throw e;
      ck.report(E.statementTooDeep(s.span));
    }
  }
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function checkStatement(s: Statement, kind: BlockKind, ck: Checker, sc: StatementContext): void {
  switch (s.kind) {
    case "Decl":
      return checkDecl(s, kind, ck, sc);
    case "Sample":
      return checkSample(s, ck, sc);
    case "Assign":
      return checkAssign(s.target, s.value, ck);
    case "For":
      return checkFor(s, kind, ck, sc);
    case "Factor": {
      const c = checkExpr(s.value, ck);
      if (c.type.kind === "tensor" && c.type.elem === "bool") ck.report(E.factorNotNumeric(showType(c.type), s.value.span));
      else if (c.type.kind === "network") ck.tensor(c, s.value);
      return;
    }
    case "Guide":
      if (kind !== "model") {
        ck.report(E.misplaced("a guide block", kind === "guide" ? "inside a guide" : "inside a loop", guideKeywordSpan(s), "put one `guide { ... }` at the top level of the model"));
        return;
      }
      if (sc.guide) {
        ck.report(E.misplaced("a second guide block", "in one model", guideKeywordSpan(s), "merge the guide blocks into one"));
        return;
      }
      sc.guide = s;
      return;
  }
}

/** The span of the `guide` keyword (the start of the block). */
export function guideKeywordSpan(g: GuideBlock) {
  const len = "guide".length;
  return { start: g.span.start, end: g.span.start + len, line: g.span.line, column: g.span.column, endLine: g.span.line, endColumn: g.span.column + len };
}

function checkDecl(s: DeclStmt, kind: BlockKind, ck: Checker, sc: StatementContext): void {
  const own = ck.scope.lookupLocal(s.name.name);
  const sym = own && own.decl === s ? own : undefined;
  if (s.role === "data" || s.role === "latent") {
    if (kind !== "model") {
      ck.report(
        E.misplaced(`a ${s.role} declaration`, kind === "guide" ? "in a guide" : "inside a loop", s.span, kind === "guide" ? "declare it in the model; the guide declares only its own params and lets" : "declare it at the top of the model; loops index into it"),
      );
    }
  } else if (s.role === "param" && kind === "loop") {
    ck.report(E.misplaced("a param declaration", "inside a loop", s.span, "declare params at the top of the model or the guide"));
  }

  let type = sym ? sym.type : ERROR_T;
  let range = sym ? sym.range : undefined;
  if (s.type?.kind === "NetworkType") {
    const n = checkNetworkType(s.type, ck);
    type = n.type;
    if (n.signature && n.type.kind === "network") ck.networks.set(s, n.signature);
    if (s.role !== "param" && s.role !== "latent") {
      ck.report(E.badDeclaredType(`a ${s.role} cannot have a network type`, s.type.span, "declare networks as `param` (point-estimated weights) or `latent` (weights with a prior)"));
      type = ERROR_T;
    }
  } else if (s.type) {
    const d = checkTensorType(s.type, ck);
    type = d.type;
    range = d.range;
  }

  if (s.role === "let") {
    if (!s.type && !s.init) ck.report(E.letWithoutTypeOrValue(s.name.name, s.name.span));
    if (s.init) {
      const c = checkExpr(s.init, ck);
      if (!s.type) {
        type = c.type;
        range = c.range;
      } else if (type.kind === "tensor" && c.type.kind === "tensor") {
        checkFits(`the value of '${s.name.name}'`, c.type, type, s.init, ck);
      } else if (c.type.kind === "network") ck.tensor(c, s.init);
      sym?.definitions.push(s.init);
    }
    if (sym) sc.lets.push(sym);
  } else if (s.init) {
    ck.report(E.misplaced("an initial value", `on a ${s.role}`, s.init.span, `a ${s.role} gets its value ${s.role === "data" ? "from the data at fit time" : "from inference"}; use \`let\` for a computed value`));
  }
  if (sym) {
    sym.type = type;
    if (range) sym.range = range;
    sym.declared = true;
  }
}

/** An assigned or initial value must fit its slot: no real into int, and a shape that broadcasts into the slot's. */
function checkFits(what: string, value: TensorT, slot: TensorT, at: { span: DeclStmt["span"] }, ck: Checker): void {
  // Ints and bools widen to real, bools to int; nothing narrows.
  const elemOk = slot.elem === "real" || (slot.elem === "int" ? value.elem !== "real" : value.elem === "bool");
  if (!elemOk || !broadcastsInto(value.shape, slot.shape)) {
    ck.report(E.valueDoesNotFit(what, showType(value), showType(slot), at.span));
  }
}

function checkAssign(targetExpr: Expr, value: Expr, ck: Checker): void {
  const root = targetRoot(targetExpr);
  const v = checkExpr(value, ck);
  if (!root) {
    ck.report(E.badTarget("=", targetExpr.span));
    return;
  }
  const sym = ck.scope.lookup(root.name);
  if (sym && sym.declared && sym.role !== "let") {
    ck.references.set(root, sym);
    ck.report(E.assignToNonLet(root.name, sym.role, targetExpr.span, sym.span));
    return;
  }
  const t = checkExpr(targetExpr, ck);
  if (!sym || !sym.declared) return;
  if (ck.inGuide && sym.scope === "model") {
    ck.report(E.misplaced(`assigning the model's let '${root.name}'`, "in the guide", targetExpr.span, "declare a new let in the guide"));
    return;
  }
  sym.definitions.push(value);
  if (t.type.kind === "tensor" && v.type.kind === "tensor") checkFits(`the value assigned to ${showExpr(targetExpr)}`, v.type, t.type, value, ck);
  else if (v.type.kind === "network") ck.tensor(v, value);
}

function checkFor(s: ForStmt, kind: BlockKind, ck: Checker, sc: StatementContext): void {
  const bounds = [s.from, s.to].map((b) => {
    const c = checkExpr(b, ck);
    const t = ck.tensor(c, b);
    if (t && (t.elem !== "int" || t.shape.length !== 0)) ck.report(E.loopBoundNotInt(showType(t), b.span));
    return typeof c.value === "number" ? c.value : undefined;
  });
  const outer = ck.scope;
  const inner = new Scope(outer);
  const name = s.variable.name;
  const existing = outer.lookup(name);
  if (existing) ck.report(E.duplicateDeclaration(name, s.variable.span, existing.span));
  const sym = makeSym(name, "loop", s.variable.span, s, "local");
  const [from, to] = bounds;
  sym.range = rangeFromInterval({ lo: from ?? -Infinity, hi: to === undefined ? Infinity : to - 1 }, true);
  sym.type = tensorT("int", [], { kind: "integer", lower: from ?? null, upper: to === undefined ? null : to - 1 });
  sym.declared = true;
  inner.add(sym);
  ck.loopVars.set(s, sym);
  ck.scope = inner;
  try {
    checkBlock(s.body, "loop", ck, sc);
  } finally {
    ck.scope = outer;
  }
}
