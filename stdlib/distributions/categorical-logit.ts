import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const CategoricalLogit = defineDistribution({
  name: "CategoricalLogit",
  params: [{ name: "logits", constraint: constraints.real, eventRank: 1 }],
  support: constraints.integer(0, { sizeOf: "logits", offset: -1 }),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "CategoricalLogit(logits): k in 0 .. K-1 with probability softmax(logits)[k] (Stan's categorical_logit(beta), 0-based).",
});
