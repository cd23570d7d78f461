/**
 * ADVI (Kucukelbir et al. 2017) as init -> step -> run with explicit state (STYLE.md convention 7).
 *
 * init: the guide starts at the Laplace approximation (init.ts) or at zero.
 * step: one Adam step on -ELBO from S reparameterised draws; steps on the means are scaled by the
 *   current sds; the step size decays as lr0 / sqrt(1 + t / tau); gradients are clipped to 10x
 *   their running median norm. A non-finite ELBO or gradient undoes the step (back to the last
 *   good state) and halves the step size; if it persists, a PPL5xxx diagnostic names the term.
 * run: "optimise" until the convergence rule fires (or 80% of maxSteps), then "average": Polyak
 *   averaging of the iterates with three times the samples per step, which removes most of the Monte
 *   Carlo jitter that a fixed-step optimiser leaves in its answer.
 */
import * as tf from "@tensorflow/tfjs";
import { advancePhase, disposeOptimiserSlots, finishAveraging, optimiserSlots, type OptimiserSlots } from "./averaging.js";
import { checkCheckpointHeader } from "./checkpoint.js";
import { PplError, type Diagnostic } from "../language/index.js";
import { Rng, type RngState } from "../stdlib/index.js";
import { ConvergenceMonitor, type ConvergenceState, type ConvergenceVerdict } from "./convergence.js";
import { elboSurrogate, type ElboSettings } from "./elbo.js";
import { badOptionValue, badSavedFit, nonFiniteGuide, nonFiniteTerm } from "./errors.js";
import { CustomGuide, guideFromState, makeGuide, type Guide, type GuideInit, type GuideState } from "./guide/index.js";
import { laplaceInit, zeroInit } from "./init.js";
import { ClipRule, decayedRate, disposeStepScale, globalNorm, type AdamStateData, type StepScale } from "./optim.js";
import { FULLRANK_AUTO_MAX, type FamilyChoice, type FamilyName, type GuideFamily, type ResolvedOptions } from "./options.js";
import { layoutMismatch, savedLayout, type SavedLayout } from "./result.js";
import type { LogJoint, MinibatchSource } from "./target.js";
import { disposeValues, type LatentTransform } from "./transform.js";

export interface AdviConfig {
  readonly options: ResolvedOptions;
  readonly logJoint: LogJoint;
  readonly transform: LatentTransform;
  readonly minibatch?: MinibatchSource;
}

export type Phase = "optimise" | "average";

/** Everything a run needs to continue; tensors live in guide, adam, snapshot and avg. */
export interface AdviState extends OptimiserSlots {
  step: number;
  phase: Phase;
  /** Stop averaging (and the run) at this step. */
  averageUntil: number;
  averageFrom: number;
  lrMult: number;
  failures: number;
  nonFiniteSteps: number;
  readonly guide: Guide;
  rng: Rng;
  batchRng: Rng;
  readonly trace: number[];
  readonly monitor: ConvergenceMonitor;
  readonly clip: ClipRule;
  verdict: ConvergenceVerdict | undefined;
  done: boolean;
  readonly initHow: string;
  seconds: number;
}

const MAX_FAILURES = 8;

/** The ELBO core's settings; analytic priors are left out under minibatching (their terms are rescaled there). */
export function adviSettings(o: ResolvedOptions, minibatching = false): ElboSettings {
  return { estimator: o.estimator, entropy: o.entropy, analyticPriors: o.kl === "analytic" && !minibatching };
}

function paramVariables(lj: LogJoint): tf.Variable[] {
  return [...lj.params.values()];
}

/**
 * Network weights take a tenth of ADVI's step (Adam's usual 1e-2 at the default rate 0.1): a step
 * of 0.1 is larger than a Glorot-initialised weight itself, and the VAE's decoder and encoder
 * diverged with it (ELBO -1095 nats/image after 10 steps and non-finite steps, against -332 with
 * the smaller step).
 */
export const NETWORK_STEP_SCALE = 0.1;

export function networkStepScale(lj: LogJoint, v: tf.Variable): StepScale {
  return lj.networkWeights?.has(v) ? tf.scalar(NETWORK_STEP_SCALE) : undefined;
}

