/**
 * Lowering: typed AST -> graph IR.
 *
 * The walk happens in phases, because what a node is (its plates) depends on how it is used:
 *  1. walk the model (and guide) body: declarations, `~` statements, definitions of lets,
 *     `factor(e)` terms, and the `for` loops around them (each loop over `0..N` is a plate N);
 *  2. `~` statements: their targets' axes become plates where a loop variable indexes them or
 *     where the statement is vectorised over a data size (the leading batch axes of the target);
 *     a latent or observed node lives in the plates all its statements agree on;
 *  3. lets, in dependency order: an axis is a plate axis when an existing plate has that size and
 *     the definition carries it through from a dependency (`theta = mu + tau * eta` over J);
 *  4. plain data: an axis is a plate axis when some factor or definition in that plate reads the
 *     data element by element along it (`X` in `y ~ Normal(X @ w, s)` is in plate N);
 *  5. every mention is classified as elementwise along each plate of its factor, or not;
 *  6. checks that need the whole graph (overlapping `~`, cycles, the guide), then buildGraph.
 */
import {
  internalError,
  type BinaryExpr,
  type DeclStmt,
  type Diagnostic,
  type Dim,
  type DistributionSignature,
  type Expr,
  type FactorStmt,
  type ForStmt,
  type IndexArg,
  type PhaseResult,
  type SampleStmt,
  type Span,
  type Statement,
  type SymbolInfo,
  type Type,
  type TypedModel,
  hasErrors,
} from "./lang.js";
import * as E from "./errors.js";
import { constraintEventRank } from "../stdlib/index.js";
import {
  buildGraph,
  type DeclaredRole,
  type DefinitionInput,
  type EdgeKind,
  type FactorInput,
  type GraphCore,
  type GraphIR,
  type IrUse,
  type NetworkInfo,
  type NodeInput,
  type NodeKind,
  type PlateInput,
  type PlateOrigin,
} from "./ir.js";
import { combineSizes, dimKey, evalDim, evalShape, sameSize } from "./sizes.js";
import { attachAnalyses } from "./analysis/index.js";
import { validateGraph } from "./analysis/validate.js";
import { topoSort } from "./analysis/toposort.js";

/**
 * Lowers a checked model to its graph. `sizes` are known data sizes (from the data at fit time),
 * used for concrete shapes and plate sizes; without them shapes stay symbolic.
 */
export function lower(typed: TypedModel, sizes?: ReadonlyMap<string, number>): PhaseResult<GraphIR> {
  let diagnostics: Diagnostic[] = [];
  try {
    const lowerer = new Lowerer(typed, sizes ?? new Map());
    const core = lowerer.run();
    diagnostics = lowerer.diagnostics;
    if (!core || hasErrors(diagnostics)) return { diagnostics };
    const invariants = validateGraph(core);
    if (invariants.length > 0) return { diagnostics: [...diagnostics, ...invariants] };
    return { value: attachAnalyses(core), diagnostics };
  } catch (err) {
    if (process.env.VIPPL_DEBUG) console.error(err);
    return { diagnostics: [...diagnostics, internalError(err, typed.model.span)] };
  }
}

// ---------------------------------------------------------------------------------------------
// Working records

interface LoopCtx {
  readonly stmt: ForStmt;
  readonly variable: string;
  /** null when the loop's bounds are not a size (reported). */
  readonly plate: string | null;
  readonly from: number | null;
  readonly to: Dim | null;
}

interface Ctx {
  readonly loops: readonly LoopCtx[];
  readonly inGuide: boolean;
}

/** One mention of a node, before we know the node's plates. */
interface Ref {
  readonly node: string;
  readonly edge: EdgeKind;
  /** On a path that keeps the statement's leading batch axes (no reduction, no contraction). */
  readonly preserving: boolean;
  /** For each axis of the mention's value, the node axis it is (null: from elsewhere); null when unknown. */
  readonly resultAxes: readonly (number | null)[] | null;
  /** Node axes indexed by a loop variable, and that loop's plate. */
  readonly loopAxes: readonly { readonly axis: number; readonly plate: string }[];
  readonly span: Span;
}

type Coverage =
  | { readonly kind: "all" }
  | { readonly kind: "point"; readonly at: number }
  | { readonly kind: "range"; readonly lo: number | null; readonly hi: Dim | null }
  | { readonly kind: "unknown" };

interface WorkNode {
  id: string;
  name: string;
  kind: NodeKind;
  role: DeclaredRole;
  type: Type;
  symbolic: readonly Dim[];
  constraint: NodeInput["constraint"];
  axisPlates: (string | null)[];
  /** Plates of the loops a loop-local declaration sits in. */
  loopPlates: string[];
  discrete: boolean;
  network: NetworkInfo | null;
  inGuide: boolean;
  span: Span;
  decl: DeclStmt;
}

interface WorkFactor {
  id: string;
  kind: "sample" | "potential";
  stmt: SampleStmt | FactorStmt;
  ctx: Ctx;
  target: string | null;
  targetExpr: Expr | null;
  signature: DistributionSignature | null;
  args: readonly Expr[];
  loopPlates: string[];
  vecPlates: string[];
  targetAxes: (string | null)[];
  coverage: Coverage[];
  refs: Ref[];
  span: Span;
}

interface WorkDef {
  id: string;
  node: string;
  kind: "init" | "assign";
  targetExpr: Expr | null;
  expr: Expr;
  ctx: Ctx;
  loopPlates: string[];
  vecPlates: string[];
  targetAxes: (string | null)[];
  /** Node axes left after the target's indices, in order (for vectorised plates of an assignment). */
  remaining: { nodeAxis: number | null; dim: Dim }[];
  refs: Ref[];
  span: Span;
}

