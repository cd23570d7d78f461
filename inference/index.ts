/** The public surface of inference/: fit a log joint, read the result, the method registry. */
export { fit } from "./fit.js";
export type { FitTarget, MethodContext, MethodOutcome, MethodRunner } from "./method.js";
export { approximationFromState, approximationFamilies, APPROXIMATION_KINDS, GaussianApproximation, CustomApproximation, type Approximation, type ApproximationState, type ApproximationDraws, type ApproximationKind, type ApproximationContext } from "./approximation/index.js";
export { drawPosterior } from "./draws.js";
export { FitResult, summarise, type SummaryRow, type SavedFit, type FitDiagnostics, type SavedLayout } from "./result.js";
export { validateOptions, OPTION_NAMES, DEFAULT_OPTIONS, type FitOptions, type ResolvedOptions, type ProgressInfo, type CheckpointOptions, type FamilyName, type GuideFamily, type EntropyMode, type EstimatorName, type InitMode } from "./options.js";
export { METHODS, METHOD_NAMES, resolveMethod, modelFeatures, graphFeatures, type MethodInfo, type MethodCapabilities, type ModelFeatures } from "./registry.js";
export { INFERENCE_CODES } from "./errors.js";
export { paretoK, fitGeneralisedPareto, type ParetoDiagnostic, type ParetoVerdict } from "./psis.js";
export { LatentTransform } from "./transform.js";
export { elboSurrogate, logWeights, type ElboSettings, type ElboModel } from "./elbo.js";
export { makeGuide, guideFromState, MeanFieldGuide, FullRankGuide, LowRankGuide, CustomGuide, type Guide, type GuideInit, type GuideState } from "./guide/index.js";
export { adviInit, adviStep, adviFinalise, adviDispose, adviCheckpoint, adviResume, type AdviConfig, type AdviState, type AdviCheckpoint } from "./advi.js";
export { elementNames, columns, type PosteriorDraws, type PredictiveDraws, type VariableDraws } from "./draws.js";
export type { LogJoint, LatentLayout, FactorTerm, LogJointOptions, MinibatchSource, GuideProgram } from "./target.js";