function makeState(cfg: AdviConfig, guide: Guide, initHow: string, rng: Rng, batchRng: Rng): AdviState {
  const o = cfg.options;
  const variables = [...guide.variables, ...paramVariables(cfg.logJoint)];
  return {
    step: 0,
    phase: "optimise",
    averageUntil: o.maxSteps,
    averageFrom: o.maxSteps,
    lrMult: 1,
    failures: 0,
    nonFiniteSteps: 0,
    guide,
    ...optimiserSlots(variables),
    rng,
    batchRng,
    trace: [],
    monitor: convergenceMonitor(cfg),
    clip: new ClipRule(o.clipNorm === "auto" ? undefined : o.clipNorm),
    verdict: undefined,
    done: false,
    initHow,
    seconds: 0,
  };
}

/**
 * The family "auto" stands for: the model's guide block when it has one; else full-rank for 2 to
 * FULLRANK_AUTO_MAX unconstrained values when the Laplace start found the mode (`init` has its
 * covariance; without `init` the start is not known yet), mean-field otherwise. With one value
 * full-rank is mean-field with more kernels per step; started far from the mode a full-rank guide
 * moves its mean slowly (from a zero start on a 1-D Normal mean it stopped 0.2-0.35 sd short,
 * where mean-field did not).
 */
export function resolveFamily(family: FamilyChoice, dim: number, hasGuide = false, init?: GuideInit): GuideFamily {
  if (family !== "auto") return family;
  if (hasGuide) return "custom";
  const modeFound = init === undefined || init.cov !== undefined;
  return dim >= 2 && dim <= FULLRANK_AUTO_MAX && modeFound ? "fullrank" : "meanfield";
}

/** The model's guide block as the family; a PplError when it has none or it cannot be drawn from. */
function customGuide(cfg: AdviConfig): CustomGuide {
  const lj = cfg.logJoint;
  if (!lj.guide) {
    if (lj.guideProblems && lj.guideProblems.length > 0) throw new PplError([...lj.guideProblems]);
    throw new PplError([badOptionValue("family", "custom", "'auto', 'meanfield', 'fullrank' or 'lowrank': family 'custom' is the model's guide { } block, and this model has none")]);
  }
  return CustomGuide.of(lj, cfg.transform, (v) => networkStepScale(lj, v));
}

/** The family of this fit: its option resolved against the model. */
export function adviFamily(cfg: AdviConfig): GuideFamily {
  return resolveFamily(cfg.options.family, cfg.transform.dim, !!cfg.logJoint.guide || (cfg.logJoint.guideProblems?.length ?? 0) > 0);
}

export function adviInit(cfg: AdviConfig, seed: Rng): AdviState {
  const o = cfg.options;
  const dim = cfg.transform.dim;
  const family = adviFamily(cfg);
  if (family === "custom") {
    // The Laplace start is a Gaussian's; a guide block starts at its params' declared starts.
    return makeState(cfg, customGuide(cfg), "the guide block's own start (params at zero, networks Glorot/He)", seed.fork("steps"), seed.fork("batches"));
  }
  const init = o.init === "laplace" ? laplaceInit(cfg.logJoint, cfg.transform, o.initScale) : zeroInit(dim, o.initScale, "zero start (init: 'zero')");
  // Without a guide block the family is a Gaussian one.
  const guide = makeGuide(resolveFamily(o.family, dim, false, init.init) as FamilyName, dim, init.init, { rank: o.rank, rng: seed.fork("guide") });
  return makeState(cfg, guide, init.how, seed.fork("steps"), seed.fork("batches"));
}

/** Draws B distinct indices of 0..N-1 (partial Fisher-Yates), sorted. */
function batchIndices(rng: Rng, n: number, b: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < b; i++) {
    const j = i + Math.floor(rng.nextUniform() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, b).sort();
}