interface WorkPlate {
  id: string;
  key: string;
  name: string;
  size: Dim;
  parent: string | null;
  origin: PlateOrigin;
  span: Span;
  indexVars: string[];
}

/** Functions that keep the leading (batch) axes of their arguments in place. */
const BATCH_PRESERVING = new Set([
  "exp", "log", "log1p", "expm1", "log2", "log10", "sqrt", "square", "abs", "fabs", "sign", "floor", "ceil", "round",
  "softplus", "sigmoid", "inv_logit", "logit", "tanh", "sinh", "cosh", "asinh", "acosh", "atanh", "sin", "cos", "tan",
  "asin", "acos", "atan", "atan2", "pow", "fmin", "fmax", "minimum", "maximum", "relu", "elu", "lgamma", "digamma",
  "tgamma", "erf", "erfc", "Phi", "inv_Phi", "log_inv_logit", "log1m", "log1m_exp", "log1p_exp", "log_softmax",
  "softmax", "concat", "one_hot", "step", "where", "if_else", "inv", "inv_sqrt", "inv_square", "clip", "identity",
]);

const isFullSlice = (a: IndexArg): boolean => a.kind === "Slice" && a.start === null && a.end === null;

class Lowerer {
  readonly diagnostics: Diagnostic[] = [];
  private readonly env: Map<string, number>;
  private readonly declSymbols = new Map<object, SymbolInfo>();
  private readonly nodeOfSymbol = new Map<SymbolInfo, string>();
  private readonly nodeOfDecl = new Map<DeclStmt, string>();
  private readonly loopOfSymbol = new Map<SymbolInfo, LoopCtx>();
  private readonly nodes = new Map<string, WorkNode>();
  private readonly plates = new Map<string, WorkPlate>();
  private readonly plateByKey = new Map<string, string>();
  private readonly factors: WorkFactor[] = [];
  private readonly guideFactors: WorkFactor[] = [];
  private readonly defs: WorkDef[] = [];
  private readonly guideDefs: WorkDef[] = [];
  private readonly decls: { decl: DeclStmt; ctx: Ctx }[] = [];
  private readonly samples: { stmt: SampleStmt; ctx: Ctx }[] = [];
  private readonly potentials: { stmt: FactorStmt; ctx: Ctx }[] = [];
  private readonly assigns: { target: Expr; value: Expr; span: Span; ctx: Ctx; decl: DeclStmt | null }[] = [];

  constructor(
    private readonly typed: TypedModel,
    private readonly sizes: ReadonlyMap<string, number>,
  ) {
    this.env = new Map(sizes);
    for (const [name, v] of typed.args) if (typeof v === "number" && !this.env.has(name)) this.env.set(name, v);
    const register = (s: SymbolInfo) => {
      if (!this.declSymbols.has(s.decl)) this.declSymbols.set(s.decl, s);
    };
    for (const s of typed.symbols.values()) register(s);
    for (const s of typed.loopVars.values()) register(s);
    for (const s of typed.references.values()) register(s);
    // Guide-local names (guide params and lets), when the checker reports them.
    const guideSymbols = (typed as { readonly guideSymbols?: ReadonlyMap<string, SymbolInfo> }).guideSymbols;
    if (guideSymbols) for (const s of guideSymbols.values()) register(s);
  }

  run(): GraphCore | null {
    const model = this.typed.model;
    this.walk(model.body, { loops: [], inGuide: false });
    this.createNodes();
    for (const { stmt, ctx } of this.samples) this.lowerSample(stmt, ctx);
    for (const { stmt, ctx } of this.potentials) this.lowerPotential(stmt, ctx);
    this.createDefinitions();
    this.settleTargetPlates(this.factors);
    if (!this.settleLets()) return null;
    this.settleData();
    this.checkSelfDependence();
    this.checkOverlaps(this.factors, false);
    this.checkOverlaps(this.guideFactors, true);
    this.checkGuide();
    if (hasErrors(this.diagnostics)) return null;
    const core = this.build();
    this.checkCycles(core);
    this.checkPlateSizes();
    return core;
  }

  // -------------------------------------------------------------------------------------------
  // 1. Walk

  private walk(body: readonly Statement[], ctx: Ctx): void {
    for (const s of body) {
      switch (s.kind) {
        case "Decl":
          this.decls.push({ decl: s, ctx });
          if (s.role === "let" && s.init) this.assigns.push({ target: s.name, value: s.init, span: s.span, ctx, decl: s });
          break;
        case "Sample":
          this.samples.push({ stmt: s, ctx });
          break;
        case "Assign":
          this.assigns.push({ target: s.target, value: s.value, span: s.span, ctx, decl: null });
          break;
        case "Factor":
          this.potentials.push({ stmt: s, ctx });
          break;
        case "For":
          this.walk(s.body, { ...ctx, loops: [...ctx.loops, this.enterLoop(s, ctx)] });
          break;
        case "Guide":
          this.walk(s.body, { loops: ctx.loops, inGuide: true });
          break;
      }
    }
  }

  private enterLoop(s: ForStmt, ctx: Ctx): LoopCtx {
    const from = this.sizeDim(s.from);
    const to = this.sizeDim(s.to);
    const sym = this.typed.loopVars.get(s) ?? this.declSymbols.get(s);
    let plate: string | null = null;
    let size: Dim | null = null;
    if (from && to) size = from.kind === "const" && from.value === 0 ? to : combineSizes("-", to, from);
    if (!size) this.diagnostics.push(E.plateSizeNotSize(s.variable.name, s.span));
    else {
      const parent = innermostPlate(ctx.loops);
      plate = this.plateFor(parent, size, "for", s.span, s.variable.name);
      const p = this.plates.get(plate)!;
      if (!p.indexVars.includes(s.variable.name)) p.indexVars.push(s.variable.name);
    }
    const loop: LoopCtx = { stmt: s, variable: s.variable.name, plate, from: from?.kind === "const" ? from.value : null, to };
    if (sym) this.loopOfSymbol.set(sym, loop);
    return loop;
  }

