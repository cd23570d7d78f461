import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Logistic = defineDistribution({
  name: "Logistic",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Logistic(loc, scale): the logistic distribution with location loc and scale scale (Stan's logistic(mu, sigma)).",
});
