import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const MultivariateNormal = defineDistribution({
  name: "MultivariateNormal",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 1 },
    { name: "scale_tril", constraint: constraints.lowerCholesky, eventRank: 2 },
  ],
  support: constraints.real,
  eventRank: 1,
  eventShapeFrom: "loc",
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "MultivariateNormal(loc, scale_tril): the Gaussian with mean vector loc and covariance scale_tril scale_tril^T, scale_tril a Cholesky factor (Stan's multi_normal_cholesky(mu, L)).",
});
