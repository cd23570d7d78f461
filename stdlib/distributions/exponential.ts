import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Exponential = defineDistribution({
  name: "Exponential",
  params: [{ name: "rate", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "Exponential(rate): the exponential with rate rate, mean 1 / rate (Stan's exponential(beta)).",
});
