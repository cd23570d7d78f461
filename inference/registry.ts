/**
 * The explicit list of inference methods and what each can fit (STYLE.md convention 5). `auto`
 * resolves against the model's features; an unknown method or an unmet capability is a PPL4xxx
 * diagnostic listing what would work.
 */
import type { GraphIR } from "../compiler/index.js";
import type { Diagnostic, Span } from "../language/index.js";
import { ADVI_RUNNER } from "./advi-runner.js";
import { BBVI_RUNNER } from "./bbvi/index.js";
import { CAVI_RUNNER, CCVI_RUNNER, notConjugate } from "./cavi/index.js";
import { unknownMethod, unmetCapability } from "./errors.js";
import type { MethodRunner } from "./method.js";
import type { LogJoint } from "./target.js";

/** What a model needs from a method. */
export interface ModelFeatures {
  readonly continuousLatents: readonly string[];
  readonly discreteLatents: readonly string[];
  /** Where the first discrete latent is declared (for diagnostics). */
  readonly discreteSpan?: Span;
  readonly params: readonly string[];
  /** The conjugacy analysis (compiled models only): can CAVI update every latent, and if not, why. */
  readonly conjugacy?: {
    readonly allConjugate: boolean;
    /** The model has a `guide { }` block (its own family: CAVI does not use it). */
    readonly guideBlock?: boolean;
    readonly breaking?: { readonly latent: string; readonly reason: string; readonly span: Span };
  };
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
  /** A structural requirement beyond the capabilities: why the model does not meet it, or undefined. */
  readonly requires?: (f: ModelFeatures) => string | undefined;
  /** The diagnostic for a model that misses `requires` when the method is asked for by name. */
  readonly diagnose?: (f: ModelFeatures, wouldWork: readonly string[]) => Diagnostic | undefined;
  /** `auto` tries methods by descending priority (default 0), then in list order. */
  readonly autoPriority?: number;
  /** The reason `auto` gives when it picks this method. */
  readonly autoReason?: string;
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
    description: "coordinate-ascent VI (variational message passing) in closed form for conjugate-exponential models",
    available: true,
    capabilities: { continuousLatents: true, discreteLatents: true, params: false },
    runner: CAVI_RUNNER,
    requires: (f) => {
      if (!f.conjugacy) return "it needs a compiled model's graph";
      if (f.conjugacy.guideBlock) return "the model has a guide block, and CAVI fits its own closed-form family";
      if (!f.conjugacy.allConjugate) return f.conjugacy.breaking ? `latent '${f.conjugacy.breaking.latent}' is not conjugate (${f.conjugacy.breaking.reason})` : "not every latent is conjugate";
      return undefined;
    },
    diagnose: (f, wouldWork) => {
      const b = f.conjugacy?.breaking;
      return b ? notConjugate(b.latent, b.reason, b.span, wouldWork) : undefined;
    },
    autoPriority: 1,
    autoReason: "auto: every latent is conjugate, so CAVI updates them in closed form",
  },
  {
    name: "ccvi",
    description: "conjugate-computation VI: closed-form updates for the conjugate latents (Gamma precisions of Normal priors), ADVI steps for the rest, in one fit",
    available: true,
    capabilities: { continuousLatents: true, discreteLatents: false, params: false },
    runner: CCVI_RUNNER,
    requires: (f) => {
      if (!f.conjugacy) return "it needs a compiled model's graph";
      if (f.conjugacy.guideBlock) return "the model has a guide block";
      if (f.conjugacy.allConjugate) return "every latent is conjugate (use 'cavi')";
      return undefined;
    },
  },
  {
    name: "bbvi",
    description: "black-box VI: score-function gradients with control variates and Rao-Blackwellisation for discrete latents, reparameterised ones for the rest",
    available: true,
    capabilities: { continuousLatents: true, discreteLatents: true, params: true },
    runner: BBVI_RUNNER,
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
  return withConjugacy(
    {
      continuousLatents: lj.latents.filter((l) => !l.discrete).map((l) => l.name),
      discreteLatents: lj.latents.filter((l) => l.discrete).map((l) => l.name),
      ...spanOf(lj.latents.find((l) => l.discrete)?.span),
      params: [...lj.params.keys()],
    },
    graph,
  );
}

