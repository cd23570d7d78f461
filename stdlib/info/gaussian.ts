/**
 * Mutual information between blocks of a Gaussian vector, from its covariance:
 *   I(X; Y) = 1/2 [log det S_xx + log det S_yy - log det S_(x,y)],
 * S_(x,y) the covariance of the two blocks together. Blocks are picked with constant 0/1
 * matrices (no gather), so the value is differentiable in the covariance.
 */
import * as tf from "@tensorflow/tfjs";
import { logDetSpd } from "../tensor/linalg.js";
import { matmul } from "../tensor/matmul.js";

export interface GaussianBlocks {
  /** Coordinates of X; default [0]. */
  readonly x?: readonly number[];
  /** Coordinates of Y; default every coordinate not in x. */
  readonly y?: readonly number[];
}

function selector(idx: readonly number[], k: number): tf.Tensor2D {
  const s = new Float32Array(idx.length * k);
  idx.forEach((j, r) => (s[r * k + j] = 1));
  return tf.tensor2d(s, [idx.length, k]);
}

/** Checks and completes the blocks for a k-dimensional vector. */
export function resolveBlocks(k: number, blocks: GaussianBlocks, owner: string): { x: number[]; y: number[] } {
  const x = [...(blocks.x ?? [0])];
  const y = blocks.y ? [...blocks.y] : [...Array(k).keys()].filter((i) => !x.includes(i));
  for (const [what, idx] of [
    ["x", x],
    ["y", y],
  ] as const) {
    if (idx.length === 0) throw new RangeError(`${owner}: option '${what}' names no coordinates`);
    for (const i of idx) {
      if (!Number.isInteger(i) || i < 0 || i >= k) throw new RangeError(`${owner}: option '${what}' has coordinate ${i}, but the vector has ${k}`);
    }
    if (new Set(idx).size !== idx.length) throw new RangeError(`${owner}: option '${what}' repeats a coordinate`);
  }
  if (x.some((i) => y.includes(i))) throw new RangeError(`${owner}: options 'x' and 'y' must not share coordinates`);
  return { x, y };
}

/** I(X; Y) in nats for a covariance [..., k, k] (batch axes kept). */
export function gaussianMutualInformationNats(cov: tf.Tensor, blocks: GaussianBlocks, owner = "mutualInformation"): tf.Tensor {
  const k = cov.shape[cov.rank - 1]!;
  if (cov.rank < 2 || cov.shape[cov.rank - 2] !== k) {
    throw new RangeError(`${owner}: the covariance must be a square matrix (or a batch of them), got shape [${cov.shape.join(", ")}]`);
  }
  const { x, y } = resolveBlocks(k, blocks, owner);
  return tf.tidy(() => {
    const block = (idx: readonly number[]) => {
      const s = selector(idx, k);
      return matmul(matmul(s, cov), s, { transposeB: true });
    };
    const hx = logDetSpd(block(x));
    const hy = logDetSpd(block(y));
    const hxy = logDetSpd(block([...x, ...y]));
    return tf.relu(tf.mul(tf.sub(tf.add(hx, hy), hxy), 0.5));
  });
}
