/**
 * The type checker: a parsed program and the stdlib's signatures in, a typed model out (the AST
 * with side tables: every expression's type, every name's symbol, every `~`'s distribution).
 *
 * It checks one model (the one named, or the last in the file) against the signatures it is
 * given (it never imports the stdlib), reports every problem it finds rather than stopping at the
 * first (an ErrorT stands in for a failed type so one mistake does not cascade), and never throws
 * for a user's mistake; anything unexpected becomes a PPL9001 internal error.
 */
import type { ModelArg, ModelDecl, Program, SampleStmt } from "./ast.js";
import { internalError, type PhaseResult } from "./diagnostics.js";
import type { Signatures } from "./signatures.js";
import type { SymbolInfo, TypedModel } from "./typed.js";
import { showType, tensorT, type ElemType } from "./types.js";
import * as E from "./errors/types.js";
import { nearestName } from "./suggest.js";
import { Checker } from "./typecheck/context.js";
import { constantViolation, constraintOf, intervals, rangeFromInterval, type ConstValue } from "./typecheck/constraints.js";
import { checkTensorType } from "./typecheck/declared-types.js";
import { checkExpr } from "./typecheck/expressions.js";
import { Scope, makeSym } from "./typecheck/scope.js";
import { checkBlock, guideKeywordSpan, type StatementContext } from "./typecheck/statements.js";

export interface TypecheckOptions {
  /** The model to check; the last model in the file by default. */
  readonly model?: string;
  /** Values for compile-time arguments, overriding their defaults. */
  readonly args?: Readonly<Record<string, number | boolean>>;
}

export function typecheck(program: Program, signatures: Signatures, options: TypecheckOptions = {}): PhaseResult<TypedModel> {
  const ck = new Checker(signatures);
  try {
    const value = checkProgram(program, ck, options);
    return value ? { value, diagnostics: ck.diagnostics } : { diagnostics: ck.diagnostics };
  } catch (err) {
    return { diagnostics: [...ck.diagnostics, internalError(err)] };
  }
}

function checkProgram(program: Program, ck: Checker, options: TypecheckOptions): TypedModel | undefined {
  checkImports(program, ck);
  const model = chooseModel(program, ck, options.model);
  if (!model) return undefined;

  const args = checkArgs(model, ck, options.args ?? {});
  const sc: StatementContext = { guide: null, lets: [], guideSamples: new Map<string, SampleStmt[]>(), suggestedLatents: new Set<string>() };
  checkBlock(model.body, "model", ck, sc);

  let guideSymbols = new Map<string, SymbolInfo>();
  if (sc.guide) {
    const guideScope = new Scope(ck.modelScope);
    ck.guideScope = guideScope;
    ck.scope = guideScope;
    ck.inGuide = true;
    checkBlock(sc.guide.body, "guide", ck, sc);
    ck.inGuide = false;
    ck.scope = ck.modelScope;
    guideSymbols = new Map(guideScope.symbols().map((s) => [s.name, s]));
  }

  // Whole-model checks: every latent has a prior (and a guide, when there is one); every typed let is defined.
  const modelSyms = ck.modelScope.symbols();
  for (const s of modelSyms) {
    if (s.role === "latent" && s.declared && s.samples.length === 0) ck.report(E.latentWithoutPrior(s.name, s.span, s.type.kind === "network"));
  }
  for (const s of sc.lets) {
    if (s.definitions.length === 0 && s.decl.kind === "Decl" && s.decl.type) ck.report(E.letNeverDefined(s.name, s.span));
  }
  if (sc.guide) {
    const missing = modelSyms.filter((s) => s.role === "latent" && s.declared && !sc.guideSamples.has(s.name) && !sc.suggestedLatents.has(s.name)).map((s) => s.name);
    if (missing.length) ck.report(E.guideMissesLatents(missing, guideKeywordSpan(sc.guide)));
  }

  return {
    program,
    model,
    symbols: new Map(modelSyms.map((s) => [s.name, s as SymbolInfo])),
    loopVars: ck.loopVars,
    exprTypes: ck.exprTypes,
    references: ck.references,
    distributions: ck.distributions,
    networks: ck.networks,
    args,
    guide: sc.guide,
    guideSamples: sc.guideSamples,
    guideSymbols,
  };
}

function checkImports(program: Program, ck: Checker): void {
  const modules = ck.signatures.modules;
  for (const imp of program.imports) {
    const exports = modules.get(imp.module);
    if (!exports) {
      const known = [...modules.keys()];
      ck.report(E.unknownModule(imp.module, imp.moduleSpan, nearestName(imp.module, known), known));
      continue;
    }
    for (const n of imp.names) if (!exports.includes(n.name)) ck.report(E.notExported(n.name, imp.module, n.span, exports));
  }
}

