/**
 * Network nodes at run time: `param decoder: MLP(20 -> 400 -> 784, hidden: relu, out: sigmoid)`
 * is a stack of affine layers x W + b, each followed by its activation.
 *
 * - A `param` network owns its weights as tf.Variables (`decoder.W0`, `decoder.b0`, ...), Glorot
 *   (tanh, sigmoid, linear) or He (relu-like) initialised from a seed, biases zero.
 * - A `latent` network (a Bayesian network) has no variables: its weights are one latent of flat
 *   size `weightCount` (W0 row-major, b0, W1, b1, ...), given per Monte Carlo sample as [S, n],
 *   and the network is applied per sample with batched products.
 *
 * Products go through the project's `matmul` (explicit transposes, 2-D folding): never tf.fused.
 */
import * as tf from "@tensorflow/tfjs";
import { matmul, Rng, softplus, stopGradient } from "../../stdlib/index.js";
import type { NetworkInfo } from "../ir.js";
import { asFloat, type Value } from "./value.js";

export interface LayerShape {
  readonly inSize: number;
  readonly outSize: number;
  /** Offsets of W and b in the flat weight vector of a latent network. */
  readonly wOffset: number;
  readonly bOffset: number;
}

/** Layer sizes and offsets of a network with concrete sizes. */
export function networkLayers(info: NetworkInfo, name: string): LayerShape[] {
  const sizes = info.concreteLayers;
  if (!sizes) throw new Error(`network '${name}' has sizes that are not known (${info.layers.map((d) => (d.kind === "const" ? d.value : d.kind === "sym" ? d.name : "?")).join(" -> ")})`);
  const layers: LayerShape[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inSize = sizes[l]!;
    const outSize = sizes[l + 1]!;
    layers.push({ inSize, outSize, wOffset: off, bOffset: off + inSize * outSize });
    off += inSize * outSize + outSize;
  }
  return layers;
}

/** Total number of weights and biases. */
export function weightCount(info: NetworkInfo, name: string): number {
  const layers = networkLayers(info, name);
  const last = layers[layers.length - 1];
  return last ? last.bOffset + last.outSize : 0;
}

/** The activations a layer may end with, by name (`linear`/`identity` = none). */
const ACTIVATIONS: Readonly<Record<string, (x: tf.Tensor) => tf.Tensor>> = {
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softplus: (x) => softplus(x),
  elu: (x) => tf.elu(x),
  elu_plus_one: (x) => tf.add(tf.elu(x), 1),
  leaky_relu: (x) => tf.leakyRelu(x, 0.01),
  exp: (x) => tf.exp(x),
  softmax: (x) => tf.softmax(x),
  linear: (x) => x,
  identity: (x) => x,
};

/** The activation after a layer. */
export function activate(name: string, x: tf.Tensor): tf.Tensor {
  const f = ACTIVATIONS[name];
  if (!f) throw new Error(`unknown activation '${name}'`);
  return f(x);
}

function activationOf(info: NetworkInfo, layer: number, count: number): string {
  const last = layer === count - 1;
  return last ? outputActivation(info) : info.activations["hidden"] ?? "relu";
}

/** The activation of a network's last layer ("linear" when none is given). */
export function outputActivation(info: NetworkInfo): string {
  return info.activations["out"] ?? info.activations["output"] ?? "linear";
}

/**
 * How a network is applied: `raw` leaves out the last layer's activation (its pre-activations:
 * the logits a Bernoulli of a sigmoid network reads); `stop` holds the weights constant (a guide's
 * density under sticking the landing).
 */
export interface ApplyOptions {
  readonly raw?: boolean;
  readonly stop?: boolean;
}

const RELU_LIKE = new Set(["relu", "elu", "leaky_relu", "elu_plus_one"]);

/**
 * tfjs registers variables by name, globally: a second log joint of the same model alive at the
 * same time (a loaded fit beside the fitted one) would collide. The plain name while it is free,
 * else the name with a counter.
 */
export function freeVariableName(name: string): string {
  const taken = tf.engine().registeredVariables;
  if (!(name in taken)) return name;
  for (let i = 2; ; i++) if (!(`${name}#${i}` in taken)) return `${name}#${i}`;
}

