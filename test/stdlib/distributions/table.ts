/**
 * The conformance table: one row per distribution, with float64 closed forms written here
 * (independently of the implementation) and the facts the generic checks need.
 */
import fc from "fast-check";
import type { ConstraintSpec } from "../../../stdlib/constraints.js";
import {
  Bernoulli,
  BernoulliLogit,
  Beta,
  Binomial,
  Categorical,
  CategoricalLogit,
  Cauchy,
  Dirichlet,
  Exponential,
  Gamma,
  Geometric,
  HalfCauchy,
  HalfNormal,
  InverseGamma,
  Laplace,
  LogNormal,
  Logistic,
  Multinomial,
  MultivariateNormal,
  NegativeBinomial,
  Normal,
  Poisson,
  StudentT,
  Uniform,
  type DistributionFactory,
} from "../../../stdlib/distributions/index.js";
import { lbeta, lgamma, log1pexp } from "../../../stdlib/tensor/special-js.js";

export type Arg = number | number[] | number[][];
export type Args = Record<string, Arg>;
export type X = number | number[];

/**
 * How to integrate a density: 1-D over the real line, the positives (in log x), (0, 1) (in logit
 * x) or an interval; over the probability simplex (in stick-breaking logits, any K); or on a 2-D
 * grid of +-8 marginal standard deviations.
 */
export type Quadrature =
  | { kind: "real" | "positive" | "unit"; center: number; width: number }
  | { kind: "interval"; lo: number; hi: number }
  | { kind: "simplex"; k: number }
  | { kind: "grid2d"; center: [number, number]; sd: [number, number] };

export interface Row {
  readonly factory: DistributionFactory;
  /** Arguments by name; default: drawn from each parameter's constraint. */
  readonly args?: fc.Arbitrary<Args>;
  /**
   * Arguments for the moment check: those for which the variance is finite (so the sample mean
   * has a standard error). Default: `args`.
   */
  readonly momentArgs?: fc.Arbitrary<Args> | null;
  /**
   * The exact fourth central moment (Infinity where it diverges), for the standard error of the
   * sample variance of heavy-tailed draws, where the sample's own fourth moment underestimates it.
   * Where it is infinite the sample variance has no standard error and only the mean is checked.
   */
  readonly centralMoment4?: (a: Args) => number;
  /** Draws for the moment check (default 20,000). */
  readonly momentSamples?: number;
  /** Arguments for the normalisation check, when they differ from `args` (other event sizes). */
  readonly quadratureArgs?: fc.Arbitrary<Args>;
  readonly logProb: (a: Args, x: X) => number;
  /** 1-D continuous: how to integrate; discrete: the values to sum over. */
  readonly quadrature?: (a: Args) => Quadrature;
  readonly sumOver?: (a: Args) => X[];
  /** Entropy has no closed form here (entropy() must throw NoClosedFormError). */
  readonly noEntropy?: boolean;
}

const LOG_2PI = Math.log(2 * Math.PI);
const num = (a: Args, k: string) => a[k] as number;
const vec = (a: Args, k: string) => a[k] as number[];

// -- arbitraries from constraints ---------------------------------------------------------------

const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/** Log-uniform positives, so small and large scales both appear. */
const positive = (min = 0.5, max = 5) => dbl(Math.log(min), Math.log(max)).map(Math.exp);
const simplex = (k: number) => fc.array(dbl(0.2, 3), { minLength: k, maxLength: k }).map((w) => {
  const s = w.reduce((p, q) => p + q, 0);
  return w.map((v) => v / s);
});
const cholesky = (d: number) =>
  fc.array(dbl(-1, 1), { minLength: d * d, maxLength: d * d }).chain((off) =>
    fc.array(positive(0.5, 2), { minLength: d, maxLength: d }).map((diag) => {
      const l: number[][] = [];
      for (let i = 0; i < d; i++) l.push(Array.from({ length: d }, (_, j) => (j < i ? off[i * d + j]! : j === i ? diag[i]! : 0)));
      return l;
    }),
  );

