/** Variational families: build one by name, or rebuild one from its saved state. */
import type { Rng } from "../../stdlib/index.js";
import type { FamilyName } from "../options.js";
import { FullRankGuide } from "./fullrank.js";
import type { Guide, GuideInit, GuideState } from "./guide.js";
import { LowRankGuide } from "./lowrank.js";
import { MeanFieldGuide } from "./meanfield.js";

export type { Guide, GuideInit, GuideState } from "./guide.js";
export { HALF_LOG_2PI } from "./guide.js";
export { MeanFieldGuide, FullRankGuide, LowRankGuide };
export { DISCRETE_FAMILIES, discreteFamily, type DiscreteFactor, type DiscreteFactorState, type DiscreteFamily, type LatentSupport } from "./discrete.js";
export { CustomGuide } from "./custom.js";

/** The Gaussian families by name: how to build one and how to rebuild one from its state. */
const GAUSSIAN_FAMILIES: Readonly<Record<FamilyName, { make(dim: number, init: GuideInit, options: { rank: number; rng: Rng }): Guide; fromState(s: GuideState): Guide }>> = {
  meanfield: { make: (dim, init) => new MeanFieldGuide(dim, init), fromState: (s) => MeanFieldGuide.fromState(s) },
  fullrank: { make: (dim, init) => new FullRankGuide(dim, init), fromState: (s) => FullRankGuide.fromState(s) },
  lowrank: {
    make: (dim, init, options) => {
      const r = Math.min(options.rank, dim);
      return new LowRankGuide(dim, r, init, LowRankGuide.initialFactor(dim, r, options.rng));
    },
    fromState: (s) => LowRankGuide.fromState(s),
  },
};

export function makeGuide(family: FamilyName, dim: number, init: GuideInit, options: { rank: number; rng: Rng }): Guide {
  return GAUSSIAN_FAMILIES[family].make(dim, init, options);
}

export function guideFromState(s: GuideState): Guide {
  if (s.family === "custom") throw new Error("internal: a custom guide is rebuilt with its model's guide program (CustomGuide.fromState)");
  const f = GAUSSIAN_FAMILIES[s.family];
  if (!f) throw new Error(`internal: no Gaussian family '${String(s.family)}'`);
  return f.fromState(s);
}