/** The same features read from the graph alone (what `vippl graph` reports before any data is bound). */
export function graphFeatures(graph: GraphIR): ModelFeatures {
  const nodes = [...graph.nodes.values()].filter((n) => !n.inGuide);
  const latents = nodes.filter((n) => n.kind === "latent" || (n.kind === "network" && n.network?.stochastic));
  return withConjugacy(
    {
      continuousLatents: latents.filter((n) => !n.discrete).map((n) => n.name),
      discreteLatents: latents.filter((n) => n.discrete).map((n) => n.name),
      ...spanOf(latents.find((n) => n.discrete)?.span),
      params: nodes.filter((n) => n.kind === "param" || (n.kind === "network" && !n.network?.stochastic)).map((n) => n.name),
    },
    graph,
  );
}

const spanOf = (span: Span | undefined): { discreteSpan?: Span } => (span ? { discreteSpan: span } : {});

function withConjugacy(base: Pick<ModelFeatures, "continuousLatents" | "discreteLatents" | "params">, graph?: GraphIR): ModelFeatures {
  const conj = graph?.analyses.conjugacy;
  const bad = conj ? [...conj.latents.values()].find((l) => !l.conjugate) : undefined;
  return {
    ...base,
    ...(conj
      ? { conjugacy: { allConjugate: conj.allConjugate, ...(graph?.guide ? { guideBlock: true } : {}), ...(bad?.breaking ? { breaking: { latent: bad.node, reason: bad.breaking.reason, span: bad.breaking.span } } : {}) } }
      : {}),
  };
}

/** Why `m` cannot fit a model with these features, or undefined when it can. */
export function unmet(m: MethodInfo, f: ModelFeatures): string | undefined {
  if (!m.available) return `'${m.name}' is not implemented yet`;
  if (f.discreteLatents.length > 0 && !m.capabilities.discreteLatents) {
    return `it needs every latent to be continuous, and ${f.discreteLatents.map((n) => `'${n}'`).join(", ")} ${f.discreteLatents.length === 1 ? "is" : "are"} discrete`;
  }
  if (f.params.length > 0 && !m.capabilities.params) return `it cannot point-estimate params (${f.params.join(", ")})`;
  return m.requires?.(f);
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
    const byPriority = [...METHODS].sort((a, b) => (b.autoPriority ?? 0) - (a.autoPriority ?? 0));
    const m = byPriority.find((x) => unmet(x, f) === undefined);
    if (!m) {
      const why = f.discreteLatents.length > 0 ? `discrete latents (${f.discreteLatents.join(", ")}) need 'cavi' (every latent conjugate) or 'bbvi', and neither applies to this model` : "no available method fits it";
      return { reason: "", diagnostics: [unmetCapability("auto", why, wouldWork)] };
    }
    if (m.autoReason) return { method: m, reason: m.autoReason, diagnostics: [] };
    if (m.name === "bbvi") return { method: m, reason: `auto: ${f.discreteLatents.map((n) => `'${n}'`).join(", ")} ${f.discreteLatents.length === 1 ? "is" : "are"} discrete, so black-box VI (score-function gradients for the discrete latents, reparameterised for the rest) applies`, diagnostics: [] };
    return { method: m, reason: "auto: every latent is continuous, so the reparameterised ELBO (ADVI) applies", diagnostics: [] };
  }
  const m = METHODS.find((x) => x.name === name);
  if (!m) return { reason: "", diagnostics: [unknownMethod(name, METHOD_NAMES)] };
  const why = unmet(m, f);
  if (why) {
    const discrete = f.discreteLatents.length > 0 && !m.capabilities.discreteLatents;
    return { reason: "", diagnostics: [(m.requires?.(f) === why ? m.diagnose?.(f, wouldWork) : undefined) ?? unmetCapability(name, why, wouldWork, discrete ? f.discreteSpan : undefined)] };
  }
  return { method: m, reason: `chosen by name ('${name}')`, diagnostics: [] };
}
