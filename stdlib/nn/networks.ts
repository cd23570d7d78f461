/**
 * Network types a `param` or `latent` can have: `MLP(20 -> 400 -> 784, hidden: relu, out: sigmoid)`.
 * Structurally a language `NetworkSignature`; the layers themselves come later in this folder.
 */

/** Activations a hidden layer may use. `identity` is another name for `linear`. */
export const HIDDEN_ACTIVATIONS = ["relu", "tanh", "sigmoid", "softplus", "elu", "leaky_relu", "linear", "identity"] as const;
/** The output layer may also normalise to a probability vector. */
export const OUTPUT_ACTIVATIONS = [...HIDDEN_ACTIVATIONS, "softmax"] as const;

export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];

export interface NetworkOption {
  readonly values?: readonly string[];
  readonly type?: "int" | "real";
  readonly default?: string | number;
}

export interface NetworkDefinition {
  readonly name: string;
  /** Fewest sizes in the arrow chain (input and output at least). */
  readonly minLayers: number;
  readonly maxLayers?: number;
  readonly options: Readonly<Record<string, NetworkOption>>;
  readonly doc: string;
}

export function defineNetwork<const N extends NetworkDefinition>(def: N): Readonly<N> {
  if (def.minLayers < 2 || (def.maxLayers !== undefined && def.maxLayers < def.minLayers)) {
    throw new Error(`stdlib network ${def.name}: bad layer counts ${def.minLayers}..${def.maxLayers ?? "any"}`);
  }
  for (const [name, o] of Object.entries(def.options)) {
    if (o.default !== undefined && o.values && !o.values.includes(String(o.default))) {
      throw new Error(`stdlib network ${def.name}: option '${name}' defaults to '${o.default}', not one of its values`);
    }
  }
  return Object.freeze(def);
}

export const MLP = defineNetwork({
  name: "MLP",
  minLayers: 2,
  options: {
    hidden: { values: HIDDEN_ACTIVATIONS, default: "relu" },
    out: { values: OUTPUT_ACTIVATIONS, default: "linear" },
  },
  doc: "MLP(in -> h1 -> ... -> out, hidden: relu, out: linear): a fully connected network; `hidden` is the activation after every hidden layer, `out` after the last.",
});

export const Linear = defineNetwork({
  name: "Linear",
  minLayers: 2,
  maxLayers: 2,
  options: {
    out: { values: OUTPUT_ACTIVATIONS, default: "linear" },
  },
  doc: "Linear(in -> out, out: linear): one affine layer x W + b, optionally followed by an activation.",
});

export const networks = [MLP, Linear] as const;

export const networkRegistry: ReadonlyMap<string, NetworkDefinition> = new Map(networks.map((n) => [n.name, n as NetworkDefinition]));
