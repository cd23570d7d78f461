/**
 * The latents as the backends see them: in dependency order, each continuous one with its place
 * in the flat unconstrained vector (sizes from the stdlib bijector of its constraint: a simplex
 * of K takes K-1 reals, a Cholesky factor n(n+1)/2), discrete ones flagged with no place.
 * A latent network is one latent of shape [weight count], constraint real.
 */
import { bijectTo, constraintEventRank } from "../../stdlib/index.js";
import type { ConstraintSpec } from "../lang.js";
import { isRandom, type GraphIR, type IrNode } from "../ir.js";
import type { LatentLayout } from "./types.js";
import { weightCount } from "./networks.js";

const prod = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

/** Concrete shape of one draw of a random node. */
export function latentShape(node: IrNode, sizes?: ReadonlyMap<string, number>): number[] {
  if (node.kind === "network" && node.network) return [weightCount(node.network, node.name)];
  const c = node.shape.concrete;
  if (!c) {
    throw new Error(`latent '${node.name}' has a shape that depends on sizes not known from the data${sizes ? ` (known: ${[...sizes.keys()].join(", ")})` : ""}`);
  }
  return [...c];
}

/** Number of unconstrained reals one draw of a continuous latent takes. */
export function unconstrainedCount(shape: readonly number[], constraint: ConstraintSpec): number {
  const e = constraintEventRank(constraint);
  if (e === 0) return prod(shape);
  const batch = shape.slice(0, shape.length - e);
  const event = shape.slice(shape.length - e);
  return prod(batch) * prod(bijectTo(constraint).inverseEventShape(event));
}

/** Layouts of every random node, in dependency order (graph.analyses.order). */
export function latentLayouts(graph: GraphIR): LatentLayout[] {
  const out: LatentLayout[] = [];
  let offset = 0;
  for (const id of graph.analyses.order.nodes) {
    const node = graph.nodes.get(id);
    if (!node || !isRandom(node)) continue;
    const shape = latentShape(node, graph.sizes);
    const size = prod(shape);
    const constraint: ConstraintSpec = node.kind === "network" ? { kind: "real" } : node.constraint;
    const discrete = node.discrete || constraint.kind === "integer" || constraint.kind === "boolean";
    const unconstrainedSize = discrete ? 0 : unconstrainedCount(shape, constraint);
    out.push(
      Object.freeze({
        name: node.name,
        shape: Object.freeze(shape),
        size,
        constraint,
        discrete,
        offset: discrete ? 0 : offset,
        unconstrainedSize,
        span: node.span,
      }),
    );
    if (!discrete) offset += unconstrainedSize;
  }
  return out;
}
