/** The log joint: graph IR + data -> log p(data, latents), vectorised over Monte Carlo samples. */
export type { AnalyticPrior, ElementAxis, ElementTerm, LatentLayout, FactorTerm, LogJointOptions, LogJoint, GuideProgram, GuideScoreMode } from "./types.js";
export { buildLogJoint, defaultLatentValues, type BuildLogJointOptions, type ModelLogJoint } from "./build.js";
export { latentLayouts, latentShape, unconstrainedCount } from "./layout.js";
export { Evaluator, EvalError, ConstantCache, gatherAxis, type EvalScope } from "./evaluator.js";
export { BUILTIN_RUNTIME, type BuiltinImpl, type BuiltinRuntimeContext } from "./builtins-runtime.js";
export { ParamNetwork, applyLatentNetwork, networkLayers, weightCount, activate, outputActivation, type LayerShape, type ApplyOptions } from "./networks.js";
export { LOGIT_FORMS, logitRewrite, type LogitRewrite, type LogitSource } from "./logit-forms.js";
export { factorLogProb, factorDistribution, factorTerm, potentialTerm, factoryOf } from "./factors.js";
export { align, elementwise, expandTo, sumToSample, type Value } from "./value.js";
export { LOGJOINT_CODES } from "./errors.js";
