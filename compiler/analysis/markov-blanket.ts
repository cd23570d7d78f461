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

/** The stochastic and given nodes a factor reads, looking through lets. */
export function expandedUses(g: GraphCore, f: IrFactor): Map<string, Expanded> {
  const out = new Map<string, Expanded>();
  const visit = (uses: readonly IrUse[], mask: Set<string> | null, through: readonly string[], depth: number) => {
    if (depth > g.nodes.size + 1) return; // cycles are rejected before analysis; never loop
    for (const u of uses) {
      const ew = new Set(u.elementwise.filter((p) => mask === null || mask.has(p)));
      const n = g.nodes.get(u.node);
      if (n && n.kind === "deterministic") {
        for (const d of n.definitions) visit(g.definitions.get(d)!.uses, ew, [...through, n.id], depth + 1);
        continue;
      }
      const prev = out.get(u.node);
      if (!prev) out.set(u.node, { elementwise: ew, through: new Set(through) });
      else {
        prev.elementwise = new Set([...prev.elementwise].filter((p) => ew.has(p)));
        for (const t of through) prev.through.add(t);
      }
    }
  };
  visit(f.uses, null, [], 0);
  return out;
}

export function markovBlankets(g: GraphCore, order?: DependencyOrder): MarkovBlankets {
  const expanded = new Map([...g.factors.values()].map((f) => [f.id, expandedUses(g, f)]));
  const position = new Map((order?.nodes ?? [...g.nodes.keys()]).map((id, i) => [id, i]));
  const out = new Map<string, MarkovBlanket>();

  for (const v of g.nodes.values()) {
    if (!isRandom(v)) continue;
    const pv = v.plates;
    const local = pv.length > 0;
    const covers = (s: Iterable<string>) => {
      const set = new Set(s);
      return pv.every((p) => set.has(p));
    };
    const parents = new Members();
    const children = new Members();
    const coParents = new Members();
    const through = new Set<string>();
    const factors: BlanketFactor[] = [];

    for (const f of g.factors.values()) {
      const uses = expanded.get(f.id)!;
      const scopeOf = (node: string, factorElement: boolean): BlanketScope => {
        const n = g.nodes.get(node);
        const u = uses.get(node);
        return factorElement && n && covers(n.plates) && (node === f.target || (u !== undefined && covers(u.elementwise))) ? "element" : "all";
      };
      if (f.target === v.id) {
        const element = local && covers(f.plates);
        factors.push({ factor: f.id, role: "prior", scope: element ? "element" : "all" });
        for (const [node] of uses) if (node !== v.id) parents.add(node, scopeOf(node, element));
        continue;
      }
      const mine = uses.get(v.id);
      if (!mine) continue;
      const element = local && covers(mine.elementwise);
      for (const t of mine.through) through.add(t);
      if (f.target === null) {
        factors.push({ factor: f.id, role: "potential", scope: element ? "element" : "all" });
      } else {
        factors.push({ factor: f.id, role: "child", scope: element ? "element" : "all" });
        children.add(f.target, scopeOf(f.target, element));
      }
      for (const [node] of uses) if (node !== v.id && node !== f.target) coParents.add(node, scopeOf(node, element));
    }

    const byOrder = (a: string, b: string) => (position.get(a) ?? 0) - (position.get(b) ?? 0);
    const blanket = [...new Set([...parents.ids(), ...children.ids(), ...coParents.ids()])].filter((id) => id !== v.id).sort(byOrder);
    out.set(v.id, {
      node: v.id,
      plates: [...pv],
      local,
      parents: parents.list(byOrder),
      children: children.list(byOrder),
      coParents: coParents.list(byOrder),
      through: [...through].sort(byOrder),
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
