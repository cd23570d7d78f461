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

export function makeGuide(family: FamilyName, dim: number, init: GuideInit, options: { rank: number; rng: Rng }): Guide {
  switch (family) {
    case "meanfield":
      return new MeanFieldGuide(dim, init);
    case "fullrank":
      return new FullRankGuide(dim, init);
    case "lowrank": {
      const r = Math.min(options.rank, dim);
      return new LowRankGuide(dim, r, init, LowRankGuide.initialFactor(dim, r, options.rng));
    }
  }
}

export function guideFromState(s: GuideState): Guide {
  switch (s.family) {
    case "meanfield":
      return MeanFieldGuide.fromState(s);
    case "fullrank":
      return FullRankGuide.fromState(s);
    case "lowrank":
      return LowRankGuide.fromState(s);
    case "custom":
      throw new Error("internal: a custom guide is rebuilt with its model's guide program (CustomGuide.fromState)");
  }
}
