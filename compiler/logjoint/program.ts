/**
 * Runs the model body for given latent values: `let`s and assignments in source order, one term
 * per `~` and `factor(...)`, and `for` loops.
 *
 * Loops. A `for` loop whose body only indexes by its variable (the common case: `y[i] ~
 * Normal(mu + tau * eta[i], sigma[i])`, `theta[j] = ...`) is evaluated as one vectorised pass:
 * the loop variable is the vector 0..n-1 on a new frame axis, so every statement in the body runs
 * once for all iterations, and each term is summed over that axis. A loop that cannot be
 * vectorised (slices or sizes that depend on the loop variable, assignments indexed by something
 * else) runs iteration by iteration in JS.
 */
import * as tf from "@tensorflow/tfjs";
import { stopGradient, type Bijector } from "../../stdlib/index.js";
import type { DeclStmt, Dim, DistributionSignature, Expr, ForStmt, Identifier, IndexExpr, SampleStmt, Statement, SymbolInfo, TypedModel } from "../lang.js";
import type { GraphIR, IrFactor, IrNode } from "../ir.js";
import { ConstantCache, EvalError, Evaluator, type EvalScope } from "./evaluator.js";
import { applyLatentNetwork, type ApplyOptions, type ParamNetwork } from "./networks.js";
import { factorDistribution, factorLogProb, factorTerm, potentialTerm } from "./factors.js";
import { logitRewrite, type LogitRewrite } from "./logit-forms.js";
import { elementTerm, type ElementTerm } from "./element-terms.js";
import type { DataTensors } from "./data.js";
import type { PredictiveCollector } from "./predictive.js";
import { asFloat, broadcastIfNeeded, broadcastShape, align, ownRank, sumToSample, withFrame, type Value } from "./value.js";

/** A plain (tensor) `param`: an unconstrained variable mapped onto its constraint. */
export interface TensorParam {
  readonly variable: tf.Variable;
  readonly bijector: Bijector | null;
}

export interface MinibatchState {
  readonly plate: string;
  /** The plate's full size and the batch size. */
  readonly n: number;
  readonly b: number;
}

interface LoopInfo {
  readonly from: number;
  readonly count: number;
  /** Frame axis of a vectorised loop (S is axis 0); null when iterated in JS. */
  readonly frameAxis: number | null;
}

/**
 * What a guide run scores per factor: "logq" log q of the value; "entropy" minus the factor's
 * closed-form entropy (given its parents' draws), an estimate of E[log q] with less noise;
 * "none" nothing.
 */
export type GuideScore = "logq" | "entropy" | "none";

/** A run of the guide block: draws latents from noise (or reads given values) and scores them. */
export interface GuideRunSpec {
  /** Standard-normal noise [S, ...shape] for a latent drawn at its current shape; null: every latent's value is given. */
  readonly noise: ((latent: string, shape: readonly number[]) => tf.Tensor) | null;
  /** A latent's shape now (its subsampled plate axis at the batch size under minibatching). */
  readonly shapeOf: (latent: string) => readonly number[];
  readonly score: GuideScore;
  /** Hold the guide's params constant (log q for sticking the landing). */
  readonly stop: boolean;
}

interface RunState {
  readonly s: number;
  readonly values: Map<string, tf.Tensor>;
  readonly env: Map<object, Value>;
  readonly loops: Map<object, LoopInfo>;
  depth: number;
  readonly terms: Map<string, tf.Tensor>;
  readonly withTerms: boolean;
  readonly guide: GuideRunSpec | null;
  /** Per-element terms by factor id (null: not available element by element), when asked for. */
  readonly elements?: Map<string, ElementTerm | null>;
  /** Posterior predictive mode: draws of the observed nodes are collected here (predictive.ts). */
  readonly predict?: PredictiveCollector;
}

/** Raised when a build-time evaluation meets something only known per call. */
class NeedsRuntime extends Error {}

const SIZE_ARG_BUILTINS: Readonly<Record<string, (i: number) => boolean>> = {
  ones: () => true,
  zeros: () => true,
  fill: (i) => i >= 1,
  rep: (i) => i >= 1,
  one_hot: (i) => i === 1,
  sum: (i) => i === 1,
  prod: (i) => i === 1,
  mean: (i) => i === 1,
  max: (i) => i === 1,
  min: (i) => i === 1,
  logsumexp: (i) => i === 1,
  sd: (i) => i === 1,
  variance: (i) => i === 1,
  size: (i) => i === 1,
};

