/**
 * From the flat unconstrained vector [S, D] to the constrained latent values the log joint takes,
 * through `bijectTo(constraint)` per latent, with the summed log |det J| [S].
 */
import * as tf from "@tensorflow/tfjs";
import { bijectTo, type Bijector, type ConstraintSpec as StdConstraint } from "../stdlib/index.js";
import type { LatentLayout } from "./target.js";

interface Piece {
  readonly layout: LatentLayout;
  readonly bijector: Bijector;
  /** Shape of one unconstrained draw ([] for a scalar). */
  readonly unconstrainedShape: number[];
}

export class LatentTransform {
  readonly dim: number;
  private readonly pieces: Piece[];

  constructor(latents: readonly LatentLayout[], dim: number) {
    this.dim = dim;
    this.pieces = latents
      .filter((l) => !l.discrete)
      .map((layout) => {
        const bijector = bijectTo(layout.constraint as StdConstraint);
        const batch = layout.shape.slice(0, layout.shape.length - bijector.eventRank);
        const event = layout.shape.slice(layout.shape.length - bijector.eventRank);
        const unconstrainedShape = [...batch, ...(bijector.eventRank > 0 ? bijector.inverseEventShape(event) : [])];
        const n = unconstrainedShape.reduce((a, b) => a * b, 1);
        if (n !== layout.unconstrainedSize) {
          throw new Error(`internal: latent '${layout.name}' has ${layout.unconstrainedSize} unconstrained values but its bijector ${bijector.name} needs ${n}`);
        }
        return { layout, bijector, unconstrainedShape };
      });
  }

  get latents(): readonly LatentLayout[] {
    return this.pieces.map((p) => p.layout);
  }

  /** Constrained values (each [S, ...shape]) and the summed log |det J| [S]. Caller owns all. */
  forward(z: tf.Tensor): { values: Map<string, tf.Tensor>; logDet: tf.Tensor } {
    const s = z.shape[0]!;
    // One tidy returning a list (kept tensors would escape every enclosing tidy, e.g. a gradient's).
    const out = tf.tidy(() => {
      let total: tf.Tensor = tf.zeros([s]);
      const vals: tf.Tensor[] = [];
      for (const p of this.pieces) {
        const u = tf.reshape(tf.slice(z, [0, p.layout.offset], [s, p.layout.unconstrainedSize]), [s, ...p.unconstrainedShape]);
        const { value, logDet } = p.bijector.forwardWithLogDet(u);
        vals.push(value);
        const ld = logDet.rank > 1 ? tf.sum(tf.reshape(logDet, [s, -1]), 1) : logDet;
        total = tf.add(total, ld);
      }
      return [total, ...vals];
    });
    const values = new Map<string, tf.Tensor>();
    this.pieces.forEach((p, i) => values.set(p.layout.name, out[i + 1]!));
    return { values, logDet: out[0]! };
  }

  /** Constrained values -> flat unconstrained [S, D]. */
  inverse(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor {
    return tf.tidy(() => {
      const parts = this.pieces.map((p) => {
        const x = values.get(p.layout.name);
        if (!x) throw new Error(`internal: no value for latent '${p.layout.name}'`);
        const u = p.bijector.inverse(x);
        return tf.reshape(u, [x.shape[0]!, p.layout.unconstrainedSize]);
      });
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    });
  }
}

/** Disposes every tensor of a map (values a caller owns). */
export function disposeValues(m: ReadonlyMap<string, tf.Tensor>): void {
  for (const t of m.values()) t.dispose();
}
