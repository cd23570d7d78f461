/** Black-box VI: score-function gradients for discrete latents, mixed with reparameterised ones. */
export { BBVI_RUNNER } from "./runner.js";
export { bbviInit, bbviStep, bbviFinalise, bbviDispose, bbviCheckpoint, bbviResume, scorePass, type BbviCheckpoint, type BbviConfig, type BbviState, type ScorePass } from "./bbvi.js";
export { blanketUses, blanketSignal, elementsOf, priorFactorIndex, type TermUse } from "./rao-blackwell.js";
export { probeSupport, declaredBounds, PROBE_WIDTH } from "./support.js";
export { BBVI_CODES } from "./errors.js";