export class ModelProgram {
  private readonly factorOfStmt = new Map<object, IrFactor>();
  private readonly nodeByName = new Map<string, IrNode>();
  private readonly guideNodeByName = new Map<string, IrNode>();
  private readonly guideSymbols: ReadonlySet<SymbolInfo>;
  private readonly logitForms = new Map<SampleStmt, LogitRewrite | null>();
  private readonly declSymbols = new Map<object, SymbolInfo>();
  private readonly constLets = new Map<object, Value>();
  private readonly dataValues = new Map<string, Value>();
  private readonly argValues = new Map<string, Value>();
  private readonly vectorisable = new Map<ForStmt, boolean>();
  private readonly topLevelLets: DeclStmt[];
  minibatch: MinibatchState | null = null;

  constructor(
    private readonly graph: GraphIR,
    private readonly typed: TypedModel,
    private readonly data: DataTensors,
    private readonly paramNetworks: ReadonlyMap<string, ParamNetwork>,
    private readonly tensorParams: ReadonlyMap<string, TensorParam>,
    private readonly cache: ConstantCache,
    /** The guide block's own params and networks (declared inside it). */
    private readonly guideNetworks: ReadonlyMap<string, ParamNetwork> = new Map(),
    private readonly guideTensorParams: ReadonlyMap<string, TensorParam> = new Map(),
  ) {
    for (const f of graph.factors.values()) this.factorOfStmt.set(f.stmt, f);
    for (const f of graph.guide?.factors.values() ?? []) this.factorOfStmt.set(f.stmt, f);
    for (const n of graph.nodes.values()) if (!n.inGuide && !this.nodeByName.has(n.name)) this.nodeByName.set(n.name, n);
    for (const n of graph.guide?.nodes.values() ?? []) if (!this.guideNodeByName.has(n.name)) this.guideNodeByName.set(n.name, n);
    this.guideSymbols = new Set(typed.guideSymbols?.values() ?? []);
    const register = (s: SymbolInfo) => {
      if (!this.declSymbols.has(s.decl)) this.declSymbols.set(s.decl, s);
    };
    for (const s of typed.symbols.values()) register(s);
    for (const s of typed.loopVars.values()) register(s);
    for (const s of typed.references.values()) register(s);
    this.topLevelLets = typed.model.body.filter((s): s is DeclStmt => s.kind === "Decl" && s.role === "let");
  }

  // -------------------------------------------------------------------------------------------
  // Set-up

  /** Re-reads data tensors and recomputes the data-only lets (after a minibatch change). */
  refresh(): void {
    for (const v of this.constLets.values()) v.t.dispose();
    this.constLets.clear();
    this.dataValues.clear();
    for (const v of this.argValues.values()) v.t.dispose();
    this.argValues.clear();
    // Lets that depend on data and constants only are computed once, here.
    for (const decl of this.topLevelLets) {
      const sym = this.declSymbols.get(decl);
      if (!decl.init || !sym || sym.definitions.length > 1) continue;
      const st = this.newState(1, new Map(), false);
      try {
        let num: number | undefined;
        // Cloned: the initialiser may be a data tensor itself, which must outlive this cache.
        const t = tf.tidy(() => {
          const out = this.evaluator(st, true).eval(decl.init!);
          num = out.num;
          return tf.clone(out.t);
        });
        this.constLets.set(decl, num === undefined ? { t, frame: 0, persistent: true } : { t, frame: 0, persistent: true, num });
      } catch (e) {
        if (!(e instanceof NeedsRuntime)) throw e;
      }
    }
  }

