import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Normal = defineDistribution({
  name: "Normal",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "Normal(loc, scale): the Gaussian with mean loc and standard deviation scale (Stan's normal(mu, sigma)).",
});