/** One optimisation step; throws a PplError (PPL5xxx) when the ELBO stays non-finite. */
export function adviStep(cfg: AdviConfig, st: AdviState): void {
  const o = cfg.options;
  const samples = st.phase === "average" ? AVERAGE_SAMPLES_FACTOR * o.samples : o.samples;
  const mb = cfg.minibatch && o.batchSize !== undefined && o.batchSize < cfg.minibatch.size ? cfg.minibatch : undefined;
  mb?.select(batchIndices(st.batchRng, mb.size, o.batchSize!));
  // After the selection: a custom guide draws the batch's local latents only.
  const noise = st.guide.noise(samples, st.rng);
  const lj = cfg.logJoint;
  const settings = adviSettings(o, mb !== undefined);
  try {
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.mean(elboSurrogate({ logJoint: lj, transform: cfg.transform, guide: st.guide }, noise, settings))) as tf.Scalar, st.variables as tf.Variable[]);
    const gradList = st.variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
    const both = tf.tidy(() => tf.stack([value, globalNorm(gradList)]));
    const [loss, norm] = both.dataSync();
    both.dispose();
    value.dispose();
    const elbo = -loss!;
    if (Number.isFinite(elbo) && Number.isFinite(norm!)) {
      st.snapshot.save(st.adam.t);
      const thr = st.clip.threshold();
      const clip = norm! > thr ? thr / norm! : 1;
      const scales: StepScale[] = [...st.guide.stepScales(), ...paramVariables(cfg.logJoint).map((v) => networkStepScale(cfg.logJoint, v))];
      st.adam.apply(gradList, decayedRate(o.learningRate, o.decaySteps, st.step) * st.lrMult, clip, scales);
      for (const s of scales) disposeStepScale(s);
      st.clip.record(norm!);
      st.step += 1;
      st.failures = 0;
      st.trace.push(elbo);
      afterStep(cfg, st, elbo);
    } else {
      st.failures += 1;
      st.nonFiniteSteps += 1;
      if (st.failures >= MAX_FAILURES) throw new PplError([diagnoseNonFinite(cfg, st, lj, noise, elbo)]);
      st.adam.t = st.snapshot.restore();
      st.lrMult /= 2;
    }
    for (const g of gradList) g.dispose();
  } finally {
    noise.dispose();
    mb?.select(null);
  }
}

/** The averaging phase draws this many times the samples per step: cheap noise reduction. */
const AVERAGE_SAMPLES_FACTOR = 3;

/**
 * The convergence rule. Minibatch ELBO estimates are noisier by about N / B, so with minibatches
 * the window is twice as long and the first verdict comes later (measured: the short window let
 * minibatch runs stop 7% of a posterior sd early).
 */
function convergenceMonitor(cfg: AdviConfig): ConvergenceMonitor {
  const o = cfg.options;
  const factor = batchFactor(cfg);
  const noisy = factor > 1;
  return new ConvergenceMonitor(noisy ? 2 * o.window : o.window, o.tolerance, noisy ? Math.round((4 / 3) * o.minSteps) : o.minSteps, 2, factor);
}

/** Minibatch gradients are noisier by about N / B: average over that many more steps. */
function batchFactor(cfg: AdviConfig): number {
  const o = cfg.options;
  return cfg.minibatch && o.batchSize !== undefined && o.batchSize < cfg.minibatch.size ? cfg.minibatch.size / o.batchSize : 1;
}

function afterStep(cfg: AdviConfig, st: AdviState, elbo: number): void {
  const o = cfg.options;
  const factor = batchFactor(cfg);
  advancePhase(st, elbo, { maxSteps: o.maxSteps, averageSteps: o.averageSteps, floor: factor > 1 ? 150 : 75, factor });
}

/** Replaces the iterates by their average over the averaging phase (if any). */
export function adviFinalise(st: AdviState): ConvergenceVerdict {
  return finishAveraging(st);
}

export function adviDispose(st: AdviState, options: { keepGuide?: boolean } = {}): void {
  disposeOptimiserSlots(st);
  if (!options.keepGuide) st.guide.dispose();
}

/** Finds the first term of the log joint that is non-finite for the failing draws. */
function diagnoseNonFinite(cfg: AdviConfig, st: AdviState, lj: LogJoint, noise: tf.Tensor, elbo: number): Diagnostic {
  const custom = st.guide.drawConstrained?.(noise);
  if (custom) custom.logQ.dispose();
  const z = custom ? tf.zeros([0]) : tf.tidy(() => st.guide.fromNoise(noise));
  const { values, logDet } = custom ? { values: custom.values, logDet: tf.zeros([1]) } : cfg.transform.forward(z);
  try {
    const terms = lj.logJointTerms(values);
    const vals = terms.map((t) => Array.from(t.dataSync()));
    terms.forEach((t) => t.dispose());
    for (let i = 0; i < vals.length; i++) {
      const bad = vals[i]!.find((x) => !Number.isFinite(x));
      if (bad !== undefined && lj.terms[i]) return nonFiniteTerm(lj.terms[i]!.text, lj.terms[i]!.span, st.step + 1, bad);
    }
    const ld = Array.from(logDet.dataSync());
    if (ld.some((x) => !Number.isFinite(x))) return nonFiniteGuide(st.step + 1, "the log-Jacobian of the constraint transforms overflowed: the unconstrained draws are extreme");
    return nonFiniteGuide(st.step + 1, Number.isFinite(elbo) ? "the gradient is non-finite" : "the guide's density or entropy is non-finite");
  } finally {
    disposeValues(values);
    logDet.dispose();
    z.dispose();
  }
}