  /** The size an expression denotes (`N`, `3`, `K-1`), or null when it is not a size. */
  private sizeDim(e: Expr): Dim | null {
    switch (e.kind) {
      case "Number":
        return e.isInt ? { kind: "const", value: e.value } : null;
      case "Identifier": {
        const s = this.typed.references.get(e);
        if (!s) return null;
        const arg = this.typed.args.get(s.name);
        if (s.role === "arg") return typeof arg === "number" && Number.isInteger(arg) ? { kind: "const", value: arg } : null;
        if (s.role === "data" && s.type.kind === "tensor" && s.type.elem === "int" && s.type.shape.length === 0) return { kind: "sym", name: s.name };
        return null;
      }
      case "Unary": {
        const v = this.sizeDim(e.operand);
        if (!v) return null;
        if (e.op === "+") return v;
        if (e.op === "-" && v.kind === "const") return { kind: "const", value: -v.value };
        return null;
      }
      case "Binary": {
        if (e.op !== "+" && e.op !== "-" && e.op !== "*" && e.op !== "/") return null;
        const a = this.sizeDim(e.left);
        const b = this.sizeDim(e.right);
        return a && b ? combineSizes(e.op, a, b) : null;
      }
      default:
        return null;
    }
  }

  private plateFor(parent: string | null, size: Dim, origin: PlateOrigin, span: Span, loopVar?: string): string {
    const key = `${parent ?? ""}|${dimKey(size)}`;
    const known = this.plateByKey.get(key);
    if (known) return known;
    const name = size.kind === "sym" ? size.name : loopVar ?? `plate${this.plates.size}`;
    let id = parent ? `${parent}/${name}` : name;
    for (let k = 2; this.plates.has(id); k++) id = `${parent ? `${parent}/` : ""}${name}#${k}`;
    this.plates.set(id, { id, key, name, size, parent, origin, span, indexVars: [] });
    this.plateByKey.set(key, id);
    return id;
  }

  private existingPlate(parent: string | null, size: Dim): string | null {
    return this.plateByKey.get(`${parent ?? ""}|${dimKey(size)}`) ?? null;
  }

  /** A data size (an int data scalar): a vectorised axis over it is a plate. */
  private isDataSize(d: Dim): boolean {
    if (d.kind !== "sym") return false;
    const s = this.typed.symbols.get(d.name);
    return !!s && s.role === "data" && s.type.kind === "tensor" && s.type.elem === "int" && s.type.shape.length === 0;
  }

  // -------------------------------------------------------------------------------------------
  // Nodes

  private createNodes(): void {
    const observed = new Set<SymbolInfo>();
    for (const { stmt, ctx } of this.samples) {
      if (ctx.inGuide) continue;
      const s = this.symbolOf(rootIdent(stmt.target));
      if (s) observed.add(s);
    }
    for (const { decl, ctx } of this.decls) {
      const byName = this.typed.symbols.get(decl.name.name);
      const sym = this.declSymbols.get(decl) ?? (byName?.decl === decl ? byName : undefined);
      if (!sym) continue; // never referenced and not a model-level name: nothing depends on it
      const type = sym.type;
      let id = decl.name.name;
      for (let k = 2; this.nodes.has(id); k++) id = `${decl.name.name}#${k}`;
      const isNet = type.kind === "network";
      const role = decl.role;
      const kind: NodeKind = isNet
        ? "network"
        : role === "data"
          ? observed.has(sym) ? "observed" : "data"
          : role === "latent"
            ? "latent"
            : role === "param"
              ? "param"
              : "deterministic";
      const symbolic = type.kind === "tensor" ? [...type.shape] : [];
      let network: NetworkInfo | null = null;
      if (type.kind === "network") {
        const sig = this.typed.networks.get(decl);
        const activations: Record<string, string> = {};
        for (const [k, o] of Object.entries(sig?.options ?? {})) if (o.default !== undefined && o.values) activations[k] = String(o.default);
        Object.assign(activations, type.activations);
        network = {
          name: type.name,
          layers: [...type.layers],
          concreteLayers: evalShape(type.layers, this.env),
          activations,
          stochastic: role === "latent",
        };
      }
      const node: WorkNode = {
        id,
        name: decl.name.name,
        kind,
        role,
        type,
        symbolic,
        constraint: type.kind === "tensor" ? type.constraint : { kind: "real" },
        axisPlates: symbolic.map(() => null),
        loopPlates: ctx.loops.map((l) => l.plate).filter((p): p is string => p !== null),
        discrete: type.kind === "tensor" && type.elem !== "real",
        network,
        inGuide: ctx.inGuide,
        span: decl.span,
        decl,
      };
      this.nodes.set(id, node);
      this.nodeOfSymbol.set(sym, id);
      this.nodeOfDecl.set(decl, id);
    }
  }

  private symbolOf(id: Expr | null): SymbolInfo | undefined {
    return id && id.kind === "Identifier" ? this.typed.references.get(id) : undefined;
  }

