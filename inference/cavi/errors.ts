/** CAVI's set-up diagnostics (PPL4110-PPL4119), one constructor per kind. */
import { makeDiagnostic, type Diagnostic, type Span } from "../../language/index.js";

export const CAVI_CODES = {
  notConjugate: "PPL4110",
  needsGraph: "PPL4111",
  cannotEvaluate: "PPL4112",
  ccviPattern: "PPL4113",
} as const;

/** Method 'cavi' asked for on a model with a latent that is not conjugate: points at the factor. */
export function notConjugate(latent: string, reason: string, span: Span | undefined, wouldWork: readonly string[]): Diagnostic {
  const alt = wouldWork.filter((m) => m !== "cavi");
  return makeDiagnostic(CAVI_CODES.notConjugate, "error", `method 'cavi' cannot fit this model: latent '${latent}' is not conjugate (${reason})`, span, {
    hint: `use method 'auto'${alt.length ? ` (it would pick '${alt[0]}')` : ""}${alt.includes("advi") ? ", or 'advi' for a gradient fit" : ""}; \`vippl graph\` lists the conjugacy of every latent`,
  });
}

export function needsGraph(): Diagnostic {
  return makeDiagnostic(CAVI_CODES.needsGraph, "error", "method 'cavi' needs the model's graph: fit a compiled model (compile(source).fit(...)), not a bare log joint", undefined, {
    hint: "use method 'advi' for a hand-written log joint",
  });
}

export function cannotEvaluate(what: string, span: Span): Diagnostic {
  return makeDiagnostic(CAVI_CODES.cannotEvaluate, "error", `CAVI cannot evaluate this argument: ${what}`, span, {
    hint: "write the argument from data with arithmetic, `@`, indexing and ones/zeros/fill, or use method 'advi'",
  });
}

/** Method 'ccvi' asked for on a model outside the pattern it covers. */
export function ccviPattern(why: string, span: Span): Diagnostic {
  return makeDiagnostic(CAVI_CODES.ccviPattern, "error", `method 'ccvi' cannot fit this model: ${why}`, span, {
    hint: "ccvi updates conjugate Gamma precisions of real latents' Normal priors in closed form and fits the rest with ADVI; use 'advi' (or 'cavi' when every latent is conjugate)",
  });
}
