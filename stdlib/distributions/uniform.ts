import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

/**
 * The support depends on the arguments' values, which a ConstraintSpec cannot say (its interval
 * bounds are numbers): statically it is `real`, and `supportFromParams` names the arguments that
 * bound it, for the log density and the data check.
 */
export const Uniform = defineDistribution({
  name: "Uniform",
  params: [
    { name: "lower", constraint: constraints.real, eventRank: 0 },
    { name: "upper", constraint: constraints.real, eventRank: 0 },
  ],
  support: constraints.real,
  supportFromParams: { lower: "lower", upper: "upper" },
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Uniform(lower, upper): uniform on [lower, upper], lower < upper (Stan's uniform(alpha, beta)); declare the variable real<lower=..., upper=...> to match.",
});
