/**
 * Posterior predictive draws: each observed node drawn from its `~` statement's distribution at
 * given latent values, one draw per Monte Carlo sample: [S, ...node shape].
 *
 * A node is put back together from its statement when the statement's draws line up with the
 * node's elements: a whole-node target (`y ~ Normal(mu, sigma)`), or `y[i, j]` indexed by
 * vectorised loops over the full ranges, outermost first. Anything else (several statements for
 * one node, partial ranges, computed indices, loops run one iteration at a time) is reported as
 * skipped with the reason rather than guessed at.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../stdlib/index.js";
import type { DistributionSignature, SampleStmt } from "../lang.js";
import type { IrNode } from "../ir.js";
import { factorDistribution, factoryOf } from "./factors.js";
import { ownRank, type Value } from "./value.js";

interface LoopState {
  readonly from: number;
  readonly count: number;
  readonly frameAxis: number | null;
}

export class PredictiveCollector {
  /** Draws by node name, [S, ...shape]; owned by the collector's caller (made inside its tidy). */
  readonly draws = new Map<string, tf.Tensor>();
  /** Observed nodes without draws, and why. */
  readonly skipped = new Map<string, string>();
  private readonly seen = new Map<string, SampleStmt>();

  constructor(
    private readonly s: number,
    private readonly rng: Rng,
  ) {}

  collect(node: IrNode, stmt: SampleStmt, target: Value, sig: DistributionSignature, args: readonly Value[], loops: ReadonlyMap<object, LoopState>): void {
    const name = node.name;
    if (this.skipped.has(name)) return;
    const before = this.seen.get(name);
    if (before) {
      this.draws.get(name)?.dispose();
      this.draws.delete(name);
      this.skipped.set(name, before === stmt ? "its '~' runs once per loop iteration" : "it is the target of several '~' statements");
      return;
    }
    this.seen.set(name, stmt);
    const shape = node.shape.concrete;
    if (!shape) {
      this.skipped.set(name, "its shape is not known");
      return;
    }
    const why = this.lineUp(stmt, target, shape, loops);
    if (why) {
      this.skipped.set(name, why);
      return;
    }
    const draw = tf.tidy(() => tf.reshape(this.sample(sig, target, args), [this.s, ...shape]));
    this.draws.set(name, draw);
  }

  /** Why the statement's draws do not line up with the node's elements (undefined: they do). */
  private lineUp(stmt: SampleStmt, target: Value, shape: readonly number[], loops: ReadonlyMap<object, LoopState>): string | undefined {
    const t = stmt.target;
    if (t.kind === "Identifier") return target.frame === 0 ? undefined : "its target is not the whole variable";
    if (t.kind !== "Index") return "its target is not the variable or the variable indexed by loop variables";
    // y[i, j]: the k-th index must be the loop on frame axis k, over the node's whole k-th axis.
    const vectorised = [...loops.values()].filter((l) => l.frameAxis !== null).sort((a, b) => a.frameAxis! - b.frameAxis!);
    const k = target.frame - 1;
    if (k < 1 || vectorised.length !== k) return "its target's indices are not the enclosing loops' variables";
    for (let a = 0; a < k; a++) {
      const l = vectorised[a]!;
      if (l.frameAxis !== a + 1 || l.from !== 0 || l.count !== shape[a]) return `loop ${a + 1} does not run over the whole of axis ${a} (0..${shape[a]})`;
    }
    if (t.indices.length !== k) return "its target's indices are not the enclosing loops' variables";
    const own = target.t.shape.slice(target.frame);
    if (own.join(",") !== shape.slice(k).join(",")) return "its target's indices are not the enclosing loops' variables";
    return undefined;
  }

  /** S draws of the statement, lined up as the target padded to the frame: [S, ...]. */
  private sample(sig: DistributionSignature, target: Value, args: readonly Value[]): tf.Tensor {
    const { dist, frame } = factorDistribution(sig, target.frame, ownRank(target), args);
    const e = sig.eventRank;
    const targetBatch = target.t.shape.slice(0, target.t.rank - e);
    // Frame axes of the target go first; its own batch axes right-align with the distribution's.
    const padded = target.frame === 0 ? [...Array(frame).fill(1), ...targetBatch] : targetBatch;
    const full = tf.broadcast_util.assertAndGetBroadcastShape([...dist.batchShape], padded);
    let d = dist;
    if (full.join(",") !== dist.batchShape.join(",")) {
      // Broadcast the parameters so every element gets its own draw.
      const named: Record<string, tf.Tensor> = {};
      for (const p of sig.params) {
        const x = dist.params[p.name]!;
        named[p.name] = tf.broadcastTo(x, [...full, ...x.shape.slice(dist.batchShape.length)]);
      }
      d = factoryOf(sig.name).create(named as never, { validate: false });
    }
    if (frame === 0 || full[0] !== this.s) {
      // No sample axis yet (the statement does not depend on the latents) or a size-1 one.
      const x = d.sample([this.s], this.rng);
      return frame === 0 ? x : tf.reshape(x, [this.s, ...x.shape.slice(2)]);
    }
    return d.sample([], this.rng);
  }
}
