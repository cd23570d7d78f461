/** CAVI: closed-form coordinate-ascent VI for conjugate-exponential models. */
export { bindModel, type BoundModel, type BoundFactor, type Slot } from "./bind.js";
export { CaviEngine, type CaviSettings, type CaviRun } from "./engine.js";
export { BetaQ, GammaQ, GaussQ, DirichletQ, CategoricalQ, type QFactor, type QFamily } from "./q.js";
export { Float64Evaluator, EvalFailure } from "./eval.js";
export { CaviApproximation, CAVI_KIND, type CaviState, type CaviFactorState } from "./approximation.js";
export { CAVI_RUNNER } from "./runner.js";
export { CAVI_CODES, notConjugate, ccviPattern } from "./errors.js";
export { CCVI_RUNNER, CCVI_KIND, CcviApproximation, type CcviState } from "./ccvi.js";
