/**
 * The Normal as an exponential family over x: sufficient statistics [x, x^2], natural parameters
 * [precision * mean, -precision / 2]. Plain float64. A Gaussian factor over a block of
 * coefficients (`X @ w + b`) is the multivariate form: natural parameters [h, -Lambda / 2].
 */
const LOG_2PI = Math.log(2 * Math.PI);

/** Differential entropy of a Normal with this variance, nats. */
export function normalEntropy(variance: number): number {
  return 0.5 * (LOG_2PI + 1 + Math.log(variance));
}

/** Entropy of a d-dimensional Gaussian from log det(Sigma). */
export function mvnEntropy(d: number, logDetCov: number): number {
  return 0.5 * (d * (LOG_2PI + 1) + logDetCov);
}

/**
 * E_q[log Normal(x | m, tau^-1/2)] from E[log tau], E[tau] and E[(x - m)^2] (the expected squared
 * residual, variances included).
 */
export function normalExpectedLogDensity(eLogTau: number, eTau: number, eSqResidual: number): number {
  return 0.5 * (eLogTau - LOG_2PI - eTau * eSqResidual);
}
