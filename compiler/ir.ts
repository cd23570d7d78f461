/**
 * The graph IR: an immutable graph lowered from the typed AST (lower.ts), read by the analyses
 * (analysis/) and the inference backends.
 *
 * - Nodes are the model's named quantities: `latent`, `observed` (data that is the target of a
 *   `~`), `data` (covariates and sizes, given, never sampled), `deterministic` (`let`), `param`
 *   (point-estimated tensors) and `network` (a network-typed param or latent; a latent network is
 *   a Bayesian network whose weights get the prior).
 * - Factors are the `~` statements (and `factor(e)` potentials): the log-density terms. A factor
 *   keeps its distribution, its argument expressions as AST references, the plates it runs over
 *   and how each dependency lines up with those plates (what per-element Markov blankets and
 *   minibatching need).
 * - Plates are conditional-independence axes: a `for i in 0..N` loop, or the leading batch axes of
 *   a vectorised `~` over a data size. Plates are identified by their size and the plate they sit
 *   in, so `for i in 0..N` and a vectorised `x ~ ...` over `x: real[N]` share the plate `N`.
 * - Edges point from a dependency to the node whose factor or definition uses it.
 *
 * Everything here is plain frozen data; `buildGraph` derives the redundant fields (parents,
 * children, edges, plate membership) from nodes, factors and definitions, so a graph built by
 * hand in a test has the same invariants as one lowered from source.
 */
import type { ConstraintSpec, Dim, DistributionSignature, Expr, FactorStmt, SampleStmt, Span, Type } from "./lang.js";
import type { GraphAnalyses } from "./analysis/index.js";

export type NodeKind = "latent" | "observed" | "data" | "deterministic" | "param" | "network";
export const NODE_KINDS: readonly NodeKind[] = ["data", "observed", "param", "network", "latent", "deterministic"];

/** The declaration a node came from. */
export type DeclaredRole = "data" | "latent" | "param" | "let";

/** A node's value shape: symbolic sizes always, numbers when every size is known. */
export interface IrShape {
  readonly symbolic: readonly Dim[];
  readonly concrete: readonly number[] | null;
}

export interface NetworkInfo {
  /** The network family, e.g. "MLP". */
  readonly name: string;
  /** Sizes of the arrow chain, input first. */
  readonly layers: readonly Dim[];
  readonly concreteLayers: readonly number[] | null;
  /** Named options as written or defaulted: `{ hidden: "relu", out: "sigmoid" }`. */
  readonly activations: Readonly<Record<string, string>>;
  /** A latent network (its weights are random and have a prior) rather than a param. */
  readonly stochastic: boolean;
}

/**
 * How a dependency enters: an argument of a distribution (`arg`), an index (`mu[z]`: z is an
 * `index` dependency), a network applied to an input (`decoder(z)`: decoder is a `network`
 * dependency), or a term of a deterministic definition (`term`).
 */
export type EdgeKind = "arg" | "index" | "network" | "term";

/** One mention of a node inside a factor or a definition. */
export interface IrUse {
  readonly node: string;
  readonly edge: EdgeKind;
  /**
   * The plates (of the enclosing factor or definition) along which this mention is element by
   * element: element n of the factor reads only element n of the node. `eta` in
   * `y ~ Normal(mu + tau * eta, sigma)` is elementwise along J; `mu` in `x ~ Normal(mu[z], 1)`
   * is not elementwise along N (a gather), `z` is.
   */
  readonly elementwise: readonly string[];
  readonly span: Span;
}

export type FactorKind = "sample" | "potential";

