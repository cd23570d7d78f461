/**
 * Pareto-smoothed importance sampling diagnostic (Vehtari, Simpson, Gelman, Yao & Gabry): fit a
 * generalised Pareto distribution to the largest importance ratios p/q and report its shape k.
 * The fit is Zhang & Stephens' (2009) empirical-Bayes estimate, with the weakly informative prior
 * that shrinks k towards 0.5 used by the PSIS paper. k < 0.5: q is a good approximation; k < 0.7:
 * usable; otherwise the importance ratios have too heavy a tail to trust q (or estimates from it).
 */

export type ParetoVerdict = "good" | "ok" | "unreliable";

export interface ParetoDiagnostic {
  readonly k: number;
  readonly verdict: ParetoVerdict;
  /** One line saying what k means here. */
  readonly message: string;
  readonly tailLength: number;
}

/** Zhang & Stephens' estimate of (k, sigma) from exceedances x (sorted ascending, all > 0). */
export function fitGeneralisedPareto(x: readonly number[]): { k: number; sigma: number } {
  const n = x.length;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xMax = x[n - 1]!;
  const xQuart = x[Math.max(0, Math.floor(n / 4 + 0.5) - 1)]!;
  // Grid of theta = -k / sigma candidates, from the prior's quantiles.
  const theta = new Float64Array(m);
  const logLik = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    theta[j] = 1 / xMax + (1 - Math.sqrt(m / (j + 1 - 0.5))) / (3 * xQuart);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log1p(-theta[j]! * x[i]!);
    // Profile estimate of Zhang & Stephens' k (minus the usual shape) given theta = k / sigma.
    const kj = -s / n;
    logLik[j] = n * (Math.log(theta[j]! / kj) + kj - 1);
  }
  // Posterior weights over the grid: w_j = 1 / sum_i exp(L_i - L_j).
  let thetaHat = 0;
  let total = 0;
  const w = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += Math.exp(logLik[i]! - logLik[j]!);
    w[j] = Number.isFinite(s) && s > 0 ? 1 / s : 0;
    total += w[j]!;
  }
  for (let j = 0; j < m; j++) thetaHat += (theta[j]! * w[j]!) / total;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log1p(-thetaHat * x[i]!);
  // The usual shape xi = -k (> 0 for heavy tails), shrunk towards 0.5 by a weak prior (10 pseudo-draws).
  const xi = s / n;
  const sigma = -xi / thetaHat;
  const prior = 10;
  return { k: (n * xi + prior * 0.5) / (n + prior), sigma };
}

/** k-hat of a set of log importance ratios. */
export function paretoK(logWeights: ArrayLike<number>): ParetoDiagnostic {
  const lw = Array.from(logWeights).filter((v) => !Number.isNaN(v));
  const s = lw.length;
  if (s < 10) return verdictFor(Infinity, 0, "too few finite weights");
  if (lw.some((v) => v === Infinity)) return verdictFor(Infinity, 0, "an importance ratio is infinite");
  const sorted = lw.filter((v) => v > -Infinity).sort((a, b) => a - b);
  const mx = sorted[sorted.length - 1]!;
  const tailLength = Math.min(Math.ceil(0.2 * s), Math.ceil(3 * Math.sqrt(s)));
  if (tailLength < 5 || sorted.length <= tailLength + 1) return verdictFor(Infinity, tailLength, "too few weights in the tail");
  const cutoff = sorted[sorted.length - tailLength - 1]!;
  const expCut = Math.exp(cutoff - mx);
  const tail = sorted
    .slice(sorted.length - tailLength)
    .map((v) => Math.exp(v - mx) - expCut)
    .filter((v) => v > 0);
  if (tail.length < 5) return verdictFor(0, tail.length, "the largest weights are all equal");
  const { k } = fitGeneralisedPareto(tail);
  return verdictFor(k, tail.length);
}

function verdictFor(k: number, tailLength: number, why?: string): ParetoDiagnostic {
  const verdict: ParetoVerdict = k < 0.5 ? "good" : k < 0.7 ? "ok" : "unreliable";
  const message =
    why !== undefined
      ? `Pareto k could not be estimated (${why})`
      : verdict === "good"
        ? `Pareto k = ${k.toFixed(2)} < 0.5: the approximation is close to the posterior (importance ratios have a light tail)`
        : verdict === "ok"
          ? `Pareto k = ${k.toFixed(2)} in [0.5, 0.7): the approximation is usable, but its tails differ from the posterior's`
          : `Pareto k = ${k.toFixed(2)} >= 0.7: the approximation is unreliable (the posterior has mass where q has almost none); try family 'fullrank' or check the fit`;
  return { k, verdict, message, tailLength };
}
