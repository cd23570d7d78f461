/**
 * The modules a `.ppl` file can import from, and the names each exports:
 * `import { MLP } from "stdlib/nn"`. The type checker reads this map (through
 * `stdlibSignatures()`) to resolve imports and to suggest the right module for a name.
 */
import { distributions } from "./distributions/index.js";
import { networks } from "./nn/networks.js";

/**
 * Math functions, also available without an import; importing them from "stdlib/math" only
 * makes the dependency explicit.
 */
export const MATH_FUNCTIONS = [
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "square",
  "abs",
  "pow",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "logit",
  "softplus",
  "softmax",
  "log_softmax",
  "logsumexp",
  "lgamma",
  "digamma",
  "sum",
  "mean",
  "prod",
  "min",
  "max",
  "dot",
  "ones",
  "zeros",
  "one_hot",
  "concat",
] as const;

export const INFO_FUNCTIONS = ["entropy", "crossEntropy", "klDivergence", "mutualInformation"] as const;

export const stdlibModules: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ["stdlib/distributions", distributions.map((d) => d.name)],
  ["stdlib/nn", networks.map((n) => n.name)],
  ["stdlib/math", MATH_FUNCTIONS],
  ["stdlib/vae", ["VAE"]],
  ["stdlib/cvae", ["CVAE"]],
  ["stdlib/bnn", ["BNN"]],
  ["stdlib/info", INFO_FUNCTIONS],
]);
