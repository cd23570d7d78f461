import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const StudentT = defineDistribution({
  name: "StudentT",
  params: [
    { name: "df", constraint: constraints.positive, eventRank: 0 },
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  // Reparameterised in loc and scale: loc + scale * t with t drawn for the given df.
  reparameterizable: true,
  expfam: false,
  doc: "StudentT(df, loc, scale): Student's t with df degrees of freedom, location loc and scale scale (Stan's student_t(nu, mu, sigma)).",
});
