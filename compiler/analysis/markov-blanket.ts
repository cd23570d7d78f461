/**
 * Markov blankets: for each random node (a latent, or a latent network), its parents, children
 * and co-parents, and the factors that mention it. The factors are what Rao-Blackwellisation
 * needs (Ranganath et al., 2014): the score-function estimate for a latent only needs the log
 * density terms in its blanket.
 *
 * Deterministic nodes are looked through: `y ~ Normal(theta, sigma)` with `theta = mu + tau * eta`
 * is a child factor of mu, tau and eta, and `theta` is listed in `through`.
 *
 * For a local latent (one in plates, like `z` in a mixture over N), every entry has a scope: for
 * element n of the latent, an `element` entry means "element n of that node (or factor term n)",
 * `all` means the whole node (or every term of the factor). In the mixture, z[n]'s blanket is
 * weights (all), x (element), mu and sigma (all).
 */
import { isRandom, type GraphCore, type IrFactor, type IrUse } from "../ir.js";
import type { DependencyOrder } from "./order.js";

export type BlanketScope = "element" | "all";

export interface BlanketMember {
  readonly node: string;
  readonly scope: BlanketScope;
}

export interface BlanketFactor {
  readonly factor: string;
  /** `prior`: a `~` on the latent itself; `child`: a `~` on another node that mentions it; `potential`: a `factor(e)`. */
  readonly role: "prior" | "child" | "potential";
  readonly scope: BlanketScope;
}

export interface MarkovBlanket {
  readonly node: string;
  /** The latent's plates; `element` scopes are relative to one element of these. */
  readonly plates: readonly string[];
  readonly local: boolean;
  readonly parents: readonly BlanketMember[];
  readonly children: readonly BlanketMember[];
  readonly coParents: readonly BlanketMember[];
  /** Deterministic nodes between the latent and its children. */
  readonly through: readonly string[];
  readonly factors: readonly BlanketFactor[];
  /** Every node in the blanket (parents, children, co-parents), in dependency order. */
  readonly blanket: readonly string[];
}

export type MarkovBlankets = ReadonlyMap<string, MarkovBlanket>;

interface Expanded {
  elementwise: Set<string>;
  through: Set<string>;
}

type Expansion = Map<string, Expanded>;

/** Merges `from` (read through a mention elementwise along `mask`, via `via`) into `into`. */
function mergeExpansion(into: Expansion, from: Expansion, mask: ReadonlySet<string> | null, via: string | null): void {
  for (const [node, e] of from) {
    const ew = mask === null ? new Set(e.elementwise) : new Set([...e.elementwise].filter((p) => mask.has(p)));
    const prev = into.get(node);
    if (!prev) {
      const through = new Set(e.through);
      if (via !== null) through.add(via);
      into.set(node, { elementwise: ew, through });
    } else {
      for (const p of [...prev.elementwise]) if (!ew.has(p)) prev.elementwise.delete(p);
      for (const t of e.through) prev.through.add(t);
      if (via !== null) prev.through.add(via);
    }
  }
}

/**
 * Expansions of uses through deterministic nodes, memoised per let so that shared sub-graphs
 * (a chain of lets, or a let read twice) are expanded once: the cost is linear in the size of
 * the result, never exponential in the depth of the lets.
 */
class Expander {
  private readonly memo = new Map<string, Expansion>();
  private readonly active = new Set<string>();
  constructor(private readonly g: GraphCore) {}

  /** Given nodes and random nodes read by these uses, looking through lets. */
  uses(uses: readonly IrUse[]): Expansion {
    const out: Expansion = new Map();
    for (const u of uses) {
      const n = this.g.nodes.get(u.node);
      if (n && n.kind === "deterministic") {
        mergeExpansion(out, this.let(n.id), new Set(u.elementwise), n.id);
      } else {
        mergeExpansion(out, new Map([[u.node, { elementwise: new Set(u.elementwise), through: new Set() }]]), null, null);
      }
    }
    return out;
  }

  private let(id: string): Expansion {
    const hit = this.memo.get(id);
    if (hit) return hit;
    if (this.active.has(id)) return new Map(); // cycles are rejected before analysis; never loop
    this.active.add(id);
    const n = this.g.nodes.get(id)!;
    const out: Expansion = new Map();
    for (const d of n.definitions) mergeExpansion(out, this.uses(this.g.definitions.get(d)!.uses), null, null);
    this.active.delete(id);
    this.memo.set(id, out);
    return out;
  }
}