/** A `~` statement (`sample`) or a `factor(e)` term (`potential`). */
export interface IrFactor {
  readonly id: string;
  readonly kind: FactorKind;
  /** Node id of the `~` target; null for a potential. */
  readonly target: string | null;
  /** The target as written (`y`, `y[i]`, `x[i, :]`); null for a potential. */
  readonly targetExpr: Expr | null;
  readonly distribution: string | null;
  readonly signature: DistributionSignature | null;
  /** Argument expressions (AST references); a potential has its one expression here. */
  readonly args: readonly Expr[];
  /** Plates the statement runs over, outermost first: enclosing `for` loops, then vectorised axes. */
  readonly plates: readonly string[];
  /** For each axis of the target node, the plate the statement iterates it by (null if none). */
  readonly targetAxes: readonly (string | null)[];
  /** Every node mentioned in the arguments and in the target's indices. */
  readonly uses: readonly IrUse[];
  /** Distinct nodes used, in order of first mention, without the target itself. */
  readonly parents: readonly string[];
  readonly discrete: boolean;
  readonly span: Span;
  readonly stmt: SampleStmt | FactorStmt;
}

/** A `let` initialiser (`init`) or an assignment into a `let` (`theta[j] = ...`). */
export interface IrDefinition {
  readonly id: string;
  readonly node: string;
  readonly kind: "init" | "assign";
  /** The assigned target (`theta[j]`); null for an initialiser. */
  readonly targetExpr: Expr | null;
  readonly expr: Expr;
  readonly plates: readonly string[];
  readonly targetAxes: readonly (string | null)[];
  readonly uses: readonly IrUse[];
  readonly parents: readonly string[];
  readonly span: Span;
}

export interface IrNode {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
  readonly role: DeclaredRole;
  readonly type: Type;
  readonly shape: IrShape;
  readonly constraint: ConstraintSpec;
  /** Plates the node lives in, outermost first. */
  readonly plates: readonly string[];
  /** For each axis of the node's shape, the plate that axis indexes (null: not a plate axis). */
  readonly axisPlates: readonly (string | null)[];
  readonly discrete: boolean;
  readonly network: NetworkInfo | null;
  /** Declared inside the guide block (a guide param or let). */
  readonly inGuide: boolean;
  readonly span: Span;
  // Derived by buildGraph:
  /** Nodes with an edge into this one, in source order of first mention. */
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Model factors targeting this node (its prior, or its likelihood terms when observed). */
  readonly factors: readonly string[];
  /** Definitions of a deterministic node. */
  readonly definitions: readonly string[];
}

export type PlateOrigin = "for" | "vectorised";

export interface IrPlate {
  readonly id: string;
  /** The size symbol (`N`), or the loop variable when the size is a constant. */
  readonly name: string;
  readonly size: Dim;
  readonly concreteSize: number | null;
  /** The enclosing plate, or null at the top. */
  readonly parent: string | null;
  /** How the plate was first introduced; `span` points there. */
  readonly origin: PlateOrigin;
  readonly span: Span;
  /** Loop variables that iterate this plate. */
  readonly indexVars: readonly string[];
  // Derived by buildGraph:
  readonly nodes: readonly string[];
  readonly factors: readonly string[];
  readonly definitions: readonly string[];
  readonly guideNodes: readonly string[];
  readonly guideFactors: readonly string[];
  /** Holds observed nodes: a data plate, the candidates for minibatch subsampling. */
  readonly hasObserved: boolean;
}

export interface IrEdge {
  readonly from: string;
  readonly to: string;
  readonly kinds: readonly EdgeKind[];
  /** The factors and definitions that carry this dependency. */
  readonly via: readonly string[];
}

/**
 * The `guide { }` block: its own params, networks and lets (nodes), and one or more factors per
 * model latent (each factor's `target` is a model latent id). Its edges (from guide params and
 * model data into the latents) are kept apart from the model's so both graphs stay acyclic.
 */
export interface GuideSection {
  readonly span: Span;
  readonly nodes: ReadonlyMap<string, IrNode>;
  readonly factors: ReadonlyMap<string, IrFactor>;
  readonly definitions: ReadonlyMap<string, IrDefinition>;
  readonly edges: readonly IrEdge[];
  /** Guide factor ids by the latent they target. */
  readonly targets: ReadonlyMap<string, readonly string[]>;
  /** Guide params and networks: the guide's own trainable parameters. */
  readonly params: readonly string[];
}

