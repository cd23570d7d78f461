import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const BernoulliLogit = defineDistribution({
  name: "BernoulliLogit",
  params: [{ name: "logit", constraint: constraints.real, eventRank: 0 }],
  support: constraints.integer(0, 1),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "BernoulliLogit(logit): 1 with probability sigmoid(logit), else 0 (Stan's bernoulli_logit(alpha)).",
});
