/**
 * Diagnostics of lowering to the graph IR (PPL3001-3099): problems the type checker cannot see
 * because they need the whole graph (overlapping `~` statements, cycles, plates), plus the
 * internal-error codes of the IR invariants (PPL93xx). One constructor per kind, each with a hint.
 */
import { makeDiagnostic, type Diagnostic, type RelatedInfo, type Span } from "./lang.js";

export const LOWER_CODES = {
  latentDefinedTwice: "PPL3001",
  latentRepeatedInLoop: "PPL3002",
  observedTwice: "PPL3003",
  plateSizeNotSize: "PPL3004",
  letCycle: "PPL3005",
  latentDependsOnItself: "PPL3006",
  latentCycle: "PPL3007",
  negativePlateSize: "PPL3008",
  guideMissingLatent: "PPL3009",
  guideTargetsTwice: "PPL3010",
  guideTargetNotLatent: "PPL3011",
} as const;

const related = (message: string, span: Span | undefined): RelatedInfo[] => (span ? [{ message, span }] : []);

/** Two `~` statements give the same elements of a latent a distribution. */
export function latentDefinedTwice(name: string, span: Span, first: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.latentDefinedTwice, "error", `latent '${name}' is given a distribution twice`, span, {
    related: related(`'${name}' first gets its distribution here`, first),
    hint: `a latent has exactly one prior: keep one of the '~' statements, or add extra terms with factor(...)`,
  });
}

/** `for i in 0..N { mu ~ Normal(0, 1) }`: the whole latent is sampled once per iteration. */
export function latentRepeatedInLoop(name: string, loopVar: string, span: Span, loopSpan?: Span): Diagnostic {
  return makeDiagnostic(
    LOWER_CODES.latentRepeatedInLoop,
    "error",
    `latent '${name}' is sampled inside 'for ${loopVar}' but is not indexed by '${loopVar}', so it would get a distribution once per iteration`,
    span,
    {
      related: related(`the loop over '${loopVar}'`, loopSpan),
      hint: `index it by the loop variable ('${name}[${loopVar}] ~ ...'), or move the statement out of the loop`,
    },
  );
}

/** Observed data that is the target of two overlapping `~` (or of one inside a loop that does not index it). */
export function observedTwice(name: string, span: Span, first?: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.observedTwice, "warning", `data '${name}' is observed more than once: its likelihood is counted twice`, span, {
    related: related(`'${name}' is first observed here`, first),
    hint: "if this is intended (a product of likelihoods), ignore this warning; otherwise keep one '~' statement per element",
  });
}

/** `for i in 0..x[0]`: a loop whose bounds are not a size. */
export function plateSizeNotSize(loopVar: string, span: Span): Diagnostic {
  return makeDiagnostic(
    LOWER_CODES.plateSizeNotSize,
    "error",
    `the bounds of 'for ${loopVar}' are not a size: a loop must run over integer data, compile-time arguments or constants`,
    span,
    { hint: "declare the size as data ('data N: int<lower=0>') and loop over 0..N" },
  );
}

export function letCycle(names: readonly string[], span: Span, spans: readonly Span[] = []): Diagnostic {
  const path = [...names, names[0]].join(" -> ");
  return makeDiagnostic(LOWER_CODES.letCycle, "error", `these lets are defined in terms of each other: ${path}`, span, {
    related: names.slice(1).map((n, i) => ({ message: `'${n}' is defined here`, span: spans[i + 1] ?? span })),
    hint: "a let must be computable from data, latents and lets that do not depend on it",
  });
}

/** `x[t] ~ Normal(x[t-1], 1)` with x a latent: the graph has no node per element yet. */
export function latentDependsOnItself(name: string, span: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.latentDependsOnItself, "error", `the distribution of latent '${name}' depends on '${name}' itself`, span, {
    hint: `sequential dependence between elements of one latent is not supported yet: split it into separate latents (an initial '${name}0' and the rest), or write the extra term with factor(...)`,
  });
}

/** `a ~ Normal(b, 1); b ~ Normal(a, 1)`: not a generative model. */
export function latentCycle(names: readonly string[], span: Span, spans: readonly Span[] = []): Diagnostic {
  const path = [...names, names[0]].join(" -> ");
  return makeDiagnostic(LOWER_CODES.latentCycle, "error", `the distributions of these latents depend on each other in a cycle: ${path}`, span, {
    related: names.slice(1).map((n, i) => ({ message: `'${n}' gets its distribution here`, span: spans[i + 1] ?? span })),
    hint: "each latent's prior may use only data and latents that do not depend on it; express a symmetric coupling with factor(...)",
  });
}

export function negativePlateSize(name: string, size: number, span: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.negativePlateSize, "error", `plate '${name}' has size ${size} with these data sizes`, span, {
    hint: "check the loop bounds and the sizes in the data",
  });
}

/** A guide block that does not give every latent a distribution. */
export function guideMissingLatent(name: string, guideSpan: Span, declSpan?: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.guideMissingLatent, "warning", `the guide gives no distribution to latent '${name}'`, guideSpan, {
    related: related(`'${name}' is declared here`, declSpan),
    hint: `add '${name} ~ ...' to the guide, or vippl will fit a mean-field Gaussian (in unconstrained space) for it`,
  });
}

export function guideTargetsTwice(name: string, span: Span, first: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.guideTargetsTwice, "error", `the guide gives latent '${name}' a distribution twice`, span, {
    related: related("first here", first),
    hint: "the guide needs exactly one distribution per element of each latent",
  });
}

export function guideTargetNotLatent(name: string, role: string, span: Span): Diagnostic {
  return makeDiagnostic(LOWER_CODES.guideTargetNotLatent, "error", `the guide samples '${name}', which is ${role}, not a latent`, span, {
    hint: "a guide's '~' statements give the model's latents their variational distribution; data and lets have none",
  });
}

// ---------------------------------------------------------------------------------------------
// Invariant violations found by analysis/validate.ts: compiler bugs, never user mistakes.

export const INVARIANT_CODES = {
  danglingEdge: "PPL9301",
  cycle: "PPL9302",
  latentWithoutFactor: "PPL9303",
  observedWithDefinition: "PPL9304",
  plateNesting: "PPL9305",
  missingSpan: "PPL9306",
  inconsistent: "PPL9307",
} as const;

export function invariantViolation(kind: keyof typeof INVARIANT_CODES, detail: string, span?: Span): Diagnostic {
  return makeDiagnostic(INVARIANT_CODES[kind], "error", `internal compiler error: graph invariant broken: ${detail}`, span, {
    hint: "this is a bug in vippl, not in your model; please report it with the model that triggered it",
  });
}
