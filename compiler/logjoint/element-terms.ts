/**
 * Per-element log-joint terms: a term of a plate-vectorised `~` (or `factor(...)`) before it is
 * summed over its plates, with each axis labelled by the plate it runs over and the axis of the
 * target it scores. Score-function gradients need these to be Rao-Blackwellised element by element
 * (Ranganath et al., 2014): element n of a local latent only needs the terms of its Markov blanket
 * that touch element n.
 *
 * A term is available element by element when every loop around its statement is vectorised (a
 * loop iterated in JS adds the term once per iteration, so the elements are already summed); then
 * its tensor is [S, ...loop sizes, ...own batch axes], broadcast to full size.
 */
import * as tf from "@tensorflow/tfjs";
import type { Expr } from "../lang.js";
import type { IrFactor } from "../ir.js";
import type { ElementAxis, ElementTerm } from "./types.js";
import { broadcastIfNeeded, ownRank, withFrame, type Value } from "./value.js";

export type { ElementAxis, ElementTerm } from "./types.js";

/** A loop around the statement: its frame axis (null when iterated in JS) and its count. */
export interface LoopFrame {
  readonly frameAxis: number | null;
  readonly count: number;
}

/** Node axes left as own axes of a target expression (`x` all of them; `x[i, :]` the sliced ones). */
function ownNodeAxes(target: Expr | null, rank: number): (number | null)[] {
  if (!target) return [];
  if (target.kind === "Identifier") return [...Array(rank).keys()];
  if (target.kind !== "Index") return Array(rank).fill(null);
  const out: number[] = [];
  target.indices.forEach((ix, a) => {
    if (ix.kind === "Slice") out.push(a);
  });
  // Axes after the last index are kept whole.
  const nodeRank = target.indices.length + Math.max(0, rank - out.length);
  for (let a = target.indices.length; a < nodeRank; a++) out.push(a);
  return out.length === rank ? out : Array(rank).fill(null);
}

/**
 * The element term of factor `f` from its log density element by element (`lp`, framed), or null
 * when its elements cannot be lined up with plates. `target` is the `~` target's value (null for
 * a potential), `eventRank` the distribution's. Call inside a tidy.
 */
export function elementTerm(f: IrFactor, lp: Value, target: Value | null, eventRank: number, loops: readonly LoopFrame[], s: number, scale = 1): ElementTerm | null {
  if (loops.some((l) => l.frameAxis === null)) return null;
  const nLoops = loops.length;
  if (f.plates.length < nLoops) return null;
  const frame = 1 + nLoops;
  if (lp.frame > frame) return null;
  let t = withFrame({ t: lp.t.dtype === "float32" ? lp.t : tf.cast(lp.t, "float32"), frame: lp.frame }, frame);
  const own = t.shape.slice(frame);
  t = broadcastIfNeeded(t, [s, ...loops.map((l) => l.count), ...own]);
  if (scale !== 1) t = tf.mul(t, scale);
  const axisOfPlate = (p: string): number | null => {
    const a = f.targetAxes.indexOf(p);
    return a >= 0 ? a : null;
  };
  const axes: ElementAxis[] = [];
  for (let i = 0; i < nLoops; i++) {
    const p = f.plates[i]!;
    axes.push({ plate: p, targetAxis: target ? axisOfPlate(p) : null });
  }
  const targetBatch = target ? Math.max(0, ownRank(target) - eventRank) : 0;
  const extra = own.length - targetBatch;
  const nodeAxes = target ? ownNodeAxes(f.targetExpr, ownRank(target)).slice(0, targetBatch) : [];
  const vec = f.plates.slice(nLoops);
  for (let j = 0; j < own.length; j++) {
    const k = j - extra;
    if (!target || k < 0) {
      axes.push({ plate: null, targetAxis: null });
      continue;
    }
    axes.push({ plate: k < vec.length ? vec[k]! : null, targetAxis: nodeAxes[k] ?? null });
  }
  return { t, axes };
}