/** An arbitrary for one parameter, from its constraint alone. `k` sizes vectors, `d` matrices. */
export function arbForConstraint(c: ConstraintSpec, eventRank: number, k = 3): fc.Arbitrary<Arg> {
  switch (c.kind) {
    case "real":
      return eventRank === 0 ? dbl(-3, 3) : fc.array(dbl(-3, 3), { minLength: k, maxLength: k });
    case "positive":
      return eventRank === 0 ? positive() : fc.array(positive(), { minLength: k, maxLength: k });
    case "unit_interval":
      return dbl(0.05, 0.95);
    case "simplex":
      return simplex(k);
    case "lower_cholesky":
      return cholesky(2);
    case "integer":
      return fc.integer({ min: 0, max: 20 });
    default:
      throw new Error(`no arbitrary for constraint ${c.kind}`);
  }
}

export function argsFromConstraints(factory: DistributionFactory): fc.Arbitrary<Args> {
  const d = factory.params.some((p) => p.constraint.kind === "lower_cholesky") ? 2 : 3;
  const entries = factory.params.map((p) => arbForConstraint(p.constraint, p.eventRank, d).map((v) => [p.name, v] as const));
  return fc.tuple(...entries).map((kv) => Object.fromEntries(kv) as Args);
}

// -- closed forms --------------------------------------------------------------------------------

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const lchoose = (n: number, k: number) => lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));
const isInt = (x: number) => Number.isInteger(x);

