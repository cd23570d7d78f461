/**
 * Diagnostics of building the log joint (PPL3101-3199): what only shows when the model is
 * evaluated with its data (a size that is not known, a construct the evaluator does not run).
 */
import { makeDiagnostic, type Diagnostic, type Span } from "../lang.js";

export const LOGJOINT_CODES = {
  evaluation: "PPL3101",
  unknownSize: "PPL3102",
  guideCannotDraw: "PPL3120",
} as const;

/** The model could not be evaluated at a trial point. */
export function evaluationFailed(detail: string, span: Span | undefined): Diagnostic {
  return makeDiagnostic(LOGJOINT_CODES.evaluation, "error", `the model cannot be evaluated: ${detail}`, span, {
    hint: "check the shapes of the expression against the data; if the model looks right, please report it",
  });
}

/** A latent or network whose size is not known from the data and arguments. */
export function unknownSize(detail: string, span: Span | undefined): Diagnostic {
  return makeDiagnostic(LOGJOINT_CODES.unknownSize, "error", detail, span, {
    hint: "give the sizes it depends on in the data (integer data) or as compile-time arguments",
  });
}

/** A guide block the run-time guide cannot draw from (a distribution without a reparameterised sampler, a latent drawn piece by piece). */
export function guideCannotDraw(detail: string, span: Span | undefined, hint?: string): Diagnostic {
  return makeDiagnostic(LOGJOINT_CODES.guideCannotDraw, "error", `the guide block cannot be used: ${detail}`, span, {
    hint: hint ?? "guide distributions must be reparameterisable from Gaussian noise (Normal, LogNormal); or fit with family 'meanfield' to use the automatic guide instead",
  });
}