export interface GraphCore {
  readonly model: string;
  readonly span: Span;
  /** Known sizes of data (from the data at fit time) and compile-time arguments. */
  readonly sizes: ReadonlyMap<string, number>;
  readonly args: ReadonlyMap<string, number | boolean>;
  /** In declaration order. */
  readonly nodes: ReadonlyMap<string, IrNode>;
  /** Model factors, in source order. */
  readonly factors: ReadonlyMap<string, IrFactor>;
  readonly definitions: ReadonlyMap<string, IrDefinition>;
  readonly plates: ReadonlyMap<string, IrPlate>;
  readonly edges: readonly IrEdge[];
  readonly guide: GuideSection | null;
}

/** The lowered graph with its analyses (dependency order, Markov blankets, and later ones). */
export interface GraphIR extends GraphCore {
  readonly analyses: GraphAnalyses;
}

// ---------------------------------------------------------------------------------------------
// Building

type Derived = "parents" | "children" | "factors" | "definitions";
export type NodeInput = Omit<IrNode, Derived>;
export type FactorInput = Omit<IrFactor, "parents">;
export type DefinitionInput = Omit<IrDefinition, "parents">;
export type PlateInput = Omit<IrPlate, "nodes" | "factors" | "definitions" | "guideNodes" | "guideFactors" | "hasObserved">;

export interface GraphInput {
  readonly model: string;
  readonly span: Span;
  readonly sizes?: ReadonlyMap<string, number>;
  readonly args?: ReadonlyMap<string, number | boolean>;
  readonly nodes: readonly NodeInput[];
  readonly factors: readonly FactorInput[];
  readonly definitions?: readonly DefinitionInput[];
  readonly plates?: readonly PlateInput[];
  readonly guide?: {
    readonly span: Span;
    readonly nodes: readonly NodeInput[];
    readonly factors: readonly FactorInput[];
    readonly definitions?: readonly DefinitionInput[];
  } | null;
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

function parentsOf(uses: readonly IrUse[], self: string | null): string[] {
  return uniq(uses.map((u) => u.node).filter((n) => n !== self));
}

/**
 * Freezes an IR record and the plain objects and arrays it owns. Objects with a `kind` (AST
 * nodes, types, dims) belong to the front end and are left alone; the lowerer copies any array
 * it takes from the AST so freezing never reaches into the typed AST.
 */
function freezeOwned(x: unknown): void {
  if (x === null || typeof x !== "object" || Object.isFrozen(x) || x instanceof Map) return;
  Object.freeze(x);
  for (const v of Object.values(x as object)) {
    if (Array.isArray(v)) freezeArray(v);
    else if (v !== null && typeof v === "object" && !("kind" in v)) freezeOwned(v);
  }
}

function freezeArray(xs: unknown[]): void {
  if (Object.isFrozen(xs)) return;
  Object.freeze(xs);
  for (const v of xs) {
    if (Array.isArray(v)) freezeArray(v);
    else if (v !== null && typeof v === "object" && !("kind" in v)) freezeOwned(v);
  }
}

function freezeRecords<T extends object>(records: Iterable<T>): void {
  for (const r of records) {
    Object.freeze(r);
    for (const v of Object.values(r)) {
      if (Array.isArray(v)) freezeArray(v);
      else if (v !== null && typeof v === "object" && !("kind" in v)) freezeOwned(v);
    }
  }
}

class EdgeSet {
  private readonly byKey = new Map<string, { from: string; to: string; kinds: EdgeKind[]; via: string[] }>();
  add(from: string, to: string, kind: EdgeKind, via: string): void {
    const key = `${from}\u0000${to}`;
    let e = this.byKey.get(key);
    if (!e) this.byKey.set(key, (e = { from, to, kinds: [], via: [] }));
    if (!e.kinds.includes(kind)) e.kinds.push(kind);
    if (!e.via.includes(via)) e.via.push(via);
  }
  list(): IrEdge[] {
    return [...this.byKey.values()];
  }
}

function edgesFor(factors: readonly IrFactor[], definitions: readonly IrDefinition[]): IrEdge[] {
  const edges = new EdgeSet();
  for (const f of factors) {
    if (f.target === null) continue;
    for (const u of f.uses) if (u.node !== f.target) edges.add(u.node, f.target, u.edge, f.id);
  }
  for (const d of definitions) {
    for (const u of d.uses) if (u.node !== d.node) edges.add(u.node, d.node, u.edge === "arg" ? "term" : u.edge, d.id);
  }
  return edges.list();
}

function finishNodes(inputs: readonly NodeInput[], factors: readonly IrFactor[], defs: readonly IrDefinition[], edges: readonly IrEdge[]): Map<string, IrNode> {
  // Index once: a model has thousands of nodes, and a scan per node would be quadratic.
  const group = <T>(items: readonly T[], key: (t: T) => string | null): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const it of items) {
      const k = key(it);
      if (k === null) continue;
      const list = m.get(k);
      if (list) list.push(it);
      else m.set(k, [it]);
    }
    return m;
  };
  const into = group(edges, (e) => e.to);
  const outOf = group(edges, (e) => e.from);
  const byTarget = group(factors, (f) => f.target);
  const byNode = group(defs, (d) => d.node);
  const out = new Map<string, IrNode>();
  for (const n of inputs) {
    out.set(n.id, {
      ...n,
      parents: uniq((into.get(n.id) ?? []).map((e) => e.from)),
      children: uniq((outOf.get(n.id) ?? []).map((e) => e.to)),
      factors: (byTarget.get(n.id) ?? []).map((f) => f.id),
      definitions: (byNode.get(n.id) ?? []).map((d) => d.id),
    });
  }
  return out;
}