export const rows: Row[] = [
  {
    factory: Normal,
    logProb: (a, x) => -0.5 * (((x as number) - num(a, "loc")) / num(a, "scale")) ** 2 - Math.log(num(a, "scale")) - 0.5 * LOG_2PI,
    quadrature: (a) => ({ kind: "real", center: num(a, "loc"), width: num(a, "scale") }),
  },
  {
    factory: StudentT,
    // Every df with a finite variance (df > 2); the variance itself is checked where df > 4.
    momentArgs: fc.record({ df: positive(2.02, 1000), loc: dbl(-3, 3), scale: positive() }),
    centralMoment4: (a) => {
      const nu = num(a, "df");
      return nu > 4 ? (3 * nu * nu * num(a, "scale") ** 4) / ((nu - 2) * (nu - 4)) : Infinity;
    },
    momentSamples: 100_000,
    logProb: (a, x) => {
      const nu = num(a, "df");
      const z = ((x as number) - num(a, "loc")) / num(a, "scale");
      return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(num(a, "scale")) - ((nu + 1) / 2) * Math.log1p((z * z) / nu);
    },
    quadrature: (a) => ({ kind: "real", center: num(a, "loc"), width: num(a, "scale") }),
  },
  {
    factory: Cauchy,
    momentArgs: null,
    logProb: (a, x) => {
      const z = ((x as number) - num(a, "loc")) / num(a, "scale");
      return -Math.log(Math.PI) - Math.log(num(a, "scale")) - Math.log1p(z * z);
    },
    quadrature: (a) => ({ kind: "real", center: num(a, "loc"), width: num(a, "scale") }),
  },
  {
    factory: Laplace,
    logProb: (a, x) => -Math.log(2 * num(a, "scale")) - Math.abs((x as number) - num(a, "loc")) / num(a, "scale"),
    quadrature: (a) => ({ kind: "real", center: num(a, "loc"), width: num(a, "scale") }),
  },
  {
    factory: Logistic,
    logProb: (a, x) => {
      const z = ((x as number) - num(a, "loc")) / num(a, "scale");
      return -z - Math.log(num(a, "scale")) - 2 * log1pexp(-z);
    },
    quadrature: (a) => ({ kind: "real", center: num(a, "loc"), width: num(a, "scale") }),
  },
  {
    factory: Uniform,
    args: fc.tuple(dbl(-3, 3), positive(0.1, 5)).map(([lo, w]) => ({ lower: lo, upper: lo + w })),
    logProb: (a, x) => ((x as number) >= num(a, "lower") && (x as number) <= num(a, "upper") ? -Math.log(num(a, "upper") - num(a, "lower")) : -Infinity),
    quadrature: (a) => ({ kind: "interval", lo: num(a, "lower"), hi: num(a, "upper") }),
  },
  {
    factory: HalfNormal,
    logProb: (a, x) => ((x as number) < 0 ? -Infinity : Math.LN2 - 0.5 * LOG_2PI - Math.log(num(a, "scale")) - (x as number) ** 2 / (2 * num(a, "scale") ** 2)),
    quadrature: (a) => ({ kind: "positive", center: Math.log(num(a, "scale")), width: 1.5 }),
  },
  {
    factory: HalfCauchy,
    momentArgs: null,
    noEntropy: true,
    logProb: (a, x) => {
      if ((x as number) < 0) return -Infinity;
      const z = ((x as number) - num(a, "loc")) / num(a, "scale");
      const mass = 0.5 + Math.atan(num(a, "loc") / num(a, "scale")) / Math.PI;
      return -Math.log(Math.PI) - Math.log(num(a, "scale")) - Math.log1p(z * z) - Math.log(mass);
    },
    quadrature: (a) => ({ kind: "positive", center: Math.log(num(a, "scale") + Math.abs(num(a, "loc"))), width: 2 }),
  },
  {
    factory: LogNormal,
    // All moments exist; sigma up to 4 (the variance then reaches e^40 and float32 still holds it).
    momentArgs: fc.record({ mu: dbl(-3, 3), sigma: positive(0.02, 4) }),
    centralMoment4: (a) => {
      const m = num(a, "mu");
      const s2 = num(a, "sigma") ** 2;
      const e = Math.exp(s2);
      return Math.exp(4 * m + 2 * s2) * Math.expm1(s2) ** 2 * (e ** 4 + 2 * e ** 3 + 3 * e ** 2 - 3);
    },
    logProb: (a, x) => {
      const lx = Math.log(x as number);
      return -lx - Math.log(num(a, "sigma")) - 0.5 * LOG_2PI - 0.5 * ((lx - num(a, "mu")) / num(a, "sigma")) ** 2;
    },
    quadrature: (a) => ({ kind: "positive", center: num(a, "mu"), width: num(a, "sigma") }),
  },
  {
    factory: Exponential,
    logProb: (a, x) => ((x as number) < 0 ? -Infinity : Math.log(num(a, "rate")) - num(a, "rate") * (x as number)),
    quadrature: (a) => ({ kind: "positive", center: -Math.log(num(a, "rate")), width: 1.5 }),
  },
  {
    factory: Gamma,
    logProb: (a, x) => {
      const s = num(a, "shape");
      const r = num(a, "rate");
      return s * Math.log(r) - lgamma(s) + (s - 1) * Math.log(x as number) - r * (x as number);
    },
    quadrature: (a) => ({ kind: "positive", center: Math.log(num(a, "shape") / num(a, "rate")), width: 1.5 / Math.sqrt(num(a, "shape")) }),
  },
  {
    factory: InverseGamma,
    // Every shape with a finite variance (shape > 2); the variance itself is checked where shape > 4.
    momentArgs: fc.record({ shape: positive(2.02, 1000), scale: positive() }),
    centralMoment4: (a) => {
      const al = num(a, "shape");
      if (!(al > 4)) return Infinity;
      // Raw moments E[X^k] = b^k / ((a - 1) ... (a - k)), in units of the mean m = b / (a - 1).
      const r2 = (al - 1) / (al - 2);
      const r3 = (r2 * (al - 1)) / (al - 3);
      const r4 = (r3 * (al - 1)) / (al - 4);
      const m = num(a, "scale") / (al - 1);
      return m ** 4 * (r4 - 4 * r3 + 6 * r2 - 3);
    },
    momentSamples: 100_000,
    logProb: (a, x) => {
      const s = num(a, "shape");
      const b = num(a, "scale");
      return s * Math.log(b) - lgamma(s) - (s + 1) * Math.log(x as number) - b / (x as number);
    },
    quadrature: (a) => ({ kind: "positive", center: Math.log(num(a, "scale") / num(a, "shape")), width: 1.5 / Math.sqrt(num(a, "shape")) }),
  },
  {
    factory: Beta,
    logProb: (a, x) => (num(a, "a") - 1) * Math.log(x as number) + (num(a, "b") - 1) * Math.log1p(-(x as number)) - lbeta(num(a, "a"), num(a, "b")),
    quadrature: (a) => ({ kind: "unit", center: Math.log(num(a, "a") / num(a, "b")), width: 1.5 }),
  },
  {
    factory: Dirichlet,
    logProb: (a, x) => {
      const al = vec(a, "alpha");
      const xs = x as number[];
      const s = al.reduce((p, q) => p + q, 0);
      return al.reduce((p, ak, k) => p + (ak - 1) * Math.log(xs[k]!) - lgamma(ak), 0) + lgamma(s);
    },
    quadrature: (a) => ({ kind: "simplex", k: vec(a, "alpha").length }),
    quadratureArgs: fc.record({ alpha: fc.oneof(fc.array(positive(), { minLength: 2, maxLength: 2 }), fc.array(positive(), { minLength: 3, maxLength: 3 })) }),
  },
  {
    factory: MultivariateNormal,
    logProb: (a, x) => {
      const m = vec(a, "loc");
      const l = a.scale_tril as number[][];
      const xs = x as number[];
      const d = m.length;
      const z: number[] = [];
      let ld = 0;
      for (let i = 0; i < d; i++) {
        let s = xs[i]! - m[i]!;
        for (let j = 0; j < i; j++) s -= l[i]![j]! * z[j]!;
        z.push(s / l[i]![i]!);
        ld += Math.log(l[i]![i]!);
      }
      return -0.5 * d * LOG_2PI - ld - 0.5 * z.reduce((p, q) => p + q * q, 0);
    },
    quadrature: (a) => {
      const m = vec(a, "loc");
      const l = a.scale_tril as number[][];
      return { kind: "grid2d", center: [m[0]!, m[1]!], sd: [Math.abs(l[0]![0]!), Math.hypot(l[1]![0]!, l[1]![1]!)] };
    },
  },
  {
    factory: Bernoulli,
    logProb: (a, x) => (x === 1 ? Math.log(num(a, "p")) : x === 0 ? Math.log1p(-num(a, "p")) : -Infinity),
    sumOver: () => [0, 1],
  },
  {
    factory: BernoulliLogit,
    logProb: (a, x) => (x === 0 || x === 1 ? (x as number) * num(a, "logit") - log1pexp(num(a, "logit")) : -Infinity),
    sumOver: () => [0, 1],
  },
  {
    factory: Categorical,
    logProb: (a, x) => (isInt(x as number) && (x as number) >= 0 && (x as number) < vec(a, "probs").length ? Math.log(vec(a, "probs")[x as number]!) : -Infinity),
    sumOver: (a) => range(0, vec(a, "probs").length - 1),
  },
  {
    factory: CategoricalLogit,
    logProb: (a, x) => {
      const l = vec(a, "logits");
      const m = Math.max(...l);
      const lse = m + Math.log(l.reduce((p, q) => p + Math.exp(q - m), 0));
      return l[x as number]! - lse;
    },
    sumOver: (a) => range(0, vec(a, "logits").length - 1),
  },
  {
    factory: Binomial,
    noEntropy: true,
    logProb: (a, x) => {
      const n = num(a, "n");
      const k = x as number;
      return k < 0 || k > n || !isInt(k) ? -Infinity : lchoose(n, k) + xlogy(k, num(a, "p")) + xlogy(n - k, 1 - num(a, "p"));
    },
    sumOver: (a) => range(0, num(a, "n")),
  },
  {
    factory: Poisson,
    noEntropy: true,
    logProb: (a, x) => (x as number) * Math.log(num(a, "rate")) - num(a, "rate") - lgamma((x as number) + 1),
    sumOver: (a) => range(0, Math.ceil(num(a, "rate") + 30 * Math.sqrt(num(a, "rate")) + 30)),
  },
  {
    factory: Geometric,
    logProb: (a, x) => (x as number) * Math.log1p(-num(a, "p")) + Math.log(num(a, "p")),
    sumOver: () => range(0, 2000),
  },
  {
    factory: NegativeBinomial,
    noEntropy: true,
    logProb: (a, x) => {
      const mu = num(a, "mu");
      const phi = num(a, "phi");
      const k = x as number;
      return lgamma(k + phi) - lgamma(k + 1) - lgamma(phi) + k * Math.log(mu / (mu + phi)) + phi * Math.log(phi / (mu + phi));
    },
    sumOver: () => range(0, 3000),
  },
  {
    factory: Multinomial,
    args: fc.record({ n: fc.integer({ min: 0, max: 8 }), probs: simplex(3) }),
    noEntropy: true,
    logProb: (a, x) => {
      const xs = x as number[];
      const n = num(a, "n");
      if (xs.reduce((p, q) => p + q, 0) !== n || xs.some((v) => v < 0 || !isInt(v))) return -Infinity;
      return lgamma(n + 1) + xs.reduce((p, v, k) => p - lgamma(v + 1) + xlogy(v, vec(a, "probs")[k]!), 0);
    },
    sumOver: (a) => {
      const n = num(a, "n");
      const out: number[][] = [];
      for (let i = 0; i <= n; i++) for (let j = 0; i + j <= n; j++) out.push([i, j, n - i - j]);
      return out;
    },
  },
];
