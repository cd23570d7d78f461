export {
  HIDDEN_ACTIVATIONS,
  OUTPUT_ACTIVATIONS,
  Linear,
  MLP,
  defineNetwork,
  networkRegistry,
  networks,
  type HiddenActivation,
  type NetworkDefinition,
  type NetworkOption,
  type OutputActivation,
} from "./networks.js";
