/**
 * Bijectors and the single registry from constraints to them (NumPyro's `biject_to`): guides,
 * initialisation and the ADVI transform ask `bijectTo(constraint)` and never switch on
 * distribution names. One entry per constraint kind; bounded kinds read their bounds from the
 * constraint itself.
 */
import type { ConstraintKind, ConstraintSpec } from "../constraints.js";
import { describeConstraint } from "../constraints.js";
import type { Bijector } from "./bijector.js";
import { corrCholeskyBijector } from "./corr-cholesky.js";
import { expBijector } from "./exp.js";
import { identityBijector } from "./identity.js";
import { intervalBijector } from "./interval.js";
import { lowerBoundBijector } from "./lower-bound.js";
import { lowerCholeskyBijector } from "./lower-cholesky.js";
import { orderedBijector } from "./ordered.js";
import { positiveDefiniteBijector } from "./positive-definite.js";
import { positiveOrderedBijector } from "./positive-ordered.js";
import { softplusBijector } from "./softplus.js";
import { stickBreakingBijector } from "./stick-breaking.js";
import { upperBoundBijector } from "./upper-bound.js";

export type { Bijector, BijectorParts } from "./bijector.js";
export { makeBijector } from "./bijector.js";
export {
  corrCholeskyBijector,
  expBijector,
  identityBijector,
  intervalBijector,
  lowerBoundBijector,
  lowerCholeskyBijector,
  orderedBijector,
  positiveDefiniteBijector,
  positiveOrderedBijector,
  softplusBijector,
  stickBreakingBijector,
  upperBoundBijector,
};

type Factory<K extends ConstraintKind> = (c: Extract<ConstraintSpec, { kind: K }>) => Bijector;
type Registry = { [K in ConstraintKind]?: Factory<K> };

const registry: Registry = {
  real: () => identityBijector(),
  positive: () => expBijector(),
  // The closure of the positive reals: exp lands inside it (boundaries carry no mass).
  nonnegative: (c) => expBijector(c),
  unit_interval: () => intervalBijector(0, 1),
  greater_than: (c) => lowerBoundBijector(c.lower),
  less_than: (c) => upperBoundBijector(c.upper),
  interval: (c) => intervalBijector(c.lower, c.upper),
  simplex: () => stickBreakingBijector(),
  ordered: () => orderedBijector(),
  positive_ordered: () => positiveOrderedBijector(),
  lower_cholesky: () => lowerCholeskyBijector(),
  corr_cholesky: () => corrCholeskyBijector(),
  positive_definite: () => positiveDefiniteBijector(),
};

/**
 * The bijector from unconstrained reals onto the values of `constraint`. Throws for discrete
 * constraints (integer, boolean), which no bijector reaches: those latents need enumeration or
 * a score-function estimator.
 */
export function bijectTo(constraint: ConstraintSpec): Bijector {
  const factory = registry[constraint.kind] as Factory<typeof constraint.kind> | undefined;
  if (!factory) {
    throw new Error(
      `bijectTo: no bijector reaches ${describeConstraint(constraint)} (constraint '${constraint.kind}'); ` +
        `discrete values cannot be reparameterised, so use enumeration or a score-function estimator`,
    );
  }
  return factory(constraint as never);
}

/** Is there a bijector for this kind of constraint? */
export const hasBijector = (kind: ConstraintKind): boolean => registry[kind] !== undefined;

/**
 * Replace or add the bijector of a constraint kind (e.g. `softplusBijector` for `positive`).
 * Returns the previous factory, so a caller can restore it.
 */
export function registerBijector<K extends ConstraintKind>(kind: K, factory: Factory<K>): Factory<K> | undefined {
  const prev = registry[kind] as Factory<K> | undefined;
  (registry as Record<string, unknown>)[kind] = factory;
  return prev;
}
