/**
 * The shape every distribution file declares. Each file exports one object built with
 * `defineDistribution`; today it carries the signature (parameters with their constraints,
 * support, event rank, flags and a doc line), and the tfjs implementation (logProb, sample,
 * exponential-family form) is added to the same object in the same file.
 *
 * A `DistributionDefinition` is structurally a language `DistributionSignature` (plus `expfam`
 * and `supportFromParams`, which the type checker ignores).
 */
import { type ConstraintSpec, boundReferences, validateConstraint } from "../constraints.js";

/** One argument: `scale` of Normal is positive, one value per element. */
export interface DistributionParam {
  readonly name: string;
  /** The single source of truth for the argument's domain (checker, argument checks, guides, docs). */
  readonly constraint: ConstraintSpec;
  /** Rank of one event's worth of this argument: 0 for `scale`, 1 for Dirichlet's `alpha`. */
  readonly eventRank: number;
  /** Must be an integer (Binomial's `n`). */
  readonly integer?: boolean;
}

export interface DistributionDefinition {
  readonly name: string;
  readonly params: readonly DistributionParam[];
  /** The values a draw takes. */
  readonly support: ConstraintSpec;
  /**
   * When the support is an interval between two arguments' values (Uniform), their names. The
   * support constraint then says only what is known statically (`real`); the data check and the
   * log density read the bounds from the arguments.
   */
  readonly supportFromParams?: { readonly lower?: string; readonly upper?: string };
  /** Rank of one draw: 0 for Normal, 1 for Dirichlet / MultivariateNormal / Multinomial. */
  readonly eventRank: number;
  /** Which argument's trailing `eventRank` axes give the event shape (Dirichlet: "alpha"). */
  readonly eventShapeFrom?: string;
  readonly discrete: boolean;
  /** Draws are a differentiable function of the arguments and parameter-free noise. */
  readonly reparameterizable: boolean;
  /** Has an exponential-family form (natural parameters, sufficient statistics) usable by CAVI. */
  readonly expfam: boolean;
  /** "Normal(loc, scale): ..." — first the call shape, then the meaning. */
  readonly doc: string;
}

/** Problems with a definition as data; empty when it is consistent. */
export function validateDistribution(d: DistributionDefinition): string[] {
  const problems: string[] = [];
  const names = d.params.map((p) => p.name);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(d.name)) problems.push(`name '${d.name}' must be PascalCase`);
  if (new Set(names).size !== names.length) problems.push(`parameter names are not unique: ${names.join(", ")}`);
  for (const p of d.params) {
    for (const msg of validateConstraint(p.constraint)) problems.push(`parameter '${p.name}': ${msg}`);
    if (!Number.isInteger(p.eventRank) || p.eventRank < 0 || p.eventRank > 2) problems.push(`parameter '${p.name}': eventRank ${p.eventRank} must be 0, 1 or 2`);
    if (p.integer && p.constraint.kind !== "integer") problems.push(`parameter '${p.name}' is integer but its constraint is '${p.constraint.kind}'`);
    for (const ref of boundReferences(p.constraint)) problems.push(`parameter '${p.name}': its constraint refers to '${ref}'; only a support may`);
  }
  for (const msg of validateConstraint(d.support)) problems.push(`support: ${msg}`);
  for (const ref of boundReferences(d.support)) {
    if (!names.includes(ref)) problems.push(`support refers to '${ref}', which is not a parameter`);
  }
  if (!Number.isInteger(d.eventRank) || d.eventRank < 0 || d.eventRank > 2) problems.push(`eventRank ${d.eventRank} must be 0, 1 or 2`);
  if (d.eventRank > 0) {
    const from = d.params.find((p) => p.name === d.eventShapeFrom);
    if (!from) problems.push(`eventRank is ${d.eventRank} but eventShapeFrom '${d.eventShapeFrom ?? ""}' is not a parameter`);
    else if (from.eventRank < d.eventRank) problems.push(`eventShapeFrom '${from.name}' has eventRank ${from.eventRank}, below the distribution's ${d.eventRank}`);
  } else if (d.eventShapeFrom !== undefined) {
    problems.push(`eventShapeFrom is set but eventRank is 0`);
  }
  const discreteSupport = d.support.kind === "integer" || d.support.kind === "boolean";
  if (d.discrete !== discreteSupport) problems.push(`discrete is ${d.discrete} but the support is '${d.support.kind}'`);
  if (d.discrete && d.reparameterizable) problems.push(`a discrete distribution cannot be reparameterizable`);
  for (const side of ["lower", "upper"] as const) {
    const ref = d.supportFromParams?.[side];
    if (ref !== undefined && !names.includes(ref)) problems.push(`supportFromParams.${side} '${ref}' is not a parameter`);
  }
  const call = `${d.name}(${names.join(", ")})`;
  if (!d.doc.startsWith(call)) problems.push(`doc must start with '${call}'`);
  return problems;
}

/**
 * Declares a distribution. The definition is checked once, when its module loads, so an
 * inconsistent declaration fails every test that imports the stdlib rather than misleading the
 * type checker later.
 */
export function defineDistribution<const D extends DistributionDefinition>(def: D): Readonly<D> {
  const problems = validateDistribution(def);
  if (problems.length > 0) throw new Error(`stdlib distribution ${def.name}: ${problems.join("; ")}`);
  return Object.freeze(def);
}
