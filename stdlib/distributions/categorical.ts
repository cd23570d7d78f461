import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Categorical = defineDistribution({
  name: "Categorical",
  params: [{ name: "probs", constraint: constraints.simplex, eventRank: 1 }],
  // 0-based, as every index in vippl: 0 .. K-1 for K = the size of probs' last axis.
  support: constraints.integer(0, { sizeOf: "probs", offset: -1 }),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Categorical(probs): k in 0 .. K-1 with probability probs[k], K the size of probs' last axis (Stan's categorical(theta), 0-based).",
});
