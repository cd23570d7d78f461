/**
 * Diagnostics of building the log joint (PPL3101-3199): what only shows when the model is
 * evaluated with its data (a size that is not known, a construct the evaluator does not run).
 */
import { describeConstraint, distributionRegistry } from "../../stdlib/index.js";
import { makeDiagnostic, printExpr, type Diagnostic, type Span } from "../lang.js";
import type { IrFactor } from "../ir.js";
import type { SupportViolation } from "./support-checks.js";

export const LOGJOINT_CODES = {
  evaluation: "PPL3101",
  unknownSize: "PPL3102",
  guideCannotDraw: "PPL3120",
  dataOutsideSupport: "PPL3121",
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

/**
 * Observed data outside the support of its `~` (a support that depends on no argument), so the
 * term is -Infinity whatever the parameters: reported once at build, not as -Infinity every step.
 */
export function dataOutsideSupport(f: IrFactor, v: SupportViolation): Diagnostic {
  const target = f.targetExpr ? printExpr(f.targetExpr) : "the value";
  const at = v.index.length > 0 ? `${target}[${v.index.join(", ")}]` : target;
  const what = v.value === null ? at : `${at} = ${v.value}`;
  const more = v.count > 1 ? ` (and ${v.count - 1} more of ${v.size})` : "";
  const support = f.distribution ? distributionRegistry.get(f.distribution)?.support : undefined;
  const values = support ? ` (${f.distribution}: ${describeConstraint(support)})` : "";
  return makeDiagnostic(
    LOGJOINT_CODES.dataOutsideSupport,
    "error",
    `observed ${what} is outside the support of ${f.distribution ?? "its distribution"}${more}, so this term is -Infinity for every value of the parameters`,
    f.span,
    { hint: `check the data, or choose a distribution whose support contains it${values}` },
  );
}
