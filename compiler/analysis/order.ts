/**
 * Dependency order: every node after the nodes it depends on, ties broken by declaration order
 * (so the order is deterministic and reads like the source). Factors follow their targets; a
 * potential follows the last node it mentions. The guide's factors are ordered the same way
 * among themselves (a guide factor that uses another latent comes after that latent's factor).
 */
import type { GraphCore, IrFactor } from "../ir.js";
import { topoSort } from "./toposort.js";

export interface DependencyOrder {
  /** Model nodes, parents first. */
  readonly nodes: readonly string[];
  /** Model factors in an order that ancestral sampling can follow. */
  readonly factors: readonly string[];
  /** Guide factors in sampling order (empty without a guide). */
  readonly guideFactors: readonly string[];
  /** Guide nodes (params, networks, lets) in dependency order. */
  readonly guideNodes: readonly string[];
}

export function dependencyOrder(g: GraphCore): DependencyOrder {
  const ids = [...g.nodes.keys()];
  const { order: nodes } = topoSort(ids, (id) => g.nodes.get(id)!.parents);
  const position = new Map(nodes.map((id, i) => [id, i]));
  const factorList = [...g.factors.values()];
  const rank = (f: IrFactor): number => {
    if (f.target !== null) return position.get(f.target) ?? Infinity;
    // A potential: just after the last node it mentions.
    return Math.max(-1, ...f.uses.map((u) => position.get(u.node) ?? -1)) + 0.5;
  };
  const factors = factorList
    .map((f, i) => ({ f, i, r: rank(f) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.f.id);

  let guideFactors: string[] = [];
  let guideNodes: string[] = [];
  if (g.guide) {
    const guide = g.guide;
    // Items: guide factors and guide nodes; a factor depends on the guide factors of the latents
    // it uses and on the guide nodes it uses; a guide let on what its definitions use.
    const items = [...guide.nodes.keys(), ...guide.factors.keys()];
    const depsOfUses = (uses: readonly { node: string }[]) =>
      uses.flatMap((u) => (guide.nodes.has(u.node) ? [u.node] : [...(guide.targets.get(u.node) ?? [])]));
    const deps = (id: string): string[] => {
      const f = guide.factors.get(id);
      if (f) return depsOfUses(f.uses);
      const n = guide.nodes.get(id)!;
      return n.definitions.flatMap((d) => depsOfUses(guide.definitions.get(d)!.uses));
    };
    const { order } = topoSort(items, deps);
    const ordered = order.length === items.length ? order : items;
    guideFactors = ordered.filter((id) => guide.factors.has(id));
    guideNodes = ordered.filter((id) => guide.nodes.has(id));
  }
  return { nodes, factors, guideFactors, guideNodes };
}