/** The stochastic and given nodes a factor reads, looking through lets. */
export function expandedUses(g: GraphCore, f: IrFactor, expander: Expander = new Expander(g)): Map<string, Expanded> {
  return expander.uses(f.uses);
}

interface Building {
  readonly parents: Members;
  readonly children: Members;
  readonly coParents: Members;
  readonly through: Set<string>;
  readonly factors: BlanketFactor[];
}

export function markovBlankets(g: GraphCore, order?: DependencyOrder): MarkovBlankets {
  const expander = new Expander(g);
  const position = new Map((order?.nodes ?? [...g.nodes.keys()]).map((id, i) => [id, i]));
  const building = new Map<string, Building>();
  for (const v of g.nodes.values()) {
    if (isRandom(v)) building.set(v.id, { parents: new Members(), children: new Members(), coParents: new Members(), through: new Set(), factors: [] });
  }
  /** Does `s` include every plate of `plates`? */
  const covers = (plates: readonly string[], s: ReadonlySet<string> | readonly string[]) => {
    const set = s instanceof Set ? s : new Set(s);
    return plates.every((p) => set.has(p));
  };

  // One pass over the factors: each factor is entered into the blanket of every random node it
  // reads (as a child or potential) and of its target (as the prior).
  for (const f of g.factors.values()) {
    const uses = expandedUses(g, f, expander);
    const scopeOf = (pv: readonly string[], node: string, factorElement: boolean): BlanketScope => {
      const n = g.nodes.get(node);
      const u = uses.get(node);
      return factorElement && n && covers(pv, n.plates) && (node === f.target || (u !== undefined && covers(pv, u.elementwise))) ? "element" : "all";
    };
    if (f.target !== null) {
      const b = building.get(f.target);
      if (b) {
        const pv = g.nodes.get(f.target)!.plates;
        const element = pv.length > 0 && covers(pv, f.plates);
        b.factors.push({ factor: f.id, role: "prior", scope: element ? "element" : "all" });
        for (const [node] of uses) if (node !== f.target) b.parents.add(node, scopeOf(pv, node, element));
      }
    }
    for (const [vid, mine] of uses) {
      if (vid === f.target) continue;
      const b = building.get(vid);
      if (!b) continue;
      const pv = g.nodes.get(vid)!.plates;
      const element = pv.length > 0 && covers(pv, mine.elementwise);
      for (const t of mine.through) b.through.add(t);
      if (f.target === null) {
        b.factors.push({ factor: f.id, role: "potential", scope: element ? "element" : "all" });
      } else {
        b.factors.push({ factor: f.id, role: "child", scope: element ? "element" : "all" });
        b.children.add(f.target, scopeOf(pv, f.target, element));
      }
      for (const [node] of uses) if (node !== vid && node !== f.target) b.coParents.add(node, scopeOf(pv, node, element));
    }
  }

  const byOrder = (a: string, b: string) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
  const factorPosition = new Map([...g.factors.keys()].map((id, i) => [id, i]));
  const out = new Map<string, MarkovBlanket>();
  for (const [id, b] of building) {
    const v = g.nodes.get(id)!;
    const blanket = [...new Set([...b.parents.ids(), ...b.children.ids(), ...b.coParents.ids()])].filter((x) => x !== id).sort(byOrder);
    // Priors first, then the rest in source order, as a reader expects.
    const factors = [...b.factors].sort((x, y) => (x.role === "prior" ? 0 : 1) - (y.role === "prior" ? 0 : 1) || factorPosition.get(x.factor)! - factorPosition.get(y.factor)!);
    out.set(id, {
      node: id,
      plates: [...v.plates],
      local: v.plates.length > 0,
      parents: b.parents.list(byOrder),
      children: b.children.list(byOrder),
      coParents: b.coParents.list(byOrder),
      through: [...b.through].sort(byOrder),
      factors,
      blanket,
    });
  }
  return out;
}

/** Members with their widest scope (a node read both per element and whole is read whole). */
class Members {
  private readonly scopes = new Map<string, BlanketScope>();
  add(node: string, scope: BlanketScope): void {
    const prev = this.scopes.get(node);
    this.scopes.set(node, prev === "all" || scope === "all" ? "all" : "element");
  }
  ids(): string[] {
    return [...this.scopes.keys()];
  }
  list(order: (a: string, b: string) => number): BlanketMember[] {
    return [...this.scopes.keys()].sort(order).map((node) => ({ node, scope: this.scopes.get(node)! }));
  }
}