// ------------------------------------------------------------------------------ checkpoints

export interface AdviCheckpoint {
  readonly format: "vippl-checkpoint";
  readonly version: 1;
  readonly method: "advi";
  readonly layout: readonly SavedLayout[];
  readonly step: number;
  readonly phase: Phase;
  readonly averageUntil: number;
  readonly averageFrom: number;
  readonly lrMult: number;
  readonly nonFiniteSteps: number;
  readonly guide: GuideState;
  readonly params: Readonly<Record<string, number[]>>;
  readonly adam: AdamStateData;
  readonly snapshot: { t: number; values: number[][] };
  readonly avg: number[][];
  readonly avgCount: number;
  readonly rng: { key: string; alea: RngState; spareNormal?: number };
  readonly batchRng: { key: string; alea: RngState; spareNormal?: number };
  readonly trace: readonly number[];
  readonly monitor: ConvergenceState;
  readonly clipNorms: readonly number[];
  readonly verdict?: ConvergenceVerdict;
  readonly initHow: string;
  readonly seconds: number;
}

export function adviCheckpoint(cfg: AdviConfig, st: AdviState): AdviCheckpoint {
  const read = (v: tf.Tensor): number[] => Array.from(v.dataSync());
  return {
    format: "vippl-checkpoint",
    version: 1,
    method: "advi",
    layout: savedLayout(cfg.logJoint.latents),
    step: st.step,
    phase: st.phase,
    averageUntil: st.averageUntil,
    averageFrom: st.averageFrom,
    lrMult: st.lrMult,
    nonFiniteSteps: st.nonFiniteSteps,
    guide: st.guide.state(),
    params: Object.fromEntries([...cfg.logJoint.params].map(([k, v]) => [k, read(v)])),
    adam: st.adam.state(),
    snapshot: { t: st.snapshot.t, values: st.snapshot.read() },
    avg: st.avg.map(read),
    avgCount: st.avgCount,
    rng: st.rng.state(),
    batchRng: st.batchRng.state(),
    trace: [...st.trace],
    monitor: JSON.parse(JSON.stringify(st.monitor.state)) as ConvergenceState,
    clipNorms: [...st.clip.norms],
    ...(st.verdict ? { verdict: st.verdict } : {}),
    initHow: st.initHow,
    seconds: st.seconds,
  };
}

export function adviResume(cfg: AdviConfig, c: AdviCheckpoint): AdviState {
  checkCheckpointHeader(c, "advi", "ADVI");
  const problem = layoutMismatch(c.layout, cfg.logJoint);
  if (problem) throw new PplError([badSavedFit(`the checkpoint does not match this model: ${problem}`)]);
  const resolved = adviFamily(cfg);
  // Under "auto" a small model falls back from full-rank to mean-field when the start found no mode.
  const family = cfg.options.family === "auto" && resolved === "fullrank" && c.guide.family === "meanfield" ? "meanfield" : resolved;
  if (c.guide.family !== family) throw new PplError([badSavedFit(`the checkpoint's family is '${c.guide.family}', but the fit asks for '${family}'`)]);
  const guide = family === "custom" ? customGuide(cfg).load(c.guide) : guideFromState(c.guide);
  const st = makeState(cfg, guide, c.initHow, Rng.restore(c.rng), Rng.restore(c.batchRng));
  tf.tidy(() => {
    for (const [k, v] of cfg.logJoint.params) {
      const vals = c.params[k];
      if (vals) v.assign(tf.tensor(Float32Array.from(vals), v.shape, "float32"));
    }
    st.avg.forEach((a, i) => a.assign(tf.tensor(Float32Array.from(c.avg[i]!), a.shape, "float32")));
  });
  st.adam.restore(c.adam);
  st.snapshot.write(c.snapshot.t, c.snapshot.values);
  st.step = c.step;
  st.phase = c.phase;
  st.averageUntil = c.averageUntil;
  st.averageFrom = c.averageFrom;
  st.lrMult = c.lrMult;
  st.nonFiniteSteps = c.nonFiniteSteps;
  st.avgCount = c.avgCount;
  st.trace.push(...c.trace);
  st.monitor.state = JSON.parse(JSON.stringify(c.monitor)) as ConvergenceState;
  st.clip.norms = [...c.clipNorms];
  st.verdict = c.verdict;
  st.seconds = c.seconds;
  return st;
}
