/** Conjugacy facts: the prior families CAVI supports and the pair-keyed registry of conjugate slots. */
export { CONJUGATE_PAIRS, conjugatePair, conjugateSlots, type ConjugatePair, type SlotForm, type TermStats } from "./pairs.js";
export { CONJUGATE_PRIOR_FAMILIES, conjugatePriorFamily, type ConjugatePriorFamily } from "./families.js";
