/**
 * Diagnostics of black-box VI: PPL4130-4139 for set-up, PPL5010-5019 for numerics while fitting.
 * One constructor per kind (STYLE.md convention 10).
 */
import { makeDiagnostic, type Diagnostic, type Span } from "../../language/index.js";

export const BBVI_CODES = {
  unsupportedOption: "PPL4130",
  unknownSupport: "PPL4131",
  noDiscreteFamily: "PPL4132",
  nonFiniteElbo: "PPL5010",
} as const;

/** An option bbvi does not take (yet): minibatches, custom guides. */
export function bbviUnsupportedOption(option: string, why: string, hint: string): Diagnostic {
  return makeDiagnostic(BBVI_CODES.unsupportedOption, "error", `method 'bbvi' cannot use fit option '${option}': ${why}`, undefined, { hint });
}

/** The values a discrete latent takes cannot be found from its declaration or its prior. */
export function unknownSupport(latent: string, why: string, span: Span): Diagnostic {
  return makeDiagnostic(BBVI_CODES.unknownSupport, "error", `cannot tell which values discrete latent '${latent}' takes: ${why}`, span, {
    hint: `declare its range, e.g. \`latent ${latent}: int<lower=0, upper=9>\`, or give it a prior with a known support (Bernoulli, Categorical, Poisson, Binomial)`,
  });
}

/** No discrete variational family covers a latent's support. */
export function noDiscreteFamily(latent: string, support: string, span: Span): Diagnostic {
  return makeDiagnostic(BBVI_CODES.noDiscreteFamily, "error", `no discrete variational family covers the values of '${latent}' (${support})`, span, {
    hint: "black-box VI has Bernoulli (two values), Categorical (up to 256 values) and Poisson (bounded below) factors: bound the latent from below",
  });
}

/** The ELBO stays non-finite after the step size was cut. */
export function nonFiniteElbo(step: number, what: string, span?: Span): Diagnostic {
  return makeDiagnostic(BBVI_CODES.nonFiniteElbo, "error", `black-box VI: the ELBO went non-finite at step ${step} (${what}) and stays so after reducing the step size`, span, {
    hint: "a discrete draw may fall where the model has no density (check the latent's declared range against its prior and likelihood), or the step size is too large (learningRate)",
  });
}
