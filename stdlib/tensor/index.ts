/**
 * The tensor layer: backend start-up, gradient fixes, fast matrix products, special functions,
 * linear algebra and seeded randomness, all on TensorFlow.js. `specialJs` and `linalgJs` are the
 * float64 plain-JS versions (references, and kernels for a plain-JS evaluator).
 */
export { initBackend, activeBackend, type BackendName, type InitBackendOptions } from "./backend.js";
export { registerGradientFixes, sumToShape } from "./gradients.js";
export { matmul, transposeLast2, type MatmulOptions } from "./matmul.js";
export { stopGradient } from "./stop-gradient.js";
export { FusedAdam, type AdamOptions } from "./adam.js";
export { lgamma, digamma, trigamma, lbeta, erf, erfc, ndtr, logNdtr, log1p, log1mexp, log1pexp, softplus, bceWithLogits, logit, xlogy, type TensorOrNumber } from "./special.js";
export * as specialJs from "./special-js.js";
export { cholesky, triangularSolve, choleskySolve, logDetFromCholesky, logDetSpd, diagPart, type TriangularSolveOptions } from "./linalg.js";
export * as linalgJs from "./linalg-js.js";
export { Rng, type RngParam, type RngState } from "./rng.js";
