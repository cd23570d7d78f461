/**
 * CST -> AST. Works on any CST the parser can produce, including partial ones from error
 * recovery: a construct missing a required part is dropped (its parent drops in turn when the
 * part was required there too), tokens invented by recovery (`isInsertedInRecovery`, NaN offsets)
 * never reach a span or a name, and nothing throws.
 *
 * Not recursive per item of a flat sequence: statements, binary chains, prefix operators,
 * `^` chains, ternary chains and index suffixes are all folded in loops, and levels with a single
 * operand (and parentheses) are descended iteratively. Recursion happens only where the source
 * nests (brackets, ternary then-branches), which parse.ts bounds.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import type {
  BaseType,
  BinaryOp,
  Bounds,
  DeclRole,
  DistCall,
  Expr,
  Identifier,
  ImportDecl,
  IndexArg,
  ModelArg,
  ModelDecl,
  NamedArg,
  Program,
  Statement,
  TypeExpr,
  UnaryOp,
} from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { joinSpans, type Span } from "./span.js";
import { duplicateBound, letNeedsTypeOrValue, numberTooLarge, unknownBound } from "./errors/syntax.js";

type Part = Span | IToken | null | undefined;

const isToken = (e: CstElement): e is IToken => (e as IToken).tokenType !== undefined;

/** A real token from the source (not one invented by recovery). */
const realToken = (t: IToken | undefined): t is IToken =>
  t !== undefined && t.isInsertedInRecovery !== true && Number.isFinite(t.startOffset);

const isSpan = (p: Span | IToken): p is Span => (p as Span).line !== undefined && (p as IToken).tokenType === undefined;