  dispose(): void {
    for (const v of this.constLets.values()) v.t.dispose();
    this.constLets.clear();
    for (const v of this.argValues.values()) v.t.dispose();
    this.argValues.clear();
    this.dataValues.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** Runs the body: terms by factor id (each [S], [1] or a scalar) and the let values. */
  run(s: number, values: ReadonlyMap<string, tf.Tensor>, withTerms: boolean): { terms: Map<string, tf.Tensor>; env: Map<object, Value> } {
    const st = this.newState(s, values, withTerms);
    this.execBody(this.typed.model.body, st);
    return { terms: st.terms, env: st.env };
  }

  /**
   * Runs the guide block: each `lat ~ D(args)` draws `lat` from the noise (or reads its given
   * value) and adds its score term. Returns every latent's value ([S, ...shape]; the given ones
   * included) and the terms by guide factor id.
   */
  runGuide(s: number, given: ReadonlyMap<string, tf.Tensor>, spec: GuideRunSpec): { values: Map<string, tf.Tensor>; terms: Map<string, tf.Tensor> } {
    const body = this.typed.guide?.body;
    if (!body) throw new EvalError(`this model has no guide block`, null);
    const st: RunState = { ...this.newState(s, given, true), guide: spec };
    this.execBody(body, st);
    return { values: st.values, terms: st.terms };
  }

  /** Runs the body keeping every term element by element as well (element-terms.ts). */
  runElements(s: number, values: ReadonlyMap<string, tf.Tensor>): { terms: Map<string, tf.Tensor>; elements: Map<string, ElementTerm | null> } {
    const st: RunState = { ...this.newState(s, values, true), elements: new Map() };
    this.execBody(this.typed.model.body, st);
    return { terms: st.terms, elements: st.elements! };
  }

  /** Runs the body drawing every observed node from its `~` at the given latent values (predictive.ts). */
  runPredictive(s: number, values: ReadonlyMap<string, tf.Tensor>, collector: PredictiveCollector): void {
    const st: RunState = { ...this.newState(s, values, true), predict: collector };
    this.execBody(this.typed.model.body, st);
  }

  /**
   * The arguments of a top-level `~` as plain numbers (each flattened, with its shape), when they
   * are constants: data, literals, compile-time arguments, data-only lets. Null when one needs
   * the latents, a param or a network, or the statement sits in a loop.
   */
  constantArgs(factorId: string): { values: Float32Array; shape: number[] }[] | null {
    const stmt = this.graph.factors.get(factorId)?.stmt;
    if (!stmt || stmt.kind !== "Sample" || !this.typed.model.body.includes(stmt)) return null;
    try {
      return tf.tidy(() => {
        const ev = this.evaluator(this.newState(1, new Map(), false), true);
        return stmt.dist.args.map((a) => {
          const v = ev.eval(a);
          return { values: Float32Array.from(v.t.dataSync()), shape: v.t.shape.slice() };
        });
      });
    } catch (e) {
      if (e instanceof NeedsRuntime) return null;
      throw e;
    }
  }

  /** The value of a top-level let after a run (a data-only let from the build-time cache). */
  letValue(env: Map<object, Value>, decl: DeclStmt): Value | undefined {
    return env.get(decl) ?? this.constLets.get(decl);
  }

  private newState(s: number, values: ReadonlyMap<string, tf.Tensor>, withTerms: boolean): RunState {
    return { s, values: new Map(values), env: new Map(), loops: new Map(), depth: 0, terms: new Map(), withTerms, guide: null };
  }

  private evaluator(st: RunState, buildTime = false): Evaluator {
    const scope: EvalScope = {
      lookup: (sym, at) => this.lookup(sym, at, st, buildTime),
      applyNetwork: (sym, input, at) => {
        if (buildTime) throw new NeedsRuntime();
        return this.applyNetwork(sym, input, at, st);
      },
      sizeOverride: (e) => this.sizeOverride(e),
    };
    return new Evaluator(this.typed, scope, this.cache);
  }

  /** Under minibatching, a size argument naming the subsampled plate's size is the batch size. */
  private sizeOverride(e: Expr): number | undefined {
    const mb = this.minibatch;
    if (!mb || e.kind !== "Identifier") return undefined;
    const plate = this.graph.plates.get(mb.plate);
    return plate && plate.size.kind === "sym" && plate.size.name === e.name ? mb.b : undefined;
  }

  private lookup(sym: SymbolInfo, at: Identifier, st: RunState, buildTime: boolean): Value {
    switch (sym.role) {
      case "loop":
      case "let": {
        const v = st.env.get(sym.decl) ?? this.constLets.get(sym.decl);
        if (v) return v;
        if (sym.role === "let" && (sym.decl as DeclStmt).init && this.topLevelLets.includes(sym.decl as DeclStmt)) {
          // A top-level let referenced before its statement: evaluate its initialiser now.
          const val = this.evaluator(st, buildTime).eval((sym.decl as DeclStmt).init!);
          st.env.set(sym.decl, val);
          return val;
        }
        if (buildTime) throw new NeedsRuntime();
        throw new EvalError(`'${sym.name}' is used before it has a value`, at);
      }
      case "data":
        return this.dataValue(sym.name, at);
      case "arg":
        return this.argValue(sym.name, at);
      case "latent": {
        if (buildTime) throw new NeedsRuntime();
        const t = st.values.get(sym.name);
        if (!t) throw new EvalError(`no value was given for latent '${sym.name}'`, at);
        return { t, frame: 1 };
      }
      case "param": {
        if (buildTime) throw new NeedsRuntime();
        const p = (this.guideSymbols.has(sym) ? this.guideTensorParams : this.tensorParams).get(sym.name);
        if (!p) throw new EvalError(`'${sym.name}' is a network: call it on an input, e.g. ${sym.name}(x)`, at);
        const v = st.guide?.stop ? stopGradient(p.variable) : p.variable;
        return { t: p.bijector ? p.bijector.forward(v) : v, frame: 0 };
      }
    }
  }

  private dataValue(name: string, at: Identifier): Value {
    let v = this.dataValues.get(name);
    if (!v) {
      const t = this.data.get(name);
      if (!t) throw new EvalError(`data '${name}' was not given`, at);
      const num = this.data.scalar(name);
      v = num === undefined ? { t, frame: 0, persistent: true } : { t, frame: 0, persistent: true, num };
      this.dataValues.set(name, v);
    }
    return v;
  }

  private argValue(name: string, at: Identifier): Value {
    let v = this.argValues.get(name);
    if (!v) {
      const a = this.typed.args.get(name);
      if (a === undefined) throw new EvalError(`model argument '${name}' has no value`, at);
      const sym = this.typed.symbols.get(name);
      const isInt = typeof a === "number" && sym?.type.kind === "tensor" && sym.type.elem === "int";
      const t = tf.keep(typeof a === "boolean" ? tf.scalar(a, "bool") : tf.scalar(a, isInt ? "int32" : "float32"));
      v = { t, frame: 0, persistent: true, num: typeof a === "boolean" ? (a ? 1 : 0) : a };
      this.argValues.set(name, v);
    }
    return v;
  }

  private applyNetwork(sym: SymbolInfo, input: Value, at: Expr, st: RunState, options: ApplyOptions = {}): Value {
    const inGuide = this.guideSymbols.has(sym);
    const node = (inGuide ? this.guideNodeByName : this.nodeByName).get(sym.name);
    if (!node || !node.network) throw new EvalError(`'${sym.name}' is not a network`, at);
    if (node.network.stochastic) {
      const w = st.values.get(sym.name);
      if (!w) throw new EvalError(`no weights were given for the latent network '${sym.name}'`, at);
      return applyLatentNetwork(node.network, sym.name, { t: w, frame: 1 }, input, options);
    }
    const net = (inGuide ? this.guideNetworks : this.paramNetworks).get(sym.name);
    if (!net) throw new EvalError(`network '${sym.name}' has no weights`, at);
    return net.apply(input, st.guide?.stop ? { ...options, stop: true } : options);
  }

  /** The network behind a network-typed symbol (model or guide). */
  private networkInfo(sym: SymbolInfo): IrNode["network"] {
    return ((this.guideSymbols.has(sym) ? this.guideNodeByName : this.nodeByName).get(sym.name)?.network ?? null) as IrNode["network"];
  }

  /** A `~`'s distribution and evaluated arguments, in the logit form where it has one (logit-forms.ts). */
  private sampleArgs(s: SampleStmt, sig: DistributionSignature, st: RunState): { sig: DistributionSignature; args: Value[] } {
    let rw = this.logitForms.get(s);
    if (rw === undefined) {
      rw = logitRewrite(sig, s.dist.args, this.typed, (sym) => this.networkInfo(sym));
      this.logitForms.set(s, rw);
    }
    const ev = this.evaluator(st);
    if (!rw) return { sig, args: s.dist.args.map((a) => ev.eval(a)) };
    const src = rw.source;
    const logits = src.kind === "expr" ? ev.eval(src.expr) : this.applyNetwork(src.sym, ev.eval(src.call.args[0]!), src.call, st, { raw: true });
    return { sig: rw.signature, args: [logits] };
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private execBody(body: readonly Statement[], st: RunState): void {
    for (const s of body) {
      switch (s.kind) {
        case "Decl":
          if (s.role === "let" && s.init) {
            if (st.depth === 0 && this.constLets.has(s)) break;
            if (st.env.has(s)) break; // evaluated early, on a forward reference
            st.env.set(s, this.evaluator(st).eval(s.init));
          }
          break;
        case "Sample": {
          if (!st.withTerms) break;
          const f = this.factorOfStmt.get(s);
          if (!f || !f.signature) throw new EvalError(`this '~' statement has no factor in the graph`, s.target);
          if (st.guide) {
            this.guideSample(s, f, st, st.guide);
            break;
          }
          if (st.predict) {
            const node = f.target ? this.graph.nodes.get(f.target) : undefined;
            if (node?.kind === "observed") {
              const { sig, args } = this.sampleArgs(s, f.signature, st);
              st.predict.collect(node, s, this.evaluator(st).eval(s.target), sig, args, st.loops);
            }
            break;
          }
          const target = this.evaluator(st).eval(s.target);
          const { sig, args } = this.sampleArgs(s, f.signature, st);
          if (st.elements) this.addElementTerm(st, f, factorLogProb(sig, target, args, this.cache, f), target, sig.eventRank);
          else this.addTerm(st, f, factorTerm(sig, target, args, this.cache, f));
          break;
        }
        case "Factor": {
          if (!st.withTerms) break;
          const f = this.factorOfStmt.get(s);
          if (!f) throw new EvalError(`this factor(...) has no factor in the graph`, s.value);
          const v = this.evaluator(st).eval(s.value);
          if (st.elements) this.addElementTerm(st, f, v, null, 0);
          else this.addTerm(st, f, potentialTerm(v));
          break;
        }
        case "Assign":
          this.assign(s.target, this.evaluator(st).eval(s.value), st);
          break;
        case "For":
          this.loop(s, st);
          break;
        case "Guide":
          break;
      }
    }
  }

  /** One `lat ~ D(args)` of the guide: draw `lat` from the noise unless it is given, then score it. */
  private guideSample(s: SampleStmt, f: IrFactor, st: RunState, g: GuideRunSpec): void {
    const node = f.target ? this.graph.nodes.get(f.target) : undefined;
    if (!node) throw new EvalError(`this guide statement does not target a latent of the model`, s.target);
    const name = node.name;
    const ev = this.evaluator(st);
    const args = s.dist.args.map((a) => ev.eval(a));
    const sig = f.signature!;
    let value: Value;
    let dist: ReturnType<typeof factorDistribution>["dist"] | null = null;
    if (st.values.has(name)) {
      value = ev.eval(s.target);
    } else {
      if (!g.noise) throw new EvalError(`no value was given for latent '${name}'`, s.target);
      if (s.target.kind !== "Identifier" || st.depth > 0) {
        throw new EvalError(`the guide can only draw a whole latent, with '${name} ~ ...' at the top of the guide block`, s.target);
      }
      const shape = g.shapeOf(name);
      const built = factorDistribution(sig, 1, shape.length, args);
      dist = built.dist;
      if (!dist.normalReparameterizable) throw new EvalError(`${sig.name} has no reparameterised sampler: a guide distribution must be Normal or LogNormal`, s.dist.name);
      const t = broadcastIfNeeded(dist.rsampleFromNormal(g.noise(name, shape)), [st.s, ...shape]);
      st.values.set(name, t);
      value = { t, frame: 1 };
    }
    switch (g.score) {
      case "none":
        return;
      case "logq":
        this.addTerm(st, f, factorTerm(sig, value, args));
        return;
      case "entropy": {
        // -H(q_f), summed over the latent's elements: frame 1 when the arguments vary by draw.
        const d = dist ?? factorDistribution(sig, value.frame, ownRank(value), args).dist;
        const h = d.entropy();
        const own = value.t.shape.slice(value.frame);
        const framed = h.rank > own.length;
        const full = broadcastIfNeeded(h, framed ? [h.shape[0]!, ...own] : own);
        this.addTerm(st, f, tf.neg(sumToSample(full, framed ? 1 : 0)));
        return;
      }
    }
  }

  /** A term element by element (runElements): recorded per element, and summed as addTerm does. */
  private addElementTerm(st: RunState, f: IrFactor, lp: Value, target: Value | null, eventRank: number): void {
    const mb = this.minibatch;
    const scale = mb && f.plates.includes(mb.plate) ? mb.n / mb.b : 1;
    const loops = [...st.loops.values()].map((l) => ({ frameAxis: l.frameAxis, count: l.count }));
    const seen = st.elements!.has(f.id);
    st.elements!.set(f.id, seen ? null : elementTerm(f, lp, target, eventRank, loops, st.s, scale));
    this.addTerm(st, f, target ? sumToSample(lp.t, lp.frame) : potentialTerm(lp));
  }

  private addTerm(st: RunState, f: IrFactor, term: tf.Tensor): void {
    const mb = this.minibatch;
    const scaled = mb && f.plates.includes(mb.plate) ? tf.mul(term, mb.n / mb.b) : term;
    const prev = st.terms.get(f.id);
    st.terms.set(f.id, prev ? tf.add(prev, scaled) : scaled);
  }

  private loopCount(s: ForStmt, from: number, to: number): number {
    const mb = this.minibatch;
    if (mb && from === 0 && to === mb.n) {
      const plate = this.graph.plates.get(mb.plate);
      if (plate && plate.indexVars.includes(s.variable.name)) return mb.b;
    }
    return Math.max(0, to - from);
  }

  private loop(s: ForStmt, st: RunState): void {
    const ev = this.evaluator(st);
    const from = ev.number(s.from);
    const count = this.loopCount(s, from, ev.number(s.to));
    if (count === 0) return;
    const decl = this.loopDecl(s);
    if (this.canVectorise(s)) {
      st.depth++;
      const axis = st.depth;
      const shape = [...Array(axis).fill(1), count];
      const t = tf.reshape(tf.range(from, from + count, 1, "int32"), shape);
      st.env.set(decl, { t, frame: axis + 1 });
      st.loops.set(decl, { from, count, frameAxis: axis });
      try {
        this.execBody(s.body, st);
      } finally {
        st.depth--;
        st.env.delete(decl);
        st.loops.delete(decl);
      }
      return;
    }
    for (let i = from; i < from + count; i++) {
      st.env.set(decl, { t: tf.scalar(i, "int32"), frame: 0, num: i });
      st.loops.set(decl, { from, count, frameAxis: null });
      this.execBody(s.body, st);
    }
    st.env.delete(decl);
    st.loops.delete(decl);
  }

  private loopDecl(s: ForStmt): object {
    return this.typed.loopVars.get(s)?.decl ?? s;
  }

  // -------------------------------------------------------------------------------------------
  // Can a loop run as one vectorised pass?

  private canVectorise(s: ForStmt): boolean {
    let ok = this.vectorisable.get(s);
    if (ok === undefined) {
      ok = this.checkVectorisable(s, new Set());
      this.vectorisable.set(s, ok);
    }
    return ok;
  }

  private checkVectorisable(s: ForStmt, outer: ReadonlySet<object>): boolean {
    const loops = new Set(outer);
    loops.add(this.loopDecl(s));
    // Bounds must not move with an enclosing vectorised loop (no triangular loops).
    if (this.mentions(s.from, loops) || this.mentions(s.to, loops)) return false;
    const okExpr = (e: Expr): boolean => !this.dynamicShape(e, loops);
    for (const stmt of s.body) {
      switch (stmt.kind) {
        case "For":
          if (!this.checkVectorisable(stmt, loops)) return false;
          break;
        case "Decl":
          if (stmt.init && !okExpr(stmt.init)) return false;
          break;
        case "Sample":
          if (!okExpr(stmt.target) || !stmt.dist.args.every(okExpr)) return false;
          break;
        case "Factor":
          if (!okExpr(stmt.value)) return false;
          break;
        case "Assign": {
          if (!okExpr(stmt.value)) return false;
          const t = stmt.target;
          if (t.kind !== "Index" || t.object.kind !== "Identifier") return false;
          const seen = new Set<object>();
          for (const ix of t.indices) {
            if (ix.kind === "Slice") {
              if (ix.start || ix.end) return false;
              continue;
            }
            if (ix.kind !== "Identifier") return false;
            const sym = this.typed.references.get(ix);
            if (!sym || sym.role !== "loop" || !loops.has(sym.decl) || seen.has(sym.decl)) return false;
            seen.add(sym.decl);
          }
          // Slices must come after every loop index (theta[j, :]).
          const firstSlice = t.indices.findIndex((ix) => ix.kind === "Slice");
          if (firstSlice >= 0 && t.indices.slice(firstSlice).some((ix) => ix.kind !== "Slice")) return false;
          break;
        }
        case "Guide":
          break;
      }
    }
    return true;
  }

  private mentions(e: Expr, decls: ReadonlySet<object>): boolean {
    let found = false;
    visit(e, (x) => {
      if (x.kind === "Identifier") {
        const sym = this.typed.references.get(x);
        if (sym && decls.has(sym.decl)) found = true;
      }
    });
    return found;
  }

  /** Slices or size arguments that depend on one of the loops: shapes that change per iteration. */
  private dynamicShape(e: Expr, loops: ReadonlySet<object>): boolean {
    let dynamic = false;
    visit(e, (x) => {
      if (dynamic) return;
      if (x.kind === "Index") {
        for (const ix of x.indices) {
          if (ix.kind === "Slice" && ((ix.start && this.mentions(ix.start, loops)) || (ix.end && this.mentions(ix.end, loops)))) dynamic = true;
        }
      } else if (x.kind === "Call") {
        const isSize = SIZE_ARG_BUILTINS[x.callee.name];
        if (isSize && x.args.some((a, i) => isSize(i) && this.mentions(a, loops))) dynamic = true;
      }
    });
    return dynamic;
  }

  // -------------------------------------------------------------------------------------------
  // Assignments into lets

  private letShape(sym: SymbolInfo): number[] {
    if (sym.type.kind !== "tensor") throw new EvalError(`'${sym.name}' is not a tensor`, null);
    return sym.type.shape.map((d) => this.dimValue(d, sym.name));
  }

  private dimValue(d: Dim, owner: string): number {
    if (d.kind === "const") return d.value;
    if (d.kind === "sym") {
      const mb = this.minibatch;
      if (mb) {
        const plate = this.graph.plates.get(mb.plate);
        if (plate && plate.size.kind === "sym" && plate.size.name === d.name) return mb.b;
      }
      const n = this.data.data.sizes.get(d.name) ?? this.graph.sizes.get(d.name);
      if (n !== undefined) return n;
    }
    throw new EvalError(`the size of '${owner}' is not known`, null);
  }

  private assign(target: Expr, v: Value, st: RunState): void {
    if (target.kind === "Identifier") {
      const sym = this.typed.references.get(target);
      if (!sym) throw new EvalError(`'${target.name}' is not resolved`, target);
      st.env.set(sym.decl, v);
      return;
    }
    if (target.kind !== "Index" || target.object.kind !== "Identifier") throw new EvalError(`cannot assign to this expression`, target);
    const sym = this.typed.references.get(target.object);
    if (!sym) throw new EvalError(`'${target.object.name}' is not resolved`, target);
    const vectorised = target.indices.some((ix) => {
      if (ix.kind !== "Identifier") return false;
      const s = this.typed.references.get(ix);
      return !!s && st.loops.get(s.decl)?.frameAxis != null;
    });
    if (vectorised) this.assignVectorised(target, sym, v, st);
    else this.assignMasked(target, sym, v, st);
  }

  /** `theta[j] = e` over a vectorised loop j: the loop's frame axis becomes the let's axis. */
  private assignVectorised(target: IndexExpr, sym: SymbolInfo, v: Value, st: RunState): void {
    const dims = this.letShape(sym);
    const frame = st.depth + 1;
    const loopAxes: number[] = [];
    target.indices.forEach((ix, j) => {
      if (ix.kind !== "Identifier") return;
      const s = this.typed.references.get(ix)!;
      const info = st.loops.get(s.decl);
      if (!info || info.frameAxis === null) throw new EvalError(`'${ix.name}' is not a loop variable here`, ix);
      if (info.from !== 0 || info.count !== dims[j]) {
        throw new EvalError(`assigning '${sym.name}[${ix.name}]' in a loop that does not cover 0..${dims[j]} is not supported`, ix);
      }
      loopAxes.push(info.frameAxis);
    });
    let t = withFrame(v, frame);
    const shape = [...t.shape];
    loopAxes.forEach((a, j) => (shape[a] = dims[j]!));
    t = broadcastIfNeeded(t, shape);
    const others = [...Array(frame).keys()].filter((a) => a !== 0 && !loopAxes.includes(a));
    if (others.some((a) => t.shape[a] !== 1)) {
      throw new EvalError(`'${sym.name}' is assigned a value that varies along a loop it is not indexed by`, target);
    }
    const own = [...Array(t.rank - frame).keys()].map((i) => i + frame);
    t = tf.transpose(t, [0, ...others, ...loopAxes, ...own]);
    const k = loopAxes.length;
    const ownShape = t.shape.slice(frame);
    const rest = dims.slice(k);
    const pad = Math.max(0, rest.length - ownShape.length);
    t = tf.reshape(t, [t.shape[0]!, ...dims.slice(0, k), ...Array(pad).fill(1), ...ownShape]);
    t = broadcastIfNeeded(t, [t.shape[0]!, ...dims]);
    st.env.set(sym.decl, { t, frame: 1 });
  }

  /** `theta[2] = e`, `theta[i, :] = e` with i iterated in JS: a masked update of the let. */
  private assignMasked(target: IndexExpr, sym: SymbolInfo, v: Value, st: RunState): void {
    const dims = this.letShape(sym);
    const ev = this.evaluator(st);
    const isReal = sym.type.kind === "tensor" && sym.type.elem === "real";
    const cur = st.env.get(sym.decl) ?? { t: tf.zeros(dims, isReal ? "float32" : "int32"), frame: 0 };
    const starts: number[] = [];
    const region: number[] = [];
    const scalarAxes: number[] = [];
    dims.forEach((n, j) => {
      const ix = target.indices[j];
      if (!ix || (ix.kind === "Slice" && !ix.start && !ix.end)) {
        starts.push(0);
        region.push(n);
      } else if (ix.kind === "Slice") {
        const a = ix.start ? ev.number(ix.start) : 0;
        const b = ix.end ? ev.number(ix.end) : n;
        starts.push(a);
        region.push(Math.max(0, b - a));
      } else {
        const i = ev.eval(ix);
        if (i.num === undefined || ownRank(i) !== 0) throw new EvalError(`an assignment index must be a single int known per iteration`, ix);
        starts.push(i.num);
        region.push(1);
        scalarAxes.push(j);
      }
    });
    // The value, shaped like the region (scalar-indexed axes kept as size 1), padded to the let.
    const vOwn = v.t.shape.slice(v.frame);
    const free = region.filter((_, j) => !scalarAxes.includes(j)).length;
    const padded = [...Array(Math.max(0, free - vOwn.length)).fill(1), ...vOwn];
    let q = 0;
    const withOnes = region.map((_, j) => (scalarAxes.includes(j) ? 1 : padded[q++]!));
    const lead = v.t.shape.slice(0, v.frame);
    let vt = tf.reshape(isReal ? asFloat(v.t) : v.t, [...lead, ...withOnes]);
    vt = broadcastIfNeeded(vt, [...lead, ...region]);
    vt = tf.pad(vt, [...lead.map((): [number, number] => [0, 0]), ...dims.map((n, j): [number, number] => [starts[j]!, n - starts[j]! - region[j]!])]);
    const mask = new Uint8Array(dims.reduce((p, n) => p * n, 1));
    const strides = dims.map((_, j) => dims.slice(j + 1).reduce((p, n) => p * n, 1));
    const fill = (j: number, off: number) => {
      if (j === dims.length) {
        mask[off] = 1;
        return;
      }
      for (let i = starts[j]!; i < starts[j]! + region[j]!; i++) fill(j + 1, off + i * strides[j]!);
    };
    fill(0, 0);
    const m = tf.tensor(mask, dims, "bool");
    const { ts, frame } = align([{ t: m, frame: 0 }, { t: vt, frame: v.frame }, cur]);
    let shape: number[] = [];
    for (const t of ts) shape = broadcastShape(shape, t.shape);
    const out = tf.where(broadcastIfNeeded(ts[0]!, shape), broadcastIfNeeded(ts[1]!, shape), broadcastIfNeeded(isReal ? asFloat(ts[2]!) : ts[2]!, shape));
    st.env.set(sym.decl, { t: out, frame });
  }
}

/** Calls `f` on every expression inside `e` (index arguments and slice bounds included). */
export function visit(e: Expr, f: (x: Expr) => void): void {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    f(x);
    switch (x.kind) {
      case "Array":
        stack.push(...x.elements);
        break;
      case "Unary":
        stack.push(x.operand);
        break;
      case "Binary":
        stack.push(x.left, x.right);
        break;
      case "Ternary":
        stack.push(x.cond, x.then, x.otherwise);
        break;
      case "Call":
        stack.push(...x.args);
        break;
      case "Index":
        stack.push(x.object);
        for (const ix of x.indices) {
          if (ix.kind === "Slice") {
            if (ix.start) stack.push(ix.start);
            if (ix.end) stack.push(ix.end);
          } else stack.push(ix);
        }
        break;
      default:
        break;
    }
  }
}
