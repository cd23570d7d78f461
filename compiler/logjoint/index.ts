/** The log joint: graph IR + data -> log p(data, latents), vectorised over Monte Carlo samples. */
export type { LatentLayout, FactorTerm, LogJointOptions, LogJoint } from "./types.js";
export { buildLogJoint, defaultLatentValues, type BuildLogJointOptions, type ModelLogJoint } from "./build.js";
export { latentLayouts, latentShape, unconstrainedCount } from "./layout.js";
export { Evaluator, EvalError, ConstantCache, gatherAxis, type EvalScope } from "./evaluator.js";
export { BUILTIN_RUNTIME, type BuiltinImpl, type BuiltinRuntimeContext } from "./builtins-runtime.js";
export { ParamNetwork, applyLatentNetwork, networkLayers, weightCount, activate, type LayerShape } from "./networks.js";
export { factorLogProb, factorTerm, potentialTerm, factoryOf } from "./factors.js";
export { align, elementwise, expandTo, sumToSample, type Value } from "./value.js";
export { LOGJOINT_CODES } from "./errors.js";
