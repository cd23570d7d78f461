/**
 * Special functions in plain JavaScript, float64 throughout: references for the float32 tensor
 * versions in special.ts, and the building blocks of a compiled plain-JS evaluator. Each is
 * accurate to ~1e-13 relative (absolute near zeros of the function) over its domain.
 */

const LOG_SQRT_2PI = 0.9189385332046728; // log(sqrt(2 pi))
const LOG_SQRT_PI = 0.5723649429247001; // log(sqrt(pi))
const LN2 = Math.LN2;

// Lanczos approximation, g = 7, n = 9 (Godfrey's coefficients).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Stirling-series remainder lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)], for x >= 10. */
export function lgammaCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360 - r2 / 156))))));
}

/** log |Gamma(x)|; +Infinity at the poles 0, -1, -2, ... */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection; reduce x first so sin(pi x) keeps its precision for large |x|.
    const s = Math.sin(Math.PI * (x - Math.round(x)));
    return Math.log(Math.PI / Math.abs(s)) - lgamma(1 - x);
  }
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + lgammaCorrection(x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The digamma function psi(x) = d/dx log Gamma(x); NaN at the poles. */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const r2 = 1 / (x * x);
  const series = r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 * (1 / 132 - r2 * (691 / 32760 - r2 / 12))))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** The trigamma function psi'(x); NaN at the poles. */
export function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0) {
    const s = Math.sin(Math.PI * (x - Math.round(x)));
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let acc = 0;
  while (x < 10) {
    acc += 1 / (x * x);
    x += 1;
  }
  const r = 1 / x;
  const r2 = r * r;
  const series = r + 0.5 * r2 + r * r2 * (1 / 6 - r2 * (1 / 30 - r2 * (1 / 42 - r2 * (1 / 30 - r2 * (5 / 66 - r2 * (691 / 2730 - (r2 * 7) / 6))))));
  return acc + series;
}

/** log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), without cancellation for large arguments. */
export function lbeta(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p < 0) return NaN;
  if (p === 0) return Infinity;
  if (q === Infinity) return -Infinity;
  if (p >= 10) {
    const corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q);
    return -0.5 * Math.log(q) + LOG_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = lgammaCorrection(q) - lgammaCorrection(p + q);
    return lgamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lgamma(p) + lgamma(q) - lgamma(p + q);
}

/** erf by its Taylor series, for |x| < 2. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * log(erfc(x) * exp(x^2) * sqrt(pi)) for x >= 2, by the continued fraction
 * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
 */
function logErfcScaledCf(x: number): number {
  let f = x;
  for (let n = 120; n >= 1; n--) f = x + n / 2 / f;
  return -Math.log(f);
}

/** The error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSeries(x);
  return Math.sign(x) * (1 - erfc(Math.abs(x)));
}

/** The complementary error function 1 - erf(x), accurate in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) return 1 - erf(x);
  if (x > 27) return 0;
  return Math.exp(-x * x - LOG_SQRT_PI + logErfcScaledCf(x));
}

/** log erfc(x), finite far into the right tail. */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) return Math.log(erfc(x));
  return -x * x - LOG_SQRT_PI + logErfcScaledCf(x);
}

/** The standard normal CDF. */
export function ndtr(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** log of the standard normal CDF, stable in both tails. */
export function logNdtr(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 0) return Math.log1p(-0.5 * erfc(x / Math.SQRT2));
  return logErfc(-x / Math.SQRT2) - LN2;
}

/** log(1 - exp(a)) for a <= 0 (Maechler's switch at -log 2). */
export function log1mexp(a: number): number {
  if (a > 0) return NaN;
  return a > -LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
}

/** log(1 + exp(x)), stable for all x. */
export function log1pexp(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export const softplus = log1pexp;

/** log(p / (1 - p)). */
export function logit(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}

/** x * log(y), defined as 0 when x = 0 (whatever y is). */
export function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}
