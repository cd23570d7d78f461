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

/**
 * k-hat of a set of log importance ratios. Non-finite ratios mean q cannot be trusted: NaN (the
 * log density failed to evaluate at a draw of q), +Infinity, and -Infinity (q puts mass where
 * the posterior has none, or log p underflowed there) all give k = Infinity, "unreliable". So
 * does a tail that collapses onto one or two draws (the largest ratio beats the cut-off by more
 * than exp(700): a few draws carry all the weight), which must never read as a light tail.
 */
export function paretoK(logWeights: ArrayLike<number>): ParetoDiagnostic {
  const lw = Array.from(logWeights);
  const s = lw.length;
  const nan = lw.filter((v) => Number.isNaN(v)).length;
  if (nan > 0) return verdictFor(Infinity, 0, `${nan} of ${s} log importance ratios are NaN: the log density could not be evaluated at some draws of the approximation`);
  if (lw.some((v) => v === Infinity)) return verdictFor(Infinity, 0, "an importance ratio is infinite");
  const negInf = lw.filter((v) => v === -Infinity).length;
  if (negInf > 0) return verdictFor(Infinity, 0, `${negInf} of ${s} importance ratios are 0 (log = -Infinity): the approximation puts mass where the posterior has none`);
  if (s < 10) return verdictFor(Infinity, 0, "too few finite weights");
  const sorted = [...lw].sort((a, b) => a - b);
  const mx = sorted[sorted.length - 1]!;
  const tailLength = Math.min(Math.ceil(0.2 * s), Math.ceil(3 * Math.sqrt(s)));
  if (tailLength < 5 || sorted.length <= tailLength + 1) return verdictFor(Infinity, tailLength, "too few weights in the tail");
  const cutoff = sorted[sorted.length - tailLength - 1]!;
  // All the ratios in the tail equal the cut-off: q reproduces p up to a constant there.
  if (mx === cutoff) return verdictFor(0, 0, "the largest weights are all equal");
  // The tail must not be one draw dwarfing the rest.
  if (mx - cutoff > 700) return verdictFor(Infinity, tailLength, `the largest importance ratio exceeds the tail's cut-off by a factor of exp(${(mx - cutoff).toFixed(0)}): a few draws carry all the weight`);
  // Exceedances over the cut-off, in units of the cut-off's ratio (k does not depend on the unit):
  // expm1 keeps small exceedances exact, where exp(v - max) - exp(cutoff - max) would underflow.
  const tail = sorted.slice(sorted.length - tailLength).map((v) => Math.expm1(v - cutoff));
  const positive = tail.filter((v) => v > 0);
  if (positive.length < 5) return verdictFor(Infinity, positive.length, "fewer than 5 of the largest weights exceed the cut-off: a few draws carry all the weight");
  const { k } = fitGeneralisedPareto(positive);
  if (!Number.isFinite(k)) return verdictFor(Infinity, positive.length, "the generalised Pareto fit of the tail failed (the weights are too extreme)");
  return verdictFor(k, positive.length);
}

function verdictFor(k: number, tailLength: number, why?: string): ParetoDiagnostic {
  const verdict: ParetoVerdict = k < 0.5 ? "good" : k < 0.7 ? "ok" : "unreliable";
  const message =
    why !== undefined
      ? k === 0
        ? `Pareto k = 0 (${why})`
        : `Pareto k could not be estimated (${why}): treat the approximation as unreliable`
      : verdict === "good"
        ? `Pareto k = ${k.toFixed(3)} < 0.5: the approximation is close to the posterior (importance ratios have a light tail)`
        : verdict === "ok"
          ? `Pareto k = ${k.toFixed(3)} in [0.5, 0.7): the approximation is usable, but its tails differ from the posterior's`
          : `Pareto k = ${k.toFixed(3)} >= 0.7: the approximation is unreliable (the posterior has mass where q has almost none); a richer family (family 'fullrank' when it was mean-field, or a more flexible guide block) may help, or check the fit`;
  return { k, verdict, message, tailLength };
}
