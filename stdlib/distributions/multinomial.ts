import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Multinomial = defineDistribution({
  name: "Multinomial",
  params: [
    { name: "n", constraint: constraints.nonnegativeInteger, eventRank: 0, integer: true },
    { name: "probs", constraint: constraints.simplex, eventRank: 1 },
  ],
  // Per element: a count from 0 to n (and the counts of one draw sum to n).
  support: constraints.integer(0, { param: "n" }),
  eventRank: 1,
  eventShapeFrom: "probs",
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Multinomial(n, probs): counts of n draws over the K categories of probs' last axis (Stan's multinomial(theta) with the total n made explicit).",
});