/** Fills in the derived fields and freezes the result. */
export function buildGraph(input: GraphInput): GraphCore {
  const factors = input.factors.map((f): IrFactor => ({ ...f, parents: parentsOf(f.uses, f.target) }));
  const definitions = (input.definitions ?? []).map((d): IrDefinition => ({ ...d, parents: parentsOf(d.uses, d.node) }));
  const edges = edgesFor(factors, definitions);
  const nodes = finishNodes(input.nodes, factors, definitions, edges);

  let guide: GuideSection | null = null;
  let guideFactors: IrFactor[] = [];
  let guideNodes: Map<string, IrNode> = new Map();
  if (input.guide) {
    guideFactors = input.guide.factors.map((f): IrFactor => ({ ...f, parents: parentsOf(f.uses, f.target) }));
    const gdefs = (input.guide.definitions ?? []).map((d): IrDefinition => ({ ...d, parents: parentsOf(d.uses, d.node) }));
    const gedges = edgesFor(guideFactors, gdefs);
    guideNodes = finishNodes(input.guide.nodes, [], gdefs, gedges);
    const targets = new Map<string, string[]>();
    for (const f of guideFactors) {
      if (f.target === null) continue;
      const list = targets.get(f.target) ?? [];
      list.push(f.id);
      targets.set(f.target, list);
    }
    guide = {
      span: input.guide.span,
      nodes: guideNodes,
      factors: new Map(guideFactors.map((f) => [f.id, f])),
      definitions: new Map(gdefs.map((d) => [d.id, d])),
      edges: gedges,
      targets,
      params: guideParams(nodes, guideNodes, factors, definitions, guideFactors, gdefs),
    };
  }

  const plates = new Map<string, IrPlate>();
  for (const p of input.plates ?? []) {
    const inside = (ps: readonly string[]) => ps.includes(p.id);
    const members = [...nodes.values()].filter((n) => inside(n.plates));
    plates.set(p.id, {
      ...p,
      nodes: members.map((n) => n.id),
      factors: factors.filter((f) => inside(f.plates)).map((f) => f.id),
      definitions: definitions.filter((d) => inside(d.plates)).map((d) => d.id),
      guideNodes: [...guideNodes.values()].filter((n) => inside(n.plates)).map((n) => n.id),
      guideFactors: guideFactors.filter((f) => inside(f.plates)).map((f) => f.id),
      hasObserved: members.some((n) => n.kind === "observed"),
    });
  }

  freezeRecords(nodes.values());
  freezeRecords(factors);
  freezeRecords(definitions);
  freezeRecords(plates.values());
  freezeRecords(edges);
  if (guide) {
    freezeRecords(guide.nodes.values());
    freezeRecords(guide.factors.values());
    freezeRecords(guide.definitions.values());
    freezeRecords(guide.edges);
    Object.freeze(guide.edges);
    for (const list of guide.targets.values()) Object.freeze(list);
    Object.freeze(guide.params);
    Object.freeze(guide);
  }
  return Object.freeze({
    model: input.model,
    span: input.span,
    sizes: input.sizes ?? new Map<string, number>(),
    args: input.args ?? new Map<string, number | boolean>(),
    nodes,
    factors: new Map(factors.map((f) => [f.id, f])),
    definitions: new Map(definitions.map((d) => [d.id, d])),
    plates,
    edges: Object.freeze(edges),
    guide,
  });
}

