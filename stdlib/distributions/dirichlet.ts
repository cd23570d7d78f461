import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Dirichlet = defineDistribution({
  name: "Dirichlet",
  params: [{ name: "alpha", constraint: constraints.positive, eventRank: 1 }],
  support: constraints.simplex,
  eventRank: 1,
  eventShapeFrom: "alpha",
  discrete: false,
  // Built from gammas: no implicit reparameterisation in tfjs.
  reparameterizable: false,
  expfam: true,
  doc: "Dirichlet(alpha): a distribution over simplexes of the size of alpha's last axis, concentrations alpha (Stan's dirichlet(alpha)).",
});
