/**
 * Exponential-family forms in plain float64 (expected sufficient statistics, entropies, expected
 * log densities): what closed-form variational updates (CAVI) compute with. The tensor
 * distributions carry their own `expfam` forms for tfjs code; these are the scalar versions.
 */
export { betaExpectedStats, betaEntropy, betaExpectedLogDensity } from "./beta.js";
export { gammaExpectedStats, gammaEntropy, gammaExpectedLogDensity } from "./gamma.js";
export { normalEntropy, mvnEntropy, normalExpectedLogDensity } from "./normal.js";
export { logMultiBeta, dirichletExpectedLog, dirichletEntropy } from "./dirichlet.js";
export { softmaxRow, categoricalEntropy } from "./categorical.js";
