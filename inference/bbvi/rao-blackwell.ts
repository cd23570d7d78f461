/**
 * Learning signals for the score-function estimator, Rao-Blackwellised over Markov blankets
 * (Ranganath et al., 2014, section 3.1): with a mean-field q, the gradient for element j of a
 * discrete latent only needs
 *
 *     f_j(z) = sum of the log-joint terms in z_j's Markov blanket, at z_j's elements - log q_j(z_j)
 *
 * because every other term is independent of z_j under q and its product with the score has
 * expectation zero. The blankets come from the graph (compiler/analysis/markov-blanket.ts): a
 * factor in the blanket "per element" contributes only its terms at z_j's plate index (the log
 * joint gives them element by element: logJointTermsByElement); one read "whole" contributes its
 * sum. Without a graph or per-element terms the signal is the whole log joint (still unbiased).
 */
import * as tf from "@tensorflow/tfjs";
import type { ElementTerm, GraphIR, IrNode } from "../../compiler/index.js";
import type { LatentLayout, LogJoint } from "../target.js";

function latentNode(graph: GraphIR, name: string): IrNode | undefined {
  for (const n of graph.nodes.values()) if (!n.inGuide && n.name === name && (n.kind === "latent" || n.kind === "network")) return n;
  return undefined;
}

/** Index in lj.terms of the prior (`name ~ ...`) of a latent, or -1. */
export function priorFactorIndex(lj: LogJoint, graph: GraphIR, name: string): number {
  const node = latentNode(graph, name);
  if (!node) return -1;
  const ids = new Set(node.factors);
  return lj.terms.findIndex((t) => ids.has(t.id));
}

/**
 * A term's contribution to each element of latent `l`, [S, ...l.shape]: its axes matched to the
 * latent's axes (by the target axis they score when `byTarget`, i.e. for the latent's own prior;
 * otherwise by plate), the unmatched ones summed, the latent's unmatched axes broadcast.
 */
export function elementsOf(term: ElementTerm, l: LatentLayout, graph: GraphIR, byTarget: boolean): tf.Tensor {
  const t = term.t;
  const s = t.shape[0]!;
  const axisPlates = latentNode(graph, l.name)?.axisPlates ?? [];
  const used = new Set<number>();
  const match = term.axes.map((a, i): number | null => {
    let k: number | null = null;
    if (byTarget) k = a.targetAxis;
    else if (a.plate !== null) {
      const idx = axisPlates.indexOf(a.plate);
      k = idx >= 0 ? idx : null;
    }
    if (k === null || used.has(k) || l.shape[k] !== t.shape[i + 1]) return null;
    used.add(k);
    return k;
  });
  const sumAxes = match.flatMap((k, i) => (k === null ? [i + 1] : []));
  let r = sumAxes.length > 0 ? tf.sum(t, sumAxes) : t;
  const kept = match.filter((k): k is number => k !== null);
  const order = kept.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i + 1);
  if (order.some((o, i) => o !== i + 1)) r = tf.transpose(r, [0, ...order]);
  r = tf.reshape(r, [s, ...l.shape.map((n, a) => (used.has(a) ? n : 1))]);
  return used.size === l.shape.length ? r : tf.add(r, tf.zeros([s, ...l.shape]));
}

/** How each log-joint term enters a latent's signal. */
export type TermUse = "target" | "element" | "whole" | "none";

/** For each discrete latent, how each term of lj.terms enters its signal (Rao-Blackwellisation). */
export function blanketUses(lj: LogJoint, graph: GraphIR | undefined, latents: readonly LatentLayout[], raoBlackwell: boolean): Map<string, TermUse[]> {
  const out = new Map<string, TermUse[]>();
  for (const l of latents) {
    const blanket = graph && raoBlackwell ? graph.analyses.markovBlankets.get(latentNode(graph, l.name)?.id ?? "") : undefined;
    if (!blanket || !lj.logJointTermsByElement) {
      out.set(l.name, lj.terms.map(() => "whole"));
      continue;
    }
    const node = latentNode(graph!, l.name)!;
    const uses: TermUse[] = lj.terms.map(() => "none");
    for (const bf of blanket.factors) {
      const i = lj.terms.findIndex((t) => t.id === bf.factor);
      if (i < 0) continue;
      const f = graph!.factors.get(bf.factor);
      if (bf.role === "prior") {
        // A prior that reads the latent itself (z[t] ~ f(z[t-1])) couples its elements: whole.
        const selfRead = f?.uses.some((u) => u.node === node.id) ?? true;
        uses[i] = selfRead ? "whole" : "target";
      } else uses[i] = bf.scope === "element" ? "element" : "whole";
    }
    out.set(l.name, uses);
  }
  return out;
}

/**
 * The learning signal of every element of latent `l`, [S, E], before its own -log q: the terms it
 * uses (element terms for "target"/"element", their sums for "whole"). Call inside a tidy.
 */
export function blanketSignal(terms: readonly ElementTerm[], uses: readonly TermUse[], l: LatentLayout, graph: GraphIR | undefined): tf.Tensor {
  const s = terms[0]?.t.shape[0] ?? 1;
  let acc: tf.Tensor = tf.zeros([s, l.size]);
  let whole: tf.Tensor | null = null;
  uses.forEach((u, i) => {
    const term = terms[i]!;
    if (u === "none") return;
    if (u === "whole" || !graph || term.axes.length === 0) {
      const sum = term.axes.length === 0 ? term.t : tf.sum(term.t, [...Array(term.t.rank - 1).keys()].map((k) => k + 1));
      whole = whole ? tf.add(whole, sum) : sum;
      return;
    }
    acc = tf.add(acc, tf.reshape(elementsOf(term, l, graph, u === "target"), [s, l.size]));
  });
  return whole ? tf.add(acc, tf.reshape(whole, [s, 1])) : acc;
}