  private nodeOfExpr(e: Expr | null): string | undefined {
    const s = this.symbolOf(e);
    return s ? this.nodeOfSymbol.get(s) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // 2. `~` statements and potentials

  private lowerSample(stmt: SampleStmt, ctx: Ctx): void {
    const root = rootIdent(stmt.target);
    const target = this.nodeOfExpr(root);
    const sym = this.symbolOf(root);
    if (!target || !sym) {
      if (ctx.inGuide && root) this.diagnostics.push(E.guideTargetNotLatent(root.kind === "Identifier" ? root.name : "?", sym ? describeRole(sym.role) : "not declared", stmt.target.span));
      return;
    }
    const node = this.nodes.get(target)!;
    if (ctx.inGuide && node.kind !== "latent" && !(node.kind === "network" && node.network?.stochastic)) {
      this.diagnostics.push(E.guideTargetNotLatent(node.name, describeKind(node.kind), stmt.target.span));
      return;
    }
    const signature = this.typed.distributions.get(stmt) ?? null;
    const eventRank = signature?.eventRank ?? 0;
    const loopPlates = ctx.loops.map((l) => l.plate).filter((p): p is string => p !== null);
    const { targetAxes, coverage, remaining, usedLoops } = this.analyseTarget(stmt.target, node, ctx);
    // Leading batch axes over data sizes are plates (the rest is one event, or not independent).
    const vecPlates: string[] = [];
    let parent = innermostPlate(ctx.loops);
    const batch = Math.max(0, remaining.length - eventRank);
    const firstEventAxis = node.symbolic.length - constraintEventRank(node.constraint);
    for (let a = firstEventAxis; a < node.symbolic.length; a++) targetAxes[a] = null;
    for (let j = 0; j < batch; j++) {
      const r = remaining[j]!;
      if (!this.isDataSize(r.dim) || (r.nodeAxis !== null && r.nodeAxis >= firstEventAxis)) break;
      const plate = this.plateFor(parent, r.dim, "vectorised", stmt.span);
      vecPlates.push(plate);
      if (r.nodeAxis !== null) targetAxes[r.nodeAxis] = plate;
      parent = plate;
    }
    // A `~` inside a loop that does not index its target repeats the whole statement.
    for (const loop of ctx.loops) {
      if (loop.plate === null || usedLoops.has(loop)) continue;
      if (ctx.inGuide || node.kind === "latent" || node.kind === "network") {
        this.diagnostics.push(E.latentRepeatedInLoop(node.name, loop.variable, stmt.span, loop.stmt.span));
      } else if (node.kind === "observed") this.diagnostics.push(E.observedTwice(node.name, stmt.span));
    }
    const refs: Ref[] = [];
    for (const a of stmt.dist.args) this.collect(a, "arg", true, ctx, refs);
    if (stmt.target.kind === "Index") for (const ix of stmt.target.indices) this.collectIndexArg(ix, 0, false, ctx, refs);
    const list = ctx.inGuide ? this.guideFactors : this.factors;
    list.push({
      id: `${ctx.inGuide ? "g" : "f"}${list.length}`,
      kind: "sample",
      stmt,
      ctx,
      target,
      targetExpr: stmt.target,
      signature,
      args: [...stmt.dist.args],
      loopPlates,
      vecPlates,
      targetAxes,
      coverage,
      refs,
      span: stmt.span,
    });
  }

  private lowerPotential(stmt: FactorStmt, ctx: Ctx): void {
    const refs: Ref[] = [];
    this.collect(stmt.value, "arg", false, ctx, refs);
    const list = ctx.inGuide ? this.guideFactors : this.factors;
    list.push({
      id: `${ctx.inGuide ? "g" : "f"}${list.length}`,
      kind: "potential",
      stmt,
      ctx,
      target: null,
      targetExpr: null,
      signature: null,
      args: [stmt.value],
      loopPlates: ctx.loops.map((l) => l.plate).filter((p): p is string => p !== null),
      vecPlates: [],
      targetAxes: [],
      coverage: [],
      refs,
      span: stmt.span,
    });
  }

  /**
   * How a target (`x`, `x[i]`, `x[i, :]`, `x[0]`, `x[2:5]`) covers its node: per node axis the
   * loop plate iterating it and the elements it covers, plus the axes left for vectorisation.
   */
  private analyseTarget(
    target: Expr,
    node: WorkNode,
    ctx: Ctx,
  ): { targetAxes: (string | null)[]; coverage: Coverage[]; remaining: { nodeAxis: number | null; dim: Dim }[]; usedLoops: Set<LoopCtx> } {
    const rank = node.symbolic.length;
    const targetAxes: (string | null)[] = node.symbolic.map(() => null);
    const coverage: Coverage[] = node.symbolic.map(() => ({ kind: "all" }));
    const remaining: { nodeAxis: number | null; dim: Dim }[] = [];
    const usedLoops = new Set<LoopCtx>();
    const indices = target.kind === "Index" ? target.indices : [];
    let axis = 0;
    for (const ix of indices) {
      this.loopsMentioned(ix, usedLoops);
      if (ix.kind === "Slice") {
        const lo = ix.start ? this.sizeDim(ix.start) : { kind: "const" as const, value: 0 };
        const hi = ix.end ? this.sizeDim(ix.end) : node.symbolic[axis] ?? null;
        coverage[axis] = { kind: "range", lo: lo?.kind === "const" ? lo.value : null, hi };
        const dim = lo && hi ? (lo.kind === "const" && lo.value === 0 ? hi : combineSizes("-", hi, lo)) : null;
        remaining.push({ nodeAxis: axis, dim: dim ?? { kind: "unknown" } });
        axis++;
        continue;
      }
      const t = this.typed.exprTypes.get(ix);
      const loop = this.loopOfIndex(ix);
      if (loop) {
        if (loop.plate) targetAxes[axis] = loop.plate;
        coverage[axis] = { kind: "range", lo: loop.from, hi: loop.to };
      } else if (ix.kind === "Number") coverage[axis] = { kind: "point", at: ix.value };
      else coverage[axis] = { kind: "unknown" };
      if (t && t.kind === "tensor" && t.shape.length > 0) {
        // A gather (`x[idx]`): the index's axes replace this one.
        coverage[axis] = { kind: "unknown" };
        for (const d of t.shape) remaining.push({ nodeAxis: null, dim: d });
      }
      axis++;
    }
    for (; axis < rank; axis++) remaining.push({ nodeAxis: axis, dim: node.symbolic[axis]! });
    return { targetAxes, coverage, remaining, usedLoops };
  }

  private loopOfIndex(e: IndexArg): LoopCtx | undefined {
    if (e.kind !== "Identifier") return undefined;
    const s = this.typed.references.get(e);
    return s ? this.loopOfSymbol.get(s) : undefined;
  }

  private loopsMentioned(e: IndexArg | null, out: Set<LoopCtx>): void {
    if (!e) return;
    forEachIdentifier(e, (id) => {
      const s = this.typed.references.get(id);
      const l = s ? this.loopOfSymbol.get(s) : undefined;
      if (l) out.add(l);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Mentions

  /**
   * Collects the node mentions in `e`. `preserving`: the value of `e` keeps the statement's
   * leading batch axes in place (so a whole-node mention lines up with them).
   */
  private collect(e: Expr, edge: EdgeKind, preserving: boolean, ctx: Ctx, out: Ref[]): void {
    switch (e.kind) {
      case "Number":
      case "Bool":
        return;
      case "Identifier": {
        const node = this.nodeOfExpr(e);
        if (!node) return;
        const rank = this.nodes.get(node)!.symbolic.length;
        out.push({ node, edge, preserving, resultAxes: range(rank), loopAxes: [], span: e.span });
        return;
      }
      case "Array":
        for (const x of e.elements) this.collect(x, edge, false, ctx, out);
        return;
      case "Unary":
        this.collect(e.operand, edge, preserving, ctx, out);
        return;
      case "Binary": {
        // Walk a left-leaning chain (`a + b + c + ...`) in a loop: generated code can chain
        // thousands of terms, which must not reach the call stack.
        const links: BinaryExpr[] = [];
        let x: Expr = e;
        for (; x.kind === "Binary"; x = x.left) links.push(x);
        this.collect(x, edge, preserving, ctx, out);
        for (let i = links.length - 1; i >= 0; i--) this.collect(links[i]!.right, edge, preserving && links[i]!.op !== "@", ctx, out);
        return;
      }
      case "Ternary":
        this.collect(e.cond, edge, preserving, ctx, out);
        this.collect(e.then, edge, preserving, ctx, out);
        this.collect(e.otherwise, edge, preserving, ctx, out);
        return;
      case "Call": {
        const net = this.nodeOfExpr(e.callee);
        if (net) {
          out.push({ node: net, edge: "network", preserving: false, resultAxes: null, loopAxes: [], span: e.callee.span });
          for (const a of e.args) this.collect(a, edge, preserving, ctx, out);
          return;
        }
        const keeps = BATCH_PRESERVING.has(e.callee.name);
        for (const a of e.args) this.collect(a, edge, preserving && keeps, ctx, out);
        return;
      }
      case "Index": {
        const gathers = e.indices.some((ix) => ix.kind !== "Slice" && this.isArrayValued(ix));
        const objectNode = e.object.kind === "Identifier" ? this.nodeOfExpr(e.object) : undefined;
        if (objectNode) {
          const rank = this.nodes.get(objectNode)!.symbolic.length;
          const loopAxes: { axis: number; plate: string }[] = [];
          const resultAxes: (number | null)[] = [];
          let axis = 0;
          for (const ix of e.indices) {
            if (ix.kind === "Slice") resultAxes.push(axis);
            else {
              const loop = this.loopOfIndex(ix);
              if (loop?.plate) loopAxes.push({ axis, plate: loop.plate });
            }
            axis++;
          }
          for (; axis < rank; axis++) resultAxes.push(axis);
          out.push({ node: objectNode, edge, preserving: preserving && !gathers, resultAxes: gathers ? null : resultAxes, loopAxes, span: e.object.span });
        } else {
          // An indexed expression (`f(x)[:, 0]`) keeps the batch axes when its first index keeps axis 0.
          const first = e.indices[0];
          this.collect(e.object, edge, preserving && !gathers && (first === undefined || isFullSlice(first)), ctx, out);
        }
        e.indices.forEach((ix, k) => this.collectIndexArg(ix, k, preserving, ctx, out));
        return;
      }
    }
  }

  /** An index expression: a gather at position 0 puts its own axes first (`mu[z]` lines up with z). */
  private collectIndexArg(ix: IndexArg, position: number, preserving: boolean, ctx: Ctx, out: Ref[]): void {
    if (ix.kind === "Slice") {
      if (ix.start) this.collect(ix.start, "index", false, ctx, out);
      if (ix.end) this.collect(ix.end, "index", false, ctx, out);
      return;
    }
    this.collect(ix, "index", preserving && position === 0 && this.isArrayValued(ix), ctx, out);
  }

  private isArrayValued(e: Expr): boolean {
    const t = this.typed.exprTypes.get(e);
    if (t) return t.kind === "tensor" && t.shape.length > 0;
    const s = this.symbolOf(e);
    return !!s && s.type.kind === "tensor" && s.type.shape.length > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Definitions of lets

  private createDefinitions(): void {
    for (const a of this.assigns) {
      const node = a.decl ? this.nodeOfDecl.get(a.decl) : this.nodeOfExpr(rootIdent(a.target));
      if (!node) continue;
      const w = this.nodes.get(node)!;
      const isInit = a.decl !== null;
      const { targetAxes, remaining } = this.analyseTarget(a.target, w, a.ctx);
      const refs: Ref[] = [];
      this.collect(a.value, "term", true, a.ctx, refs);
      if (a.target.kind === "Index") for (const ix of a.target.indices) this.collectIndexArg(ix, 0, false, a.ctx, refs);
      const list = a.ctx.inGuide ? this.guideDefs : this.defs;
      list.push({
        id: `${a.ctx.inGuide ? "gd" : "d"}${list.length}`,
        node,
        kind: isInit ? "init" : "assign",
        targetExpr: isInit ? null : a.target,
        expr: a.value,
        ctx: a.ctx,
        loopPlates: a.ctx.loops.map((l) => l.plate).filter((p): p is string => p !== null),
        vecPlates: [],
        targetAxes,
        remaining,
        refs,
        span: a.span,
      });
    }
  }

  /** A node's axis plates are those its statements agree on. */
  private settleTargetPlates(factors: readonly WorkFactor[]): void {
    const seen = new Map<string, (string | null)[]>();
    for (const f of factors) {
      if (f.kind !== "sample" || f.target === null || f.ctx.inGuide) continue;
      const prev = seen.get(f.target);
      seen.set(f.target, prev ? prev.map((p, i) => (p === f.targetAxes[i] ? p : null)) : [...f.targetAxes]);
    }
    for (const [id, axes] of seen) {
      const node = this.nodes.get(id)!;
      node.axisPlates = keepNested(axes, this.plates, node.loopPlates);
    }
  }

  /** Lets in dependency order; reports a cycle among them. */
  private settleLets(): boolean {
    const lets = [...this.nodes.values()].filter((n) => n.kind === "deterministic");
    const defsOf = (id: string) => [...this.defs, ...this.guideDefs].filter((d) => d.node === id);
    const deps = new Map(lets.map((n) => [n.id, [...new Set(defsOf(n.id).flatMap((d) => d.refs.map((r) => r.node)))].filter((x) => this.nodes.get(x)?.kind === "deterministic")]));
    const order = topoSort(lets.map((n) => n.id), (id) => deps.get(id) ?? []);
    if (order.cycle) {
      const names = order.cycle.map((id) => this.nodes.get(id)!.name);
      const spans = order.cycle.map((id) => this.nodes.get(id)!.span);
      this.diagnostics.push(E.letCycle(names, spans[0]!, spans));
      return false;
    }
    for (const id of order.order) {
      const node = this.nodes.get(id)!;
      const defs = defsOf(id);
      const proposals = defs.map((d) => this.letAxes(d));
      const agreed = proposals.length === 0 ? node.axisPlates : proposals.reduce((a, b) => a.map((p, i) => (p === b[i] ? p : null)));
      node.axisPlates = keepNested(agreed, this.plates, node.loopPlates);
    }
    return true;
  }

  /**
   * The plates a definition gives its let's axes: loop-indexed axes take the loop's plate; the
   * leading axes left over take an existing plate of the same size when some dependency carries
   * that size through on the same axis (never creating a plate).
   */
  private letAxes(d: WorkDef): (string | null)[] {
    const axes = [...d.targetAxes];
    let parent = innermostPlate(d.ctx.loops);
    const vec: string[] = [];
    for (let j = 0; j < d.remaining.length; j++) {
      const r = d.remaining[j]!;
      const plate = this.existingPlate(parent, r.dim);
      if (!plate) break;
      const carried = d.refs.some((ref) => {
        if (!ref.preserving || !ref.resultAxes) return false;
        const a = ref.resultAxes[j];
        const dep = this.nodes.get(ref.node)!;
        return a !== null && a !== undefined && dep.symbolic[a] !== undefined && sameSize(dep.symbolic[a]!, r.dim);
      });
      if (!carried) break;
      vec.push(plate);
      if (r.nodeAxis !== null) axes[r.nodeAxis] = plate;
      parent = plate;
    }
    d.vecPlates = vec;
    return axes;
  }

  /** Data (not observed) sits in a plate when some statement in it reads the data element by element. */
  private settleData(): void {
    const users = [...this.factors, ...this.guideFactors, ...this.defs, ...this.guideDefs];
    for (const node of this.nodes.values()) {
      if (node.kind !== "data" || node.symbolic.length === 0) continue;
      const axes: (string | null)[] = node.symbolic.map(() => null);
      for (let j = 0; j < node.symbolic.length; j++) {
        const candidates = new Set<string>();
        for (const u of users) {
          for (const ref of u.refs) {
            if (ref.node !== node.id) continue;
            for (const la of ref.loopAxes) if (la.axis === j) candidates.add(la.plate);
            if (ref.preserving && ref.resultAxes) {
              ref.resultAxes.forEach((a, q) => {
                const p = u.vecPlates[q];
                if (a === j && p) candidates.add(p);
              });
            }
          }
        }
        const fitting = [...candidates].filter((p) => sameSize(this.plates.get(p)!.size, node.symbolic[j]!));
        if (fitting.length === 1) axes[j] = fitting[0]!;
      }
      node.axisPlates = keepNested(axes, this.plates, node.loopPlates);
    }
  }

  // -------------------------------------------------------------------------------------------
  // 6. Checks

  private checkSelfDependence(): void {
    for (const f of this.factors) {
      if (f.target === null) continue;
      const node = this.nodes.get(f.target)!;
      if (node.kind !== "latent" && node.kind !== "network" && node.kind !== "param") continue;
      if (f.refs.some((r) => r.node === f.target)) this.diagnostics.push(E.latentDependsOnItself(node.name, f.span));
    }
  }

  private checkOverlaps(factors: readonly WorkFactor[], guide: boolean): void {
    const byTarget = new Map<string, WorkFactor[]>();
    for (const f of factors) {
      if (f.kind !== "sample" || f.target === null) continue;
      const list = byTarget.get(f.target) ?? [];
      for (const g of list) {
        if (this.overlap(f.coverage, g.coverage) !== "yes") continue;
        const node = this.nodes.get(f.target)!;
        if (guide) this.diagnostics.push(E.guideTargetsTwice(node.name, f.stmt.span, g.stmt.span));
        else if (node.kind === "observed") this.diagnostics.push(E.observedTwice(node.name, f.stmt.span, g.stmt.span));
        else this.diagnostics.push(E.latentDefinedTwice(node.name, f.stmt.span, g.stmt.span));
        break;
      }
      list.push(f);
      byTarget.set(f.target, list);
    }
  }

  private overlap(a: readonly Coverage[], b: readonly Coverage[]): "yes" | "no" | "maybe" {
    let all = true;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const o = this.overlapAxis(a[i] ?? { kind: "all" }, b[i] ?? { kind: "all" });
      if (o === "no") return "no";
      if (o === "maybe") all = false;
    }
    return all ? "yes" : "maybe";
  }

  private overlapAxis(a: Coverage, b: Coverage): "yes" | "no" | "maybe" {
    if (a.kind === "unknown" || b.kind === "unknown") return "maybe";
    if (a.kind === "all" || b.kind === "all") return "yes";
    if (a.kind === "point" && b.kind === "point") return a.at === b.at ? "yes" : "no";
    if (a.kind === "point" || b.kind === "point") {
      const p = (a.kind === "point" ? a : b) as { at: number };
      const r = (a.kind === "range" ? a : b) as { lo: number | null; hi: Dim | null };
      if (r.lo === null) return "maybe";
      if (p.at < r.lo) return "no";
      const hi = r.hi ? evalDim(r.hi, this.env) : null;
      if (hi === null) return r.hi && p.at < this.lowerBound(r.hi) ? "yes" : "maybe";
      return p.at < hi ? "yes" : "no";
    }
    const ra = a as { lo: number | null; hi: Dim | null };
    const rb = b as { lo: number | null; hi: Dim | null };
    if (ra.lo === null || rb.lo === null) return "maybe";
    const ha = ra.hi ? evalDim(ra.hi, this.env) : null;
    const hb = rb.hi ? evalDim(rb.hi, this.env) : null;
    const lo = Math.max(ra.lo, rb.lo);
    if (ha !== null && hb !== null) return lo < Math.min(ha, hb) ? "yes" : "no";
    if (ha !== null && rb.lo >= ha) return "no";
    if (hb !== null && ra.lo >= hb) return "no";
    if (ra.hi && rb.hi && sameSize(ra.hi, rb.hi) && ra.lo === rb.lo) return "yes";
    return "maybe";
  }

  /** The declared lower bound of a size (`data T: int<lower=2>`), or -Infinity. */
  private lowerBound(d: Dim): number {
    if (d.kind === "const") return d.value;
    if (d.kind !== "sym") return -Infinity;
    const s = this.typed.symbols.get(d.name);
    const c = s && s.type.kind === "tensor" ? s.type.constraint : null;
    return c && c.kind === "integer" && typeof c.lower === "number" ? c.lower : -Infinity;
  }

  private checkGuide(): void {
    const guide = this.typed.guide;
    if (!guide) return;
    const covered = new Set(this.guideFactors.map((f) => f.target));
    for (const n of this.nodes.values()) {
      const random = n.kind === "latent" || (n.kind === "network" && n.network?.stochastic);
      if (random && !n.inGuide && !covered.has(n.id)) this.diagnostics.push(E.guideMissingLatent(n.name, guide.span, n.span));
    }
  }

  private checkCycles(core: GraphCore): void {
    const ids = [...core.nodes.keys()];
    const order = topoSort(ids, (id) => core.nodes.get(id)!.parents);
    if (!order.cycle) return;
    const names = order.cycle.map((id) => core.nodes.get(id)!.name);
    const spans = order.cycle.map((id) => {
      const n = core.nodes.get(id)!;
      const f = n.factors[0];
      return f ? core.factors.get(f)!.span : n.span;
    });
    this.diagnostics.push(E.latentCycle(names, spans[0]!, spans));
  }

  private checkPlateSizes(): void {
    for (const p of this.plates.values()) {
      const v = evalDim(p.size, this.env);
      if (v !== null && v < 0) this.diagnostics.push(E.negativePlateSize(p.name, v, p.span));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Build

  private use(ref: Ref, plates: { loop: readonly string[]; vec: readonly string[] }): IrUse {
    const node = this.nodes.get(ref.node)!;
    const elementwise: string[] = [];
    for (const p of plates.loop) {
      if (node.loopPlates.includes(p)) elementwise.push(p);
      else if (ref.loopAxes.some((la) => la.plate === p && node.axisPlates[la.axis] === p)) elementwise.push(p);
    }
    plates.vec.forEach((p, q) => {
      const a = ref.preserving && ref.resultAxes ? ref.resultAxes[q] : null;
      if (a !== null && a !== undefined && node.axisPlates[a] === p) elementwise.push(p);
    });
    return { node: ref.node, edge: ref.edge, elementwise: [...new Set(elementwise)], span: ref.span };
  }

  private factorInput(f: WorkFactor): FactorInput {
    const plates = uniqStrings([...f.loopPlates, ...f.vecPlates]);
    return {
      id: f.id,
      kind: f.kind,
      target: f.target,
      targetExpr: f.targetExpr,
      distribution: f.signature?.name ?? (f.stmt.kind === "Sample" ? f.stmt.dist.name.name : null),
      signature: f.signature,
      args: [...f.args],
      plates,
      targetAxes: [...f.targetAxes],
      uses: f.refs.map((r) => this.use(r, { loop: f.loopPlates, vec: f.vecPlates })),
      discrete: f.signature?.discrete ?? false,
      span: f.span,
      stmt: f.stmt,
    };
  }

  private defInput(d: WorkDef): DefinitionInput {
    return {
      id: d.id,
      node: d.node,
      kind: d.kind,
      targetExpr: d.targetExpr,
      expr: d.expr,
      plates: uniqStrings([...d.loopPlates, ...d.vecPlates]),
      targetAxes: [...d.targetAxes],
      uses: d.refs.map((r) => this.use(r, { loop: d.loopPlates, vec: d.vecPlates })),
      span: d.span,
    };
  }

  private discreteTargetSet: Set<string> | null = null;
  /** Nodes whose prior is a discrete distribution (computed once; factors are final by now). */
  private discreteTargets(): Set<string> {
    this.discreteTargetSet ??= new Set(this.factors.filter((f) => f.target !== null && f.signature?.discrete).map((f) => f.target!));
    return this.discreteTargetSet;
  }

  private nodeInput(n: WorkNode): NodeInput {
    const depth = (p: string) => {
      let k = 0;
      for (let q = this.plates.get(p); q?.parent; q = this.plates.get(q.parent)) k++;
      return k;
    };
    const plates = uniqStrings([...n.loopPlates, ...n.axisPlates.filter((p): p is string => p !== null)]).sort((a, b) => depth(a) - depth(b));
    const priorDiscrete = this.discreteTargets().has(n.id);
    return {
      id: n.id,
      name: n.name,
      kind: n.kind,
      role: n.role,
      type: n.type,
      shape: { symbolic: [...n.symbolic], concrete: evalShape(n.symbolic, this.env) },
      constraint: n.constraint,
      plates,
      axisPlates: [...n.axisPlates],
      discrete: n.discrete || (n.kind === "latent" && priorDiscrete),
      network: n.network,
      inGuide: n.inGuide,
      span: n.span,
    };
  }

  private build(): GraphCore {
    const model = [...this.nodes.values()].filter((n) => !n.inGuide);
    const guideNodes = [...this.nodes.values()].filter((n) => n.inGuide);
    const plates: PlateInput[] = [...this.plates.values()].map((p) => ({
      id: p.id,
      name: p.name,
      size: p.size,
      concreteSize: evalDim(p.size, this.env),
      parent: p.parent,
      origin: p.origin,
      span: p.span,
      indexVars: [...p.indexVars],
    }));
    const guide = this.typed.guide;
    return buildGraph({
      model: this.typed.model.name.name,
      span: this.typed.model.span,
      sizes: new Map(this.sizes),
      args: new Map(this.typed.args),
      nodes: model.map((n) => this.nodeInput(n)),
      factors: this.factors.map((f) => this.factorInput(f)),
      definitions: this.defs.map((d) => this.defInput(d)),
      plates,
      guide: guide
        ? {
            span: guide.span,
            nodes: guideNodes.map((n) => this.nodeInput(n)),
            factors: this.guideFactors.map((f) => this.factorInput(f)),
            definitions: this.guideDefs.map((d) => this.defInput(d)),
          }
        : null,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function rootIdent(e: Expr): Expr | null {
  let x: Expr = e;
  while (x.kind === "Index") x = x.object;
  return x.kind === "Identifier" ? x : null;
}

function innermostPlate(loops: readonly LoopCtx[]): string | null {
  for (let i = loops.length - 1; i >= 0; i--) if (loops[i]!.plate) return loops[i]!.plate;
  return null;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const uniqStrings = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * Keeps a node's plates only while they nest: a plate whose parent is not among the node's plates
 * (axis plates or the loops it is declared in) is dropped, so a node's plates always form a chain.
 */
function keepNested(axes: readonly (string | null)[], plates: ReadonlyMap<string, WorkPlate>, outer: readonly string[] = []): (string | null)[] {
  let cur = [...axes];
  for (let changed = true; changed; ) {
    changed = false;
    cur = cur.map((p) => {
      if (p === null) return null;
      const parent = plates.get(p)?.parent ?? null;
      if (parent !== null && !cur.includes(parent) && !outer.includes(parent)) {
        changed = true;
        return null;
      }
      return p;
    });
  }
  return cur;
}


function forEachIdentifier(e: IndexArg | Expr, f: (id: Extract<Expr, { kind: "Identifier" }>) => void): void {
  switch (e.kind) {
    case "Identifier":
      f(e);
      return;
    case "Slice":
      if (e.start) forEachIdentifier(e.start, f);
      if (e.end) forEachIdentifier(e.end, f);
      return;
    case "Array":
      e.elements.forEach((x) => forEachIdentifier(x, f));
      return;
    case "Unary":
      forEachIdentifier(e.operand, f);
      return;
    case "Binary":
      forEachIdentifier(e.left, f);
      forEachIdentifier(e.right, f);
      return;
    case "Ternary":
      forEachIdentifier(e.cond, f);
      forEachIdentifier(e.then, f);
      forEachIdentifier(e.otherwise, f);
      return;
    case "Call":
      e.args.forEach((x) => forEachIdentifier(x, f));
      return;
    case "Index":
      forEachIdentifier(e.object, f);
      e.indices.forEach((x) => forEachIdentifier(x, f));
      return;
    default:
      return;
  }
}

function describeRole(role: SymbolInfo["role"]): string {
  return role === "let" ? "a let" : role === "arg" ? "a model argument" : role === "loop" ? "a loop variable" : `${role === "data" ? "data" : `a ${role}`}`;
}

function describeKind(kind: NodeKind): string {
  return kind === "deterministic" ? "a let" : kind === "observed" || kind === "data" ? "data" : `a ${kind}`;
}