/**
 * The guide's trainable parameters: params and networks declared in the guide, and model-level
 * ones that only the guide uses (a VAE's encoder declared next to its decoder).
 */
function guideParams(
  nodes: ReadonlyMap<string, IrNode>,
  guideNodes: ReadonlyMap<string, IrNode>,
  factors: readonly IrFactor[],
  defs: readonly IrDefinition[],
  guideFactors: readonly IrFactor[],
  guideDefs: readonly IrDefinition[],
): string[] {
  const isParam = (n: IrNode | undefined) => !!n && (n.kind === "param" || (n.kind === "network" && !n.network?.stochastic));
  const usedByModel = new Set([...factors, ...defs].flatMap((x) => x.uses.map((u) => u.node)));
  const usedByGuide = uniq([...guideFactors, ...guideDefs].flatMap((x) => x.uses.map((u) => u.node)));
  return [
    ...[...guideNodes.values()].filter(isParam).map((n) => n.id),
    ...usedByGuide.filter((id) => isParam(nodes.get(id)) && !usedByModel.has(id)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Queries

/** A node whose value is random under the model and gets a posterior: a latent or a latent network. */
export const isRandom = (n: IrNode): boolean => n.kind === "latent" || (n.kind === "network" && n.network?.stochastic === true);

/** A node whose value is given: data, observed data. */
export const isGiven = (n: IrNode): boolean => n.kind === "data" || n.kind === "observed";

/** The random nodes (latents and latent networks), in declaration order. */
export function randomNodes(g: GraphCore): IrNode[] {
  return [...g.nodes.values()].filter(isRandom);
}

export function nodeOf(g: GraphCore, id: string): IrNode {
  const n = g.nodes.get(id) ?? g.guide?.nodes.get(id);
  if (!n) throw new Error(`no node '${id}' in the graph of ${g.model}`);
  return n;
}

/** The plate and its ancestors, outermost first. */
export function plateChain(g: GraphCore, id: string): IrPlate[] {
  const out: IrPlate[] = [];
  for (let p = g.plates.get(id); p; p = p.parent ? g.plates.get(p.parent) : undefined) out.unshift(p);
  return out;
}

/** Every factor, model first then guide. */
export function allFactors(g: GraphCore): IrFactor[] {
  return [...g.factors.values(), ...(g.guide ? g.guide.factors.values() : [])];
}
