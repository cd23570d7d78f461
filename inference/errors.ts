/**
 * Diagnostics of inference: PPL4xxx for set-up (methods, options, saved fits), PPL5xxx for
 * numerics at run time. One constructor per error kind (STYLE.md convention 10).
 */
import { listNames, makeDiagnostic, nearestName, type Diagnostic, type Span } from "../language/index.js";

export const INFERENCE_CODES = {
  unknownMethod: "PPL4101",
  unmetCapability: "PPL4102",
  unknownOption: "PPL4103",
  badOptionValue: "PPL4104",
  badSavedFit: "PPL4105",
  nothingToFit: "PPL4106",
  nonFiniteTerm: "PPL5001",
  nonFiniteGuide: "PPL5002",
} as const;

export function unknownMethod(name: string, valid: readonly string[]): Diagnostic {
  const near = nearestName(name, valid);
  return makeDiagnostic(INFERENCE_CODES.unknownMethod, "error", `unknown inference method '${name}'`, undefined, {
    hint: `${near ? `did you mean '${near}'? ` : ""}valid methods: ${listNames(valid, 20)}`,
  });
}

export function unmetCapability(method: string, why: string, wouldWork: readonly string[], span?: Span): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.unmetCapability, "error", `method '${method}' cannot fit this model: ${why}`, span, {
    hint: wouldWork.length > 0 ? `methods that would work: ${listNames(wouldWork, 20)}` : "no available method fits this model yet",
  });
}

export function unknownOption(name: string, valid: readonly string[]): Diagnostic {
  const near = nearestName(name, valid);
  return makeDiagnostic(INFERENCE_CODES.unknownOption, "error", `unknown fit option '${name}'`, undefined, {
    hint: `${near ? `did you mean '${near}'? ` : ""}valid options: ${listNames(valid, 40)}`,
  });
}

export function badOptionValue(name: string, got: unknown, expected: string): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.badOptionValue, "error", `fit option '${name}' must be ${expected}, got ${show(got)}`);
}

export function badSavedFit(message: string): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.badSavedFit, "error", message, undefined, {
    hint: "a saved fit or checkpoint can only be loaded into the model (and data sizes) it was made with",
  });
}

export function nothingToFit(model: string): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.nothingToFit, "error", `model ${model} has no latent variables or params to fit`);
}

export function nonFiniteTerm(termText: string, span: Span, step: number, value: number): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.nonFiniteTerm, "error", `the log density of '${termText}' is ${fmt(value)} at step ${step}, and stays non-finite after reducing the step size`, span, {
    hint: "check that this term's arguments stay in their domain (a positive scale, a probability in [0, 1]) for every value the latents can take; tighter constraints on the latents or a better-scaled model usually fix it",
  });
}

export function nonFiniteGuide(step: number, what: string): Diagnostic {
  return makeDiagnostic(INFERENCE_CODES.nonFiniteGuide, "error", `the ELBO went non-finite at step ${step} (${what}) and stays so after reducing the step size`, undefined, {
    hint: "the variational approximation reached extreme values; try method options { learningRate: smaller } or rescale the model's latents",
  });
}

function fmt(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "+Infinity" : v < 0 ? "-Infinity" : String(v);
}

function show(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "function") return "a function";
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return String(v);
  }
}
