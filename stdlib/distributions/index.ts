/**
 * The explicit list of distributions. Adding one = its file + one line here (+ one row in the
 * conformance table of the tests).
 */
import type { DistributionDefinition } from "./define.js";
import { Bernoulli } from "./bernoulli.js";
import { BernoulliLogit } from "./bernoulli-logit.js";
import { Beta } from "./beta.js";
import { Binomial } from "./binomial.js";
import { Categorical } from "./categorical.js";
import { CategoricalLogit } from "./categorical-logit.js";
import { Cauchy } from "./cauchy.js";
import { Dirichlet } from "./dirichlet.js";
import { Exponential } from "./exponential.js";
import { Gamma } from "./gamma.js";
import { Geometric } from "./geometric.js";
import { HalfCauchy } from "./half-cauchy.js";
import { HalfNormal } from "./half-normal.js";
import { InverseGamma } from "./inverse-gamma.js";
import { Laplace } from "./laplace.js";
import { LogNormal } from "./log-normal.js";
import { Logistic } from "./logistic.js";
import { Multinomial } from "./multinomial.js";
import { MultivariateNormal } from "./multivariate-normal.js";
import { NegativeBinomial } from "./negative-binomial.js";
import { Normal } from "./normal.js";
import { Poisson } from "./poisson.js";
import { StudentT } from "./student-t.js";
import { Uniform } from "./uniform.js";

export {
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
};
export { defineDistribution, validateDistribution, type DistributionDefinition, type DistributionParam } from "./define.js";

export const distributions = [
  // continuous, real line
  Normal,
  StudentT,
  Cauchy,
  Laplace,
  Logistic,
  Uniform,
  // continuous, positive
  HalfNormal,
  HalfCauchy,
  LogNormal,
  Exponential,
  Gamma,
  InverseGamma,
  // continuous, bounded or structured
  Beta,
  Dirichlet,
  MultivariateNormal,
  // discrete
  Bernoulli,
  BernoulliLogit,
  Categorical,
  CategoricalLogit,
  Binomial,
  Poisson,
  Geometric,
  NegativeBinomial,
  Multinomial,
] as const;

export type DistributionName = (typeof distributions)[number]["name"];

export const distributionRegistry: ReadonlyMap<string, DistributionDefinition> = new Map(
  distributions.map((d) => [d.name, d as DistributionDefinition]),
);
