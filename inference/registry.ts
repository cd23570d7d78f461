/**
 * The explicit list of inference methods and what each can fit (STYLE.md convention 5). `auto`
 * resolves against the model's features; an unknown method or an unmet capability is a PPL4xxx
 * diagnostic listing what would work.
 */
import type { GraphIR } from "../compiler/index.js";
import type { Diagnostic } from "../language/index.js";
import { ADVI_RUNNER } from "./advi-runner.js";
import { unknownMethod, unmetCapability } from "./errors.js";
import type { MethodRunner } from "./method.js";
import type { LogJoint } from "./target.js";

/** What a model needs from a method. */
export interface ModelFeatures {
  readonly continuousLatents: readonly string[];
  readonly discreteLatents: readonly string[];
  readonly params: readonly string[];
}

export interface MethodCapabilities {
  readonly continuousLatents: boolean;
  readonly discreteLatents: boolean;
  readonly params: boolean;
}

export interface MethodInfo {
  readonly name: string;
  readonly description: string;
  /** False for methods that are planned but not built yet (they are listed, never chosen). */
  readonly available: boolean;
  readonly capabilities: MethodCapabilities;
  /** Fits a model (every available method has one). */
  readonly runner?: MethodRunner;
}

export const METHODS: readonly MethodInfo[] = [
  {
    name: "advi",
    description: "reparameterised-gradient VI with Gaussian families in unconstrained space (ADVI)",
    available: true,
    capabilities: { continuousLatents: true, discreteLatents: false, params: true },
    runner: ADVI_RUNNER,
  },
  {
    name: "cavi",
    description: "coordinate-ascent VI for conjugate-exponential models (not available yet)",
    available: false,
    capabilities: { continuousLatents: true, discreteLatents: true, params: false },
  },
  {
    name: "bbvi",
    description: "score-function (REINFORCE) VI for discrete latents (not available yet)",
    available: false,
    capabilities: { continuousLatents: true, discreteLatents: true, params: true },
  },
  {
    name: "bbb",
    description: "Bayes-by-Backprop for Bayesian neural networks (not available yet)",
    available: false,
    capabilities: { continuousLatents: true, discreteLatents: false, params: true },
  },
];

export const METHOD_NAMES: readonly string[] = ["auto", ...METHODS.map((m) => m.name)];

/** The features of a model; `graph` (when the model was compiled) feeds the structural analyses. */
export function modelFeatures(lj: LogJoint, graph?: GraphIR): ModelFeatures {
  void graph;
  return {
    continuousLatents: lj.latents.filter((l) => !l.discrete).map((l) => l.name),
    discreteLatents: lj.latents.filter((l) => l.discrete).map((l) => l.name),
    params: [...lj.params.keys()],
  };
}

/** Why `m` cannot fit a model with these features, or undefined when it can. */
export function unmet(m: MethodInfo, f: ModelFeatures): string | undefined {
  if (!m.available) return `'${m.name}' is not implemented yet`;
  if (f.discreteLatents.length > 0 && !m.capabilities.discreteLatents) {
    return `it needs every latent to be continuous, and ${f.discreteLatents.map((n) => `'${n}'`).join(", ")} ${f.discreteLatents.length === 1 ? "is" : "are"} discrete`;
  }
  if (f.params.length > 0 && !m.capabilities.params) return `it cannot point-estimate params (${f.params.join(", ")})`;
  return undefined;
}

export interface ResolvedMethod {
  readonly method?: MethodInfo;
  /** Why this method: "chosen by name" or the auto rule that picked it. */
  readonly reason: string;
  readonly diagnostics: readonly Diagnostic[];
}

export function resolveMethod(name: string, f: ModelFeatures): ResolvedMethod {
  const wouldWork = METHODS.filter((m) => unmet(m, f) === undefined).map((m) => m.name);
  if (name === "auto") {
    const m = METHODS.find((x) => unmet(x, f) === undefined);
    if (!m) {
      const why = f.discreteLatents.length > 0 ? `discrete latents (${f.discreteLatents.join(", ")}) need 'cavi' or 'bbvi', which are not available yet` : "no available method fits it";
      return { reason: "", diagnostics: [unmetCapability("auto", why, wouldWork)] };
    }
    return { method: m, reason: "auto: every latent is continuous, so the reparameterised ELBO (ADVI) applies", diagnostics: [] };
  }
  const m = METHODS.find((x) => x.name === name);
  if (!m) return { reason: "", diagnostics: [unknownMethod(name, METHOD_NAMES)] };
  const why = unmet(m, f);
  if (why) return { reason: "", diagnostics: [unmetCapability(name, why, wouldWork)] };
  return { method: m, reason: `chosen by name ('${name}')`, diagnostics: [] };
}