function chooseModel(program: Program, ck: Checker, name: string | undefined): ModelDecl | undefined {
  const names = program.models.map((m) => m.name.name);
  if (name === undefined) {
    const last = program.models[program.models.length - 1];
    if (!last) ck.report(E.modelNotFound(undefined, undefined, [], undefined));
    return last;
  }
  const m = program.models.find((x) => x.name.name === name);
  if (!m) ck.report(E.modelNotFound(name, nearestName(name, names), names, undefined));
  return m;
}

/** Compile-time arguments: their values (overrides, else defaults), checked against their types, as constants. */
function checkArgs(model: ModelDecl, ck: Checker, overrides: Readonly<Record<string, number | boolean>>): Map<string, number | boolean> {
  const values = new Map<string, number | boolean>();
  const declared = model.args ?? [];
  const names = declared.map((a) => a.name.name);
  for (const key of Object.keys(overrides)) {
    if (!names.includes(key)) ck.report(E.unknownArgOverride(key, model.name.name, model.name.span, nearestName(key, names), names));
  }
  for (const a of declared) {
    const name = a.name.name;
    const existing = ck.modelScope.lookupLocal(name);
    if (existing) {
      ck.report(E.duplicateDeclaration(name, a.name.span, existing.span));
      continue;
    }
    const sym = makeSym(name, "arg", a.name.span, a, "model");
    const v = argValue(a, ck, overrides);
    ck.modelScope.add(sym);
    sym.declared = true;
    if (v === undefined) continue; // reported; the ErrorT keeps uses quiet
    values.set(name, v.value);
    sym.value = v.value;
    const x = typeof v.value === "boolean" ? (v.value ? 1 : 0) : v.value;
    sym.range = rangeFromInterval(intervals.point(x), v.elem !== "real");
    sym.type = tensorT(v.elem, [], constraintOf(sym.range, v.elem));
  }
  return values;
}

function argValue(a: ModelArg, ck: Checker, overrides: Readonly<Record<string, number | boolean>>): { value: number | boolean; elem: ElemType } | undefined {
  const name = a.name.name;
  let declaredElem: ElemType | undefined;
  let declaredType = undefined as ReturnType<typeof checkTensorType> | undefined;
  if (a.type?.kind === "NetworkType") {
    ck.report(E.badDeclaredType(`compile-time argument '${name}' cannot be a network`, a.type.span, "compile-time arguments are numbers or booleans"));
    return undefined;
  }
  if (a.type) {
    declaredType = checkTensorType(a.type, ck);
    if (declaredType.type.kind === "tensor") {
      if (declaredType.type.shape.length > 0 || a.type.base === "simplex" || a.type.base === "ordered" || a.type.base === "positive_ordered" || a.type.base.startsWith("c")) {
        ck.report(E.badDeclaredType(`compile-time argument '${name}' must be a scalar int, real or bool`, a.type.span, "write e.g. `K: int = 3`"));
        return undefined;
      }
      declaredElem = declaredType.type.elem;
    }
  }
  let value: ConstValue | undefined;
  let span = a.name.span;
  if (Object.prototype.hasOwnProperty.call(overrides, name)) value = overrides[name];
  else if (a.default) {
    span = a.default.span;
    const c = checkExpr(a.default, ck);
    if (c.type.kind === "error") return undefined;
    if (c.value === undefined || Array.isArray(c.value)) {
      ck.report(E.argValueInvalid(name, a.default.span, "has a default that is not a constant"));
      return undefined;
    }
    value = c.value;
    if (declaredElem === undefined && c.type.kind === "tensor") declaredElem = c.type.elem;
  } else {
    ck.report(E.argWithoutValue(name, a.name.span));
    return undefined;
  }
  if (typeof value !== "number" && typeof value !== "boolean") return undefined;
  const elem: ElemType = declaredElem ?? (typeof value === "boolean" ? "bool" : Number.isInteger(value) && !(a.default?.kind === "Number" && !a.default.isInt) ? "int" : "real");
  if (elem === "bool" && typeof value !== "boolean") {
    ck.report(E.argValueInvalid(name, span, `is a bool but got ${value}`));
    return undefined;
  }
  if (elem !== "bool" && typeof value === "boolean") {
    ck.report(E.argValueInvalid(name, span, `is ${elem === "int" ? "an int" : "a real"} but got ${value}`));
    return undefined;
  }
  if (elem === "int" && (typeof value !== "number" || !Number.isInteger(value))) {
    ck.report(E.argValueInvalid(name, span, `is an int but got ${value}`));
    return undefined;
  }
  if (declaredType && declaredType.type.kind === "tensor") {
    const why = constantViolation(value, declaredType.type.constraint);
    if (why) {
      ck.report(E.argValueInvalid(name, span, `must be ${showType(declaredType.type)}: ${why}`));
      return undefined;
    }
  }
  return { value, elem };
}


