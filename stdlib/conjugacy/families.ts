/**
 * The prior families CAVI can hold a factor of q in (an exponential family with closed-form
 * expected sufficient statistics and entropy), and which of their own arguments may themselves
 * be latent (a hyperprior that stays conjugate, looked up in the pair registry with the family as
 * the likelihood).
 */
export interface ConjugatePriorFamily {
  readonly name: string;
  /** Sufficient statistics, as printed. */
  readonly statistics: string;
  readonly discrete: boolean;
}

export const CONJUGATE_PRIOR_FAMILIES: readonly ConjugatePriorFamily[] = [
  { name: "Beta", statistics: "[log p, log(1-p)]", discrete: false },
  { name: "Gamma", statistics: "[log x, x]", discrete: false },
  { name: "Normal", statistics: "[x, x^2]", discrete: false },
  { name: "Dirichlet", statistics: "log pi", discrete: false },
  { name: "Categorical", statistics: "one-hot(z)", discrete: true },
];

const BY_NAME = new Map(CONJUGATE_PRIOR_FAMILIES.map((f) => [f.name, f]));

export function conjugatePriorFamily(name: string): ConjugatePriorFamily | undefined {
  return BY_NAME.get(name);
}
