/**
 * The registry of approximation kinds (STYLE.md convention 5): a saved fit names its family and
 * the kind that owns that family rebuilds it. A method that brings a new kind of q adds one line.
 */
import { PplError } from "../../language/index.js";
import { badSavedFit } from "../errors.js";
import type { LatentLayout } from "../target.js";
import type { Approximation, ApproximationContext, ApproximationKind, ApproximationState } from "./approximation.js";
import { GAUSSIAN_KIND } from "./gaussian.js";
import { CUSTOM_KIND } from "./custom.js";
import { MIXED_KIND } from "./mixed.js";
import { CAVI_KIND, CCVI_KIND } from "../cavi/index.js";

export type { Approximation, ApproximationContext, ApproximationDraws, ApproximationKind, ApproximationState } from "./approximation.js";
export { GaussianApproximation, GAUSSIAN_KIND } from "./gaussian.js";
export { CustomApproximation, CUSTOM_KIND } from "./custom.js";
export { MixedApproximation, MIXED_KIND, type MixedState } from "./mixed.js";

/** Every kind, explicitly; each family is owned by one kind (a test checks). */
export const APPROXIMATION_KINDS: readonly ApproximationKind[] = [GAUSSIAN_KIND, CUSTOM_KIND, MIXED_KIND, CAVI_KIND, CCVI_KIND];

export function approximationFamilies(): string[] {
  return APPROXIMATION_KINDS.flatMap((k) => [...k.families]);
}

/** Rebuilds a saved approximation; an unknown family is a PPL4105 diagnostic. */
export function approximationFromState(state: ApproximationState, latents: readonly LatentLayout[], context?: ApproximationContext): Approximation {
  const kind = APPROXIMATION_KINDS.find((k) => k.families.includes(state.family));
  if (!kind) throw new PplError([badSavedFit(`the saved fit's approximation family '${state.family}' is unknown; known: ${approximationFamilies().join(", ")}`)]);
  return kind.fromState(state, latents, context);
}
