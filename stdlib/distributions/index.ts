/**
 * The explicit list of distributions. Adding one = its file + one line here (+ one row in the
 * conformance table of the tests).
 *
 * Each file exports three things: `NormalDefinition` (the plain signature the registry and the
 * type checker hold), `NormalDistribution` (the runtime class) and `Normal` (a factory,
 * `Normal(loc, scale)`, that also carries the signature's fields: `Normal.params`, ...).
 */
import type { DistributionDefinition } from "./define.js";
import type { DistributionFactory } from "./core/factory.js";
import { Bernoulli, BernoulliDefinition, BernoulliDistribution } from "./bernoulli.js";
import { BernoulliLogit, BernoulliLogitDefinition, BernoulliLogitDistribution } from "./bernoulli-logit.js";
import { Beta, BetaDefinition, BetaDistribution } from "./beta.js";
import { Binomial, BinomialDefinition, BinomialDistribution } from "./binomial.js";
import { Categorical, CategoricalDefinition, CategoricalDistribution } from "./categorical.js";
import { CategoricalLogit, CategoricalLogitDefinition, CategoricalLogitDistribution } from "./categorical-logit.js";
import { Cauchy, CauchyDefinition, CauchyDistribution } from "./cauchy.js";
import { Dirichlet, DirichletDefinition, DirichletDistribution } from "./dirichlet.js";
import { Exponential, ExponentialDefinition, ExponentialDistribution } from "./exponential.js";
import { Gamma, GammaDefinition, GammaDistribution } from "./gamma.js";
import { Geometric, GeometricDefinition, GeometricDistribution } from "./geometric.js";
import { HalfCauchy, HalfCauchyDefinition, HalfCauchyDistribution } from "./half-cauchy.js";
import { HalfNormal, HalfNormalDefinition, HalfNormalDistribution } from "./half-normal.js";
import { InverseGamma, InverseGammaDefinition, InverseGammaDistribution } from "./inverse-gamma.js";
import { Laplace, LaplaceDefinition, LaplaceDistribution } from "./laplace.js";
import { LogNormal, LogNormalDefinition, LogNormalDistribution } from "./log-normal.js";
import { Logistic, LogisticDefinition, LogisticDistribution } from "./logistic.js";
import { Multinomial, MultinomialDefinition, MultinomialDistribution } from "./multinomial.js";
import { MultivariateNormal, MultivariateNormalDefinition, MultivariateNormalDistribution } from "./multivariate-normal.js";
import { NegativeBinomial, NegativeBinomialDefinition, NegativeBinomialDistribution } from "./negative-binomial.js";
import { Normal, NormalDefinition, NormalDistribution } from "./normal.js";
import { Poisson, PoissonDefinition, PoissonDistribution } from "./poisson.js";
import { StudentT, StudentTDefinition, StudentTDistribution } from "./student-t.js";
import { Uniform, UniformDefinition, UniformDistribution } from "./uniform.js";

export {
  Bernoulli,
  BernoulliDefinition,
  BernoulliDistribution,
  BernoulliLogit,
  BernoulliLogitDefinition,
  BernoulliLogitDistribution,
  Beta,
  BetaDefinition,
  BetaDistribution,
  Binomial,
  BinomialDefinition,
  BinomialDistribution,
  Categorical,
  CategoricalDefinition,
  CategoricalDistribution,
  CategoricalLogit,
  CategoricalLogitDefinition,
  CategoricalLogitDistribution,
  Cauchy,
  CauchyDefinition,
  CauchyDistribution,
  Dirichlet,
  DirichletDefinition,
  DirichletDistribution,
  Exponential,
  ExponentialDefinition,
  ExponentialDistribution,
  Gamma,
  GammaDefinition,
  GammaDistribution,
  Geometric,
  GeometricDefinition,
  GeometricDistribution,
  HalfCauchy,
  HalfCauchyDefinition,
  HalfCauchyDistribution,
  HalfNormal,
  HalfNormalDefinition,
  HalfNormalDistribution,
  InverseGamma,
  InverseGammaDefinition,
  InverseGammaDistribution,
  Laplace,
  LaplaceDefinition,
  LaplaceDistribution,
  LogNormal,
  LogNormalDefinition,
  LogNormalDistribution,
  Logistic,
  LogisticDefinition,
  LogisticDistribution,
  Multinomial,
  MultinomialDefinition,
  MultinomialDistribution,
  MultivariateNormal,
  MultivariateNormalDefinition,
  MultivariateNormalDistribution,
  NegativeBinomial,
  NegativeBinomialDefinition,
  NegativeBinomialDistribution,
  Normal,
  NormalDefinition,
  NormalDistribution,
  Poisson,
  PoissonDefinition,
  PoissonDistribution,
  StudentT,
  StudentTDefinition,
  StudentTDistribution,
  Uniform,
  UniformDefinition,
  UniformDistribution,
};
export { defineDistribution, validateDistribution, type DistributionDefinition, type DistributionParam } from "./define.js";
export { Distribution, NoClosedFormError, toFloat, type DistributionOptions, type ExpFamForm, type LogProbOptions, type MonteCarloEstimate } from "./core/distribution.js";
export { DistributionArgumentError, broadcastShapes, type NestedNumbers, type ParamInput } from "./core/args.js";
export { distributionFactory, type DistributionFactory, type NamedArgs, type PositionalArgs } from "./core/factory.js";
export { toRng, type Seed } from "./core/random.js";

export const distributions = [
  // continuous, real line
  NormalDefinition,
  StudentTDefinition,
  CauchyDefinition,
  LaplaceDefinition,
  LogisticDefinition,
  UniformDefinition,
  // continuous, positive
  HalfNormalDefinition,
  HalfCauchyDefinition,
  LogNormalDefinition,
  ExponentialDefinition,
  GammaDefinition,
  InverseGammaDefinition,
  // continuous, bounded or structured
  BetaDefinition,
  DirichletDefinition,
  MultivariateNormalDefinition,
  // discrete
  BernoulliDefinition,
  BernoulliLogitDefinition,
  CategoricalDefinition,
  CategoricalLogitDefinition,
  BinomialDefinition,
  PoissonDefinition,
  GeometricDefinition,
  NegativeBinomialDefinition,
  MultinomialDefinition,
] as const;

export type DistributionName = (typeof distributions)[number]["name"];

export const distributionRegistry: ReadonlyMap<string, DistributionDefinition> = new Map(
  distributions.map((d) => [d.name, d as DistributionDefinition]),
);

/** The factories by name: `distributionFactories.get("Normal")!.create({ loc: 0, scale: 1 })`. */
export const distributionFactories: ReadonlyMap<string, DistributionFactory> = new Map<string, DistributionFactory>(
  ([Bernoulli, BernoulliLogit, Beta, Binomial, Categorical, CategoricalLogit, Cauchy, Dirichlet, Exponential, Gamma, Geometric, HalfCauchy, HalfNormal, InverseGamma, Laplace, LogNormal, Logistic, Multinomial, MultivariateNormal, NegativeBinomial, Normal, Poisson, StudentT, Uniform] as unknown as DistributionFactory[]).map((f) => [f.name, f]),
);