/** Binding strength of the binary operators folded by `binary` (`^` is handled apart). */
const BINARY_PRECEDENCE: Record<BinaryOp, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
  "@": 6,
  "^": 7,
};

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  /** Line start offsets, for turning offsets into spans without allocating along the way. */
  private readonly starts: number[] = [0];
  private lastLine = 0;

  constructor(text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** 0-based line of an offset; nodes are built mostly left to right, so try the last hit first. */
  private lineOf(offset: number): number {
    const starts = this.starts;
    let l = this.lastLine;
    if (starts[l]! <= offset && (l + 1 >= starts.length || starts[l + 1]! > offset)) return l;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    l = lo;
    this.lastLine = l;
    return l;
  }

  private spanAt(start: number, end: number): Span {
    const l1 = this.lineOf(start);
    const l2 = this.lineOf(end);
    return { start, end, line: l1 + 1, column: start - this.starts[l1]! + 1, endLine: l2 + 1, endColumn: end - this.starts[l2]! + 1 };
  }

  // -------------------------------------------------------------------------------------------
  // CST access

  private tok(node: CstNode, label: string, i = 0): IToken | undefined {
    const el = node.children[label]?.[i];
    return el !== undefined && isToken(el) && realToken(el) ? el : undefined;
  }

  private toks(node: CstNode, label: string): IToken[] {
    const out: IToken[] = [];
    for (const el of node.children[label] ?? []) if (isToken(el) && realToken(el)) out.push(el);
    return out;
  }

  private sub(node: CstNode, label: string, i = 0): CstNode | undefined {
    const el = node.children[label]?.[i];
    return el !== undefined && !isToken(el) ? el : undefined;
  }

  private subs(node: CstNode, label: string): CstNode[] {
    const out: CstNode[] = [];
    for (const el of node.children[label] ?? []) if (!isToken(el)) out.push(el);
    return out;
  }

  private has(node: CstNode, label: string): boolean {
    return (node.children[label]?.length ?? 0) > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Spans

  private tokSpan(t: IToken): Span {
    return this.spanAt(t.startOffset, t.startOffset + t.image.length);
  }

  /** The smallest span covering the real parts; the first part must be present. */
  private over(...parts: Part[]): Span {
    let start = Infinity;
    let end = -Infinity;
    let first: Span | undefined;
    let last: Span | undefined;
    for (const p of parts) {
      if (p === null || p === undefined) continue;
      if (isSpan(p)) {
        if (p.start < start) {
          start = p.start;
          first = p;
        }
        if (p.end > end) {
          end = p.end;
          last = p;
        }
      } else if (realToken(p)) {
        const s = p.startOffset;
        const e = p.startOffset + p.image.length;
        if (s < start) {
          start = s;
          first = undefined;
        }
        if (e > end) {
          end = e;
          last = undefined;
        }
      }
    }
    if (!Number.isFinite(start)) return this.spanAt(0, 0);
    if (first && last) return joinSpans(first, last);
    return this.spanAt(start, end);
  }

  private ident(t: IToken | undefined): Identifier | null {
    if (!t) return null;
    return { kind: "Identifier", name: t.image, span: this.tokSpan(t) };
  }

  // -------------------------------------------------------------------------------------------
  // Program structure

  program(cst: CstNode, textLength: number): Program {
    const imports: ImportDecl[] = [];
    const models: ModelDecl[] = [];
    for (const n of this.subs(cst, "imports")) {
      const i = this.importDecl(n);
      if (i) imports.push(i);
    }
    for (const n of this.subs(cst, "models")) {
      const m = this.modelDecl(n);
      if (m) models.push(m);
    }
    return { kind: "Program", imports, models, span: this.spanAt(0, textLength) };
  }

  private importDecl(node: CstNode): ImportDecl | null {
    const names: Identifier[] = [];
    for (const t of this.toks(node, "names")) names.push(this.ident(t)!);
    const mod = this.tok(node, "module");
    if (names.length === 0 || !mod) return null;
    const moduleSpan = this.tokSpan(mod);
    return {
      kind: "Import",
      names,
      module: decodeString(mod.image),
      moduleSpan,
      span: this.over(this.tok(node, "keyword"), moduleSpan),
    };
  }

  private modelDecl(node: CstNode): ModelDecl | null {
    const name = this.ident(this.tok(node, "name"));
    const bodyNode = this.sub(node, "body");
    if (!name || !bodyNode) return null;
    let args: ModelArg[] | null = null;
    if (this.has(node, "argsOpen")) {
      args = [];
      for (const a of this.subs(node, "args")) {
        const arg = this.modelArg(a);
        if (arg) args.push(arg);
      }
    }
    const body = this.block(bodyNode);
    return { kind: "Model", name, args, body: body.statements, span: this.over(this.tok(node, "keyword"), name.span, body.span) };
  }

  private modelArg(node: CstNode): ModelArg | null {
    const name = this.ident(this.tok(node, "name"));
    if (!name) return null;
    let type: TypeExpr | null = null;
    const typeNode = this.sub(node, "type");
    if (typeNode) {
      type = this.type(typeNode);
      if (!type) return null;
    }
    let dflt: Expr | null = null;
    const dNode = this.sub(node, "default");
    if (dNode) {
      dflt = this.expr(dNode);
      if (!dflt) return null;
    } else if (this.has(node, "Equals")) return null;
    return { kind: "ModelArg", name, type, default: dflt, span: this.over(name.span, type?.span, dflt?.span) };
  }

  private block(node: CstNode): { statements: Statement[]; span: Span } {
    const statements: Statement[] = [];
    for (const s of this.subs(node, "statements")) {
      const st = this.statement(s);
      if (st) statements.push(st);
    }
    const open = this.tok(node, "open");
    const close = this.tok(node, "close");
    const last = statements[statements.length - 1];
    return { statements, span: this.over(open, last?.span, close) };
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private statement(node: CstNode): Statement | null {
    switch (node.name) {
      case "declStmt":
        return this.declStmt(node);
      case "letStmt":
        return this.letStmt(node);
      case "forStmt":
        return this.forStmt(node);
      case "guideStmt":
        return this.guideStmt(node);
      case "factorStmt":
        return this.factorStmt(node);
      case "exprStmt":
        return this.exprStmt(node);
      default:
        return null;
    }
  }

  private declStmt(node: CstNode): Statement | null {
    const role = this.tok(node, "role");
    const name = this.ident(this.tok(node, "name"));
    const typeNode = this.sub(node, "type");
    const type = typeNode ? this.type(typeNode) : null;
    if (!role || !name || !type) return null;
    return { kind: "Decl", role: role.image as DeclRole, name, type, init: null, span: this.over(role, type.span) };
  }

  private letStmt(node: CstNode): Statement | null {
    const kw = this.tok(node, "keyword");
    const name = this.ident(this.tok(node, "name"));
    if (!kw || !name) return null;
    let type: TypeExpr | null = null;
    const typeNode = this.sub(node, "type");
    if (typeNode) {
      type = this.type(typeNode);
      if (!type) return null;
    } else if (this.has(node, "Colon")) return null;
    let init: Expr | null = null;
    const initNode = this.sub(node, "init");
    if (initNode) {
      init = this.expr(initNode);
      if (!init) return null;
    } else if (this.has(node, "Equals")) return null;
    const span = this.over(kw, name.span, type?.span, init?.span);
    if (!type && !init) {
      this.diagnostics.push(letNeedsTypeOrValue(name.name, span));
      return null;
    }
    return { kind: "Decl", role: "let", name, type, init, span };
  }

  private forStmt(node: CstNode): Statement | null {
    const kw = this.tok(node, "keyword");
    const variable = this.ident(this.tok(node, "variable"));
    const fromNode = this.sub(node, "from");
    const toNode = this.sub(node, "to");
    const bodyNode = this.sub(node, "body");
    if (!kw || !variable || !fromNode || !toNode || !bodyNode) return null;
    const from = this.expr(fromNode);
    const to = this.expr(toNode);
    if (!from || !to) return null;
    const body = this.block(bodyNode);
    return { kind: "For", variable, from, to, body: body.statements, span: this.over(kw, to.span, body.span) };
  }

  private guideStmt(node: CstNode): Statement | null {
    const kw = this.tok(node, "keyword");
    const bodyNode = this.sub(node, "body");
    if (!kw || !bodyNode) return null;
    const body = this.block(bodyNode);
    return { kind: "Guide", body: body.statements, span: this.over(kw, body.span) };
  }

  private factorStmt(node: CstNode): Statement | null {
    const kw = this.tok(node, "keyword");
    const valueNode = this.sub(node, "value");
    const value = valueNode ? this.expr(valueNode) : null;
    if (!kw || !value) return null;
    return { kind: "Factor", value, span: this.over(kw, value.span, this.tok(node, "close")) };
  }

  private exprStmt(node: CstNode): Statement | null {
    const targetNode = this.sub(node, "target");
    if (!targetNode) return null;
    const target = this.expr(targetNode);
    if (!target) return null;
    const distNode = this.sub(node, "dist");
    if (distNode) {
      const dist = this.distCall(distNode);
      if (!dist) return null;
      return { kind: "Sample", target, dist, span: this.over(target.span, dist.span) };
    }
    const valueNode = this.sub(node, "value");
    const value = valueNode ? this.expr(valueNode) : null;
    if (!value) return null;
    return { kind: "Assign", target, value, span: this.over(target.span, value.span) };
  }

  private distCall(node: CstNode): DistCall | null {
    const name = this.ident(this.tok(node, "name"));
    if (!name) return null;
    const args = this.exprList(node, "args", "Comma");
    if (!args) return null;
    const last = args[args.length - 1];
    return { kind: "DistCall", name, args, span: this.over(name.span, last?.span, this.tok(node, "close")) };
  }

  /** Every element under `label`, or null if one is missing or broken. */
  private exprList(node: CstNode, label: string, sepLabel: string): Expr[] | null {
    const nodes = this.subs(node, label);
    const seps = node.children[sepLabel]?.length ?? 0;
    if (nodes.length > 0 && seps !== nodes.length - 1) return null;
    if (nodes.length === 0 && seps > 0) return null;
    const out: Expr[] = [];
    for (const n of nodes) {
      const e = this.expr(n);
      if (!e) return null;
      out.push(e);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Types

  private type(node: CstNode): TypeExpr | null {
    const tensor = this.sub(node, "tensor");
    if (tensor) return this.tensorType(tensor);
    const network = this.sub(node, "network");
    if (network) return this.networkType(network);
    return null;
  }

  private tensorType(node: CstNode): TypeExpr | null {
    const base = this.tok(node, "base");
    if (!base) return null;
    let bounds: Bounds | null = null;
    const bNode = this.sub(node, "bounds");
    if (bNode) {
      bounds = this.bounds(bNode);
      if (!bounds) return null;
    }
    let dims: Expr[] = [];
    if (this.has(node, "LBracket")) {
      const d = this.exprList(node, "dims", "Comma");
      if (!d || d.length === 0) return null;
      dims = d;
    }
    const last = dims[dims.length - 1];
    return {
      kind: "TensorType",
      base: base.image as BaseType,
      bounds,
      dims,
      span: this.over(base, bounds?.span, last?.span, this.tok(node, "close")),
    };
  }

  private bounds(node: CstNode): Bounds | null {
    let lower: Expr | null = null;
    let upper: Expr | null = null;
    let lowerSpan: Span | undefined;
    let upperSpan: Span | undefined;
    let firstSpan: Span | undefined;
    let lastSpan: Span | undefined;
    const items = this.subs(node, "items");
    if (items.length === 0 || (node.children["Comma"]?.length ?? 0) !== items.length - 1) return null;
    for (const item of items) {
      const nameTok = this.tok(item, "name");
      const valueNode = this.sub(item, "value");
      const value = valueNode ? this.expr(valueNode) : null;
      if (!nameTok || !value) return null;
      const nameSpan = this.tokSpan(nameTok);
      firstSpan ??= nameSpan;
      lastSpan = value.span;
      if (nameTok.image === "lower") {
        if (lowerSpan) this.diagnostics.push(duplicateBound("lower", nameSpan, lowerSpan));
        else {
          lower = value;
          lowerSpan = nameSpan;
        }
      } else if (nameTok.image === "upper") {
        if (upperSpan) this.diagnostics.push(duplicateBound("upper", nameSpan, upperSpan));
        else {
          upper = value;
          upperSpan = nameSpan;
        }
      } else {
        this.diagnostics.push(unknownBound(nameTok.image, nameSpan));
      }
    }
    return { lower, upper, span: this.over(this.tok(node, "open"), firstSpan, lastSpan, this.tok(node, "close")) };
  }

  private networkType(node: CstNode): TypeExpr | null {
    const name = this.ident(this.tok(node, "name"));
    if (!name) return null;
    const layerNodes = this.subs(node, "layers");
    if (layerNodes.length < 2 || (node.children["Arrow"]?.length ?? 0) !== layerNodes.length - 1) return null;
    const layers: Expr[] = [];
    for (const l of layerNodes) {
      const e = this.expr(l);
      if (!e) return null;
      layers.push(e);
    }
    const options: NamedArg[] = [];
    const optNodes = this.subs(node, "options");
    if (optNodes.length !== (node.children["Comma"]?.length ?? 0)) return null;
    for (const o of optNodes) {
      const oname = this.ident(this.tok(o, "name"));
      const vNode = this.sub(o, "value");
      const value = vNode ? this.expr(vNode) : null;
      if (!oname || !value) return null;
      options.push({ kind: "NamedArg", name: oname, value, span: this.over(oname.span, value.span) });
    }
    const lastPart = options.length > 0 ? options[options.length - 1]!.span : layers[layers.length - 1]!.span;
    return { kind: "NetworkType", name, layers, options, span: this.over(name.span, lastPart, this.tok(node, "close")) };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /** Any expression-level CST node (`expression` down to `atom`). */
  expr(start: CstNode): Expr | null {
    let node = start;
    for (;;) {
      const name = node.name;
      if (name === "expression" || name === "additive") {
        if (this.has(node, "question")) return this.ternary(node);
        if (!this.has(node, "ops")) {
          const next = this.sub(node, "operands");
          if (!next) return null;
          node = next;
          continue;
        }
        return this.binary(this.subs(node, "operands"), node.children["ops"] ?? []);
      }
      if (name === "unary") {
        const base = this.sub(node, "base");
        if (!base) return null;
        if (!this.has(node, "ops") && !this.has(node, "carets")) {
          node = base;
          continue;
        }
        return this.unary(node, base);
      }
      if (name === "atom") {
        if (this.has(node, "suffixes")) return this.postfix(node);
        if (this.has(node, "parenOpen")) {
          const inner = this.sub(node, "inner");
          if (!inner) return null;
          node = inner;
          continue;
        }
        return this.atom(node);
      }
      return null;
    }
  }

  /**
   * `a + b ? c : d ? e : f * g`: splits the flat operand list at each `?`/`:` (by source offset:
   * the `k` binary operators before a `?` take `k + 1` operands), then folds to the right.
   */
  private ternary(node: CstNode): Expr | null {
    const operandNodes = this.subs(node, "operands");
    const thenNodes = this.subs(node, "thens");
    const questions = node.children["question"] ?? [];
    const ops = node.children["ops"] ?? [];
    const nc = node.children["colon"]?.length ?? 0;
    const nq = questions.length;
    if (thenNodes.length !== nq || nc !== nq || operandNodes.length !== ops.length + nq + 1) return null;
    const conds: Expr[] = [];
    let opAt = 0;
    let operandAt = 0;
    for (let q = 0; q <= nq; q++) {
      const qTok = questions[q];
      const limit = qTok === undefined ? Infinity : isToken(qTok) && realToken(qTok) ? qTok.startOffset : NaN;
      if (Number.isNaN(limit)) return null;
      const segOps: CstElement[] = [];
      while (opAt < ops.length) {
        const t = ops[opAt]!;
        if (!isToken(t) || !realToken(t)) return null;
        if (t.startOffset > limit) break;
        segOps.push(t);
        opAt++;
      }
      const segOperands = operandNodes.slice(operandAt, operandAt + segOps.length + 1);
      operandAt += segOps.length + 1;
      const e = this.binary(segOperands, segOps);
      if (!e) return null;
      conds.push(e);
    }
    const thens: Expr[] = [];
    for (const t of thenNodes) {
      const e = this.expr(t);
      if (!e) return null;
      thens.push(e);
    }
    let acc = conds[conds.length - 1]!;
    for (let i = thens.length - 1; i >= 0; i--) {
      const cond = conds[i]!;
      acc = { kind: "Ternary", cond, then: thens[i]!, otherwise: acc, span: joinSpans(cond.span, acc.span) };
    }
    return acc;
  }

  /** `a op b op c ...` with every binary level at once: operator precedence, iteratively. */
  private binary(operandNodes: readonly CstNode[], ops: readonly CstElement[]): Expr | null {
    if (operandNodes.length !== ops.length + 1) return null;
    const first = this.expr(operandNodes[0]!);
    if (!first) return null;
    const operands: Expr[] = [first];
    const pending: BinaryOp[] = [];
    const reduce = (): void => {
      const right = operands.pop()!;
      const left = operands.pop()!;
      const op = pending.pop()!;
      operands.push({ kind: "Binary", op, left, right, span: joinSpans(left.span, right.span) });
    };
    for (let i = 0; i < ops.length; i++) {
      const t = ops[i]!;
      if (!isToken(t) || !realToken(t)) return null;
      const op = t.image as BinaryOp;
      const prec = BINARY_PRECEDENCE[op];
      // All these levels are left-associative: reduce while the stacked operator binds as tight.
      while (pending.length > 0 && BINARY_PRECEDENCE[pending[pending.length - 1]!] >= prec) reduce();
      const right = this.expr(operandNodes[i + 1]!);
      if (!right) return null;
      pending.push(op);
      operands.push(right);
    }
    while (pending.length > 0) reduce();
    return operands[0]!;
  }

  /** Applies prefix operators, innermost (rightmost) first. */
  private prefixed(ops: IToken[], operand: Expr): Expr {
    let acc = operand;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      acc = { kind: "Unary", op: op.image as UnaryOp, operand: acc, span: joinSpans(this.tokSpan(op), acc.span) };
    }
    return acc;
  }

  /** `op* base (^ op* operand)*`. */
  private unary(node: CstNode, baseNode: CstNode): Expr | null {
    const expNodes = this.subs(node, "exponents");
    if (expNodes.length !== (node.children["carets"]?.length ?? 0)) return null;
    const base = this.expr(baseNode);
    if (!base) return null;
    const items: { ops: IToken[]; e: Expr }[] = [{ ops: this.toks(node, "ops"), e: base }];
    for (const x of expNodes) {
      const operand = this.sub(x, "operand");
      const e = operand ? this.expr(operand) : null;
      if (!e) return null;
      items.push({ ops: this.toks(x, "ops"), e });
    }
    // `a ^ -b ^ c` is `a ^ -(b ^ c)`: each operand's prefix operators cover the rest of the chain.
    const lastItem = items[items.length - 1]!;
    let acc = this.prefixed(lastItem.ops, lastItem.e);
    for (let i = items.length - 2; i >= 0; i--) {
      const it = items[i]!;
      const bin: Expr = { kind: "Binary", op: "^", left: it.e, right: acc, span: joinSpans(it.e.span, acc.span) };
      acc = this.prefixed(it.ops, bin);
    }
    return acc;
  }

  /** An atom with index suffixes. */
  private postfix(node: CstNode): Expr | null {
    let acc = this.has(node, "parenOpen") ? this.parenInner(node) : this.atom(node);
    if (!acc) return null;
    for (const suffix of this.subs(node, "suffixes")) {
      const argNodes = this.subs(suffix, "args");
      if (argNodes.length === 0 || (suffix.children["Comma"]?.length ?? 0) !== argNodes.length - 1) return null;
      const indices: IndexArg[] = [];
      for (const a of argNodes) {
        const arg = this.indexArg(a);
        if (!arg) return null;
        indices.push(arg);
      }
      const last = indices[indices.length - 1]!;
      acc = { kind: "Index", object: acc, indices, span: this.over(acc.span, last.span, this.tok(suffix, "close")) };
    }
    return acc;
  }

  private indexArg(node: CstNode): IndexArg | null {
    const startNode = this.sub(node, "start");
    const endNode = this.sub(node, "end");
    const colon = node.children["colon"]?.[0];
    const start = startNode ? this.expr(startNode) : null;
    if (startNode && !start) return null;
    const end = endNode ? this.expr(endNode) : null;
    if (endNode && !end) return null;
    if (colon === undefined) return start;
    if (!isToken(colon) || !realToken(colon)) return null;
    return { kind: "Slice", start, end, span: this.over(start?.span, colon, end?.span) };
  }

  private parenInner(node: CstNode): Expr | null {
    const inner = this.sub(node, "inner");
    return inner ? this.expr(inner) : null;
  }

  /** An atom without its index suffixes (and not a parenthesised expression). */
  private atom(node: CstNode): Expr | null {
    const num = this.tok(node, "number");
    if (num) {
      const text = num.image;
      const value = Number(text);
      const span = this.tokSpan(num);
      if (!Number.isFinite(value)) this.diagnostics.push(numberTooLarge(text, span));
      return { kind: "Number", value, isInt: !/[.eE]/.test(text), span };
    }
    const b = this.tok(node, "bool");
    if (b) return { kind: "Bool", value: b.image === "true", span: this.tokSpan(b) };
    const id = this.ident(this.tok(node, "name"));
    if (id) {
      if (!this.has(node, "callOpen")) return id;
      const args = this.exprList(node, "args", "argCommas");
      if (!args) return null;
      const last = args[args.length - 1];
      return { kind: "Call", callee: id, args, span: this.over(id.span, last?.span, this.tok(node, "callClose")) };
    }
    if (this.has(node, "arrayOpen")) {
      const elements = this.exprList(node, "elements", "elementCommas");
      if (!elements) return null;
      const last = elements[elements.length - 1];
      return {
        kind: "Array",
        elements,
        span: this.over(this.tok(node, "arrayOpen"), last?.span, this.tok(node, "arrayClose")),
      };
    }
    return null;
  }
}

/** The value of a string token (with or without its closing quote). */
export function decodeString(image: string): string {
  let body = image.slice(1);
  if (body.endsWith('"') && image.length >= 2) body = body.slice(0, -1);
  if (!body.includes("\\")) return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])?/g, (_m, esc: string | undefined) => {
    if (esc === undefined) return "";
    switch (esc[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "u":
        return esc.length === 5 ? String.fromCharCode(parseInt(esc.slice(1), 16)) : esc;
      default:
        return esc;
    }
  });
}

/** Builds the AST of a (possibly partial) CST, with the visitor's own diagnostics. */
export function cstToAst(cst: CstNode, text: string): { program: Program; diagnostics: Diagnostic[] } {
  const b = new Builder(text);
  const program = b.program(cst, text.length);
  return { program, diagnostics: b.diagnostics };
}