/** A `param` network: its layers as variables. */
export class ParamNetwork {
  readonly layers: LayerShape[];
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];

  constructor(
    readonly name: string,
    readonly info: NetworkInfo,
    seed: number,
  ) {
    this.layers = networkLayers(info, name);
    const rng = new Rng(seed);
    this.layers.forEach((ls, l) => {
      const act = activationOf(info, l, this.layers.length);
      const n = ls.inSize * ls.outSize;
      const w = new Float32Array(n);
      if (RELU_LIKE.has(act) || (l < this.layers.length - 1 && RELU_LIKE.has(info.activations["hidden"] ?? "relu"))) {
        const sd = Math.sqrt(2 / ls.inSize); // He
        for (let i = 0; i < n; i++) w[i] = sd * rng.nextNormal();
      } else {
        const a = Math.sqrt(6 / (ls.inSize + ls.outSize)); // Glorot uniform
        for (let i = 0; i < n; i++) w[i] = a * (2 * rng.nextUniform() - 1);
      }
      this.weights.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [ls.inSize, ls.outSize]), true, freeVariableName(`${name}.W${l}`))));
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([ls.outSize]), true, freeVariableName(`${name}.b${l}`))));
    });
  }

  /** The variables by name, for the optimiser. */
  variables(): [string, tf.Variable][] {
    return this.layers.flatMap((_, l) => [
      [`${this.name}.W${l}`, this.weights[l]!] as [string, tf.Variable],
      [`${this.name}.b${l}`, this.biases[l]!] as [string, tf.Variable],
    ]);
  }

  /** Applies the network to the last own axis of `x` (frame axes fold into the product's rows). */
  apply(x: Value, options: ApplyOptions = {}): Value {
    let h = asFloat(x.t);
    const count = this.layers.length;
    const p = (v: tf.Variable): tf.Tensor => (options.stop ? stopGradient(v) : v);
    for (let l = 0; l < count; l++) {
      const pre = tf.add(matmul(h, p(this.weights[l]!)), p(this.biases[l]!));
      h = options.raw && l === count - 1 ? pre : activate(activationOf(this.info, l, count), pre);
    }
    return { t: h, frame: x.frame };
  }

  dispose(): void {
    for (const v of [...this.weights, ...this.biases]) v.dispose();
  }
}

/**
 * A latent network applied with weights given per sample: `weights` [S, n] (frame 1). The input
 * may be data (frame 0, shared by all samples) or framed ([S or 1, ..., in]).
 */
export function applyLatentNetwork(info: NetworkInfo, name: string, weights: Value, x: Value, options: ApplyOptions = {}): Value {
  const layers = networkLayers(info, name);
  const w = asFloat(weights.t);
  const s = w.shape[0]!;
  const xt = asFloat(x.t);
  const inSize = xt.shape[xt.rank - 1]!;
  // Rows of the input: [S or 1, M, in], M = everything but the frame's S axis and the last axis.
  const lead = xt.shape.slice(x.frame === 0 ? 0 : 1, -1);
  const m = lead.reduce((p, n) => p * n, 1);
  const xs = x.frame === 0 ? 1 : xt.shape[0]!;
  let h: tf.Tensor = xs === 1 ? tf.reshape(xt, [m, inSize]) : tf.reshape(xt, [xs, m, inSize]);
  const count = layers.length;
  for (let l = 0; l < count; l++) {
    const ls = layers[l]!;
    const W = tf.reshape(tf.slice(w, [0, ls.wOffset], [s, ls.inSize * ls.outSize]), [s, ls.inSize, ls.outSize]);
    const b = tf.reshape(tf.slice(w, [0, ls.bOffset], [s, ls.outSize]), [s, 1, ls.outSize]);
    // [M, in] @ [S, in, out] folds S into the columns of one 2-D product; [S, M, in] @ [S, in, out] is batched.
    const pre = tf.add(matmul(h, W), b);
    h = options.raw && l === count - 1 ? pre : activate(activationOf(info, l, count), pre);
  }
  const outSize = layers[count - 1]!.outSize;
  // Back to [S, (frame axes after S).., own lead.., out]
  const frameRest = x.frame > 1 ? xt.shape.slice(1, x.frame) : [];
  const ownLead = xt.shape.slice(Math.max(x.frame, 0), -1);
  const shape = x.frame === 0 ? [s, ...ownLead, outSize] : [s, ...frameRest, ...ownLead, outSize];
  return { t: tf.reshape(h, shape), frame: Math.max(1, x.frame) };
}
