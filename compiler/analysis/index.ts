/**
 * The analyses over the graph IR, as an explicit registry: each pass has a name (its key in the
 * graph's `analyses` bundle), the passes it reads, and a pure `run`. `attachAnalyses` runs them
 * in list order and freezes the bundle onto the graph.
 *
 * Adding an analysis (conjugacy, then backend choice, are next): write `analysis/<name>.ts`,
 * add its result type to `GraphAnalyses` below and its pass to `ANALYSIS_PASSES` after the
 * passes it requires.
 */
import type { GraphCore, GraphIR } from "../ir.js";
import { dependencyOrder, type DependencyOrder } from "./order.js";
import { markovBlankets, type MarkovBlankets } from "./markov-blanket.js";
import { conjugacy, type Conjugacy } from "./conjugacy.js";

export interface GraphAnalyses {
  /** Topological order of nodes and factors (stable by source order). */
  readonly order: DependencyOrder;
  /** Per random node: parents, children, co-parents and the factors that mention it. */
  readonly markovBlankets: MarkovBlankets;
  /** Per latent: is its prior conjugate to every factor it appears in (and if not, which factor breaks it). */
  readonly conjugacy: Conjugacy;
  // backend: the inference method `auto` picks, with its reason (later issue)
}

export type AnalysisName = keyof GraphAnalyses;

export interface AnalysisPass<K extends AnalysisName> {
  readonly name: K;
  readonly description: string;
  /** Analyses this one reads; they must come earlier in ANALYSIS_PASSES. */
  readonly requires: readonly AnalysisName[];
  run(graph: GraphCore, done: Partial<GraphAnalyses>): GraphAnalyses[K];
}

export type AnyAnalysisPass = { [K in AnalysisName]: AnalysisPass<K> }[AnalysisName];

export const ANALYSIS_PASSES: readonly AnyAnalysisPass[] = [
  {
    name: "order",
    description: "dependency order of nodes and factors",
    requires: [],
    run: (g) => dependencyOrder(g),
  },
  {
    name: "markovBlankets",
    description: "Markov blanket and blanket factors of each latent",
    requires: ["order"],
    run: (g, done) => markovBlankets(g, done.order),
  },
  {
    name: "conjugacy",
    description: "conjugate-exponential structure of each latent (what CAVI can update in closed form)",
    requires: [],
    run: (g) => conjugacy(g),
  },
];

/**
 * The analyses bundle. Each analysis runs on first access and is remembered: `vippl check` never
 * pays for the Markov blankets, a backend that needs them computes them once.
 */
export function runAnalyses(graph: GraphCore, passes: readonly AnyAnalysisPass[] = ANALYSIS_PASSES): GraphAnalyses {
  const done: Record<string, unknown> = {};
  const bundle = {} as Record<string, unknown>;
  const byName = new Map(passes.map((p) => [p.name as string, p]));
  const get = (name: string): unknown => {
    if (name in done) return done[name];
    const pass = byName.get(name);
    if (!pass) throw new Error(`analysis '${name}' is not registered`);
    const deps: Record<string, unknown> = {};
    for (const r of pass.requires) {
      if (passes.findIndex((p) => p.name === r) > passes.indexOf(pass)) throw new Error(`analysis '${pass.name}' requires '${r}', which is registered after it`);
      deps[r] = get(r);
    }
    done[name] = (pass.run as (g: GraphCore, d: Partial<GraphAnalyses>) => unknown)(graph, deps as Partial<GraphAnalyses>);
    return done[name];
  };
  for (const pass of passes) {
    for (const r of pass.requires) {
      if (!byName.has(r)) throw new Error(`analysis '${pass.name}' requires '${r}', which is not registered`);
    }
    Object.defineProperty(bundle, pass.name, { enumerable: true, get: () => get(pass.name) });
  }
  return Object.freeze(bundle) as unknown as GraphAnalyses;
}

/** The graph with its analyses bundle. */
export function attachAnalyses(graph: GraphCore): GraphIR {
  return Object.freeze({ ...graph, analyses: runAnalyses(graph) });
}

export { dependencyOrder, type DependencyOrder } from "./order.js";
export { markovBlankets, expandedUses, type MarkovBlanket, type MarkovBlankets, type BlanketMember, type BlanketFactor, type BlanketScope } from "./markov-blanket.js";
export { conjugacy, CONSTANT_FUNCTIONS, type Conjugacy, type ConjugateFactor, type LatentConjugacy, type ArgForm } from "./conjugacy.js";
export { validateGraph } from "./validate.js";
export { topoSort } from "./toposort.js";
