/**
 * Black-box VI (Ranganath et al., 2014) as init -> step -> finalise with explicit state (STYLE.md
 * convention 7), with mixed estimators: the continuous latents (a Gaussian guide in unconstrained
 * space, as ADVI's) and the model's params get reparameterised gradients; every discrete latent
 * gets score-function gradients (elbo-score.ts) from its per-element factors, Rao-Blackwellised
 * over its Markov blanket (rao-blackwell.ts), with optimal control variates by default.
 *
 * A step draws S samples, runs the reparameterised pass (a gradient of the log joint, only when
 * there is something continuous to fit) and the score pass (the log joint element by element, no
 * gradient), and takes one Adam step on everything (optim.ts: decaying step size, clipping,
 * snapshot rollback on a non-finite step). After the convergence rule fires (convergence.ts) the
 * iterates are averaged with three times the samples per step, as ADVI does.
 */
import * as tf from "@tensorflow/tfjs";
import { advancePhase, disposeOptimiserSlots, finishAveraging, optimiserSlots, type OptimiserSlots } from "../averaging.js";
import type { ElementTerm, GraphIR } from "../../compiler/index.js";
import { PplError } from "../../language/index.js";
import { Rng, type RngState } from "../../stdlib/index.js";
import { checkCheckpointHeader } from "../checkpoint.js";
import { ConvergenceMonitor, type ConvergenceState, type ConvergenceVerdict } from "../convergence.js";
import { badSavedFit } from "../errors.js";
import { nextBaseline, scoreFunctionGradient, type ControlVariate } from "../elbo-score.js";
import { guideFromState, type DiscreteFactor, type DiscreteFactorState, type Guide, type GuideState } from "../guide/index.js";
import { ClipRule, decayedRate, disposeStepScale, globalNorm, type AdamStateData, type StepScale } from "../optim.js";
import { layoutMismatch, savedLayout, type SavedLayout } from "../result.js";
import type { ResolvedOptions } from "../options.js";
import type { LogJoint } from "../target.js";
import { disposeValues, type LatentTransform } from "../transform.js";
import { nonFiniteElbo } from "./errors.js";
import { blanketSignal, blanketUses, type TermUse } from "./rao-blackwell.js";

export interface BbviConfig {
  readonly options: ResolvedOptions;
  readonly logJoint: LogJoint;
  readonly graph?: GraphIR;
  readonly transform: LatentTransform;
}

export interface BbviState extends OptimiserSlots {
  step: number;
  phase: "optimise" | "average";
  averageUntil: number;
  /** The step averaging started at (set when it starts). */
  averageFrom?: number;
  lrMult: number;
  failures: number;
  nonFiniteSteps: number;
  readonly guide: Guide | null;
  readonly factors: readonly DiscreteFactor[];
  /** How each log-joint term enters each discrete latent's signal. */
  readonly uses: ReadonlyMap<string, readonly TermUse[]>;
  readonly rng: Rng;
  readonly trace: number[];
  readonly monitor: ConvergenceMonitor;
  readonly clip: ClipRule;
  /** Decaying baselines per discrete latent (controlVariate "decaying"). */
  readonly baselines: Map<string, tf.Tensor>;
  /** Running mean (exponential, 0.9) of each discrete latent's gradient variance estimate. */
  readonly gradientVariance: Map<string, number>;
  verdict: ConvergenceVerdict | undefined;
  done: boolean;
  /** Seconds spent fitting before the last checkpoint (for resumed runs). */
  seconds: number;
}

const MAX_FAILURES = 8;
const WINDOW_FACTOR = 4;
const AVERAGE_SAMPLES_FACTOR = 3;

export function bbviInit(cfg: BbviConfig, guide: Guide | null, factors: readonly DiscreteFactor[], rng: Rng): BbviState {
  const o = cfg.options;
  const params = [...cfg.logJoint.params.values()];
  const variables = [...(guide?.variables ?? []), ...factors.map((f) => f.variable), ...params];
  return {
    step: 0,
    phase: "optimise",
    averageUntil: o.maxSteps,
    lrMult: 1,
    failures: 0,
    nonFiniteSteps: 0,
    guide,
    factors,
    uses: blanketUses(cfg.logJoint, cfg.graph, factors.map((f) => f.latent), o.raoBlackwell),
    ...optimiserSlots(variables),
    rng,
    trace: [],
    // Score-function ELBO estimates are noisier and discrete logits move slowly: windows and the
    // earliest verdict are WINDOW_FACTOR times ADVI's (measured: spike_slab stopped at step 150, far
    // from its optimum, with ADVI's 25-step window).
    monitor: new ConvergenceMonitor(WINDOW_FACTOR * o.window, o.tolerance, WINDOW_FACTOR * o.minSteps, 2),
    clip: new ClipRule(o.clipNorm === "auto" ? undefined : o.clipNorm),
    baselines: new Map(),
    gradientVariance: new Map(),
    verdict: undefined,
    done: false,
    seconds: 0,
  };
}

/** One draw of everything: noise for the guide, discrete values, owned by the caller. */
interface Draw {
  readonly noise: tf.Tensor | null;
  readonly discrete: Map<string, tf.Tensor>;
}

function drawAll(st: BbviState, s: number): Draw {
  const noise = st.guide ? st.guide.noise(s, st.rng) : null;
  const discrete = new Map<string, tf.Tensor>();
  for (const f of st.factors) discrete.set(f.latent.name, f.sample(s, st.rng));
  return { noise, discrete };
}

/** The log joint element by element at one draw, with the continuous guide's log q and log-Jacobian, [S] each. */
export interface JointEval {
  readonly terms: ElementTerm[];
  readonly logDet: tf.Tensor;
  readonly logQc: tf.Tensor;
}

function disposeJoint(j: JointEval): void {
  for (const t of j.terms) t.t.dispose();
  j.logDet.dispose();
  j.logQc.dispose();
}

/** Per-draw sum of element terms, [S]. */
function sumTerms(terms: readonly ElementTerm[], s: number): tf.Tensor {
  const sums = terms.map((t) => tf.reshape(t.axes.length === 0 ? t.t : tf.sum(t.t, [...Array(t.t.rank - 1).keys()].map((k) => k + 1)), [-1]));
  return sums.length > 0 ? tf.add(tf.addN(sums), tf.zeros([s])) : tf.zeros([s]);
}

function drawCount(d: Draw): number {
  return d.discrete.values().next().value?.shape[0] ?? d.noise?.shape[0] ?? 1;
}

/**
 * Evaluates the log joint once at draw `d`, element by element: the terms feed the score part,
 * and, when there are continuous latents or params, their sum is differentiated for the
 * reparameterised part in the same evaluation (one forward pass per step instead of two).
 * Returns the loss gradients (-ELBO) of the guide's and params' variables.
 */
function jointPass(cfg: BbviConfig, st: Pick<BbviState, "guide">, d: Draw): { joint: JointEval; grads: Map<tf.Variable, tf.Tensor> } {
  const lj = cfg.logJoint;
  const s = drawCount(d);
  const evaluate = (): { joint: JointEval; target: tf.Tensor } => {
    const values = new Map(d.discrete);
    let logDet: tf.Tensor = tf.zeros([s]);
    let logQc: tf.Tensor = tf.zeros([s]);
    let extra: tf.Tensor = tf.zeros([s]);
    if (st.guide) {
      const z = st.guide.fromNoise(d.noise!);
      const fwd = cfg.transform.forward(z);
      for (const [k, v] of fwd.values) values.set(k, v);
      logDet = fwd.logDet;
      logQc = st.guide.logProb(z, { stopGradient: true });
      extra = cfg.options.entropy === "analytic" ? st.guide.entropy() : tf.neg(logQc);
    }
    const terms: ElementTerm[] = lj.logJointTermsByElement ? lj.logJointTermsByElement(values) : lj.logJointTerms(values).map((t) => ({ t, axes: [] }));
    const target = tf.add(tf.add(sumTerms(terms, s), logDet), extra);
    return { joint: { terms, logDet, logQc }, target };
  };
  const grads = new Map<tf.Variable, tf.Tensor>();
  const vars = [...(st.guide?.variables ?? []), ...lj.params.values()];
  if (vars.length === 0) {
    // tidy returns tensors only; the axis labels are collected beside it.
    let axes: ElementTerm["axes"][] = [];
    const joint = tf.tidy(() => {
      const r = evaluate().joint;
      axes = r.terms.map((t) => t.axes);
      return { terms: r.terms.map((t) => t.t), logDet: r.logDet, logQc: r.logQc };
    });
    return { joint: { terms: joint.terms.map((t, i) => ({ t, axes: axes[i] ?? [] })), logDet: joint.logDet, logQc: joint.logQc }, grads };
  }
  let kept: JointEval | null = null;
  const { value, grads: g } = tf.variableGrads(() => {
    const r = evaluate();
    // The terms leave the gradient's function kept (they are constants for the score part).
    kept = { terms: r.joint.terms.map((t) => ({ t: tf.keep(t.t), axes: t.axes })), logDet: tf.keep(r.joint.logDet), logQc: tf.keep(r.joint.logQc) };
    return tf.neg(tf.mean(r.target)) as tf.Scalar;
  }, vars);
  value.dispose();
  for (const v of vars) grads.set(v, g[v.name] ?? tf.zerosLike(v));
  return { joint: kept!, grads };
}

export interface ScorePass {
  /** Per-draw ELBO [S]. */
  readonly elbo: tf.Tensor;
  /** Gradient estimate per discrete latent, [E, P] (ascent direction). */
  readonly grads: Map<string, tf.Tensor>;
  /** Estimated variance (trace) of each latent's gradient estimate, scalar tensors. */
  readonly variances: Map<string, tf.Tensor>;
  /** Each latent's signals [S, E] (for the decaying baseline). */
  readonly signals: Map<string, tf.Tensor>;
}

type ScoreState = Pick<BbviState, "guide" | "factors" | "uses" | "baselines">;

/**
 * The score-function part at draw `d`: per-draw ELBOs and the discrete latents' gradient
 * estimates. Exported for the estimator tests and the benchmark.
 */
export function scorePass(cfg: BbviConfig, st: ScoreState, d: Draw, cv: ControlVariate): ScorePass {
  const { joint, grads } = jointPass(cfg, { guide: st.guide }, d);
  for (const g of grads.values()) g.dispose();
  try {
    return scoreFromJoint(cfg, st, d, joint, cv);
  } finally {
    disposeJoint(joint);
  }
}

/** The score-function part from an evaluated joint. */
function scoreFromJoint(cfg: BbviConfig, st: ScoreState, d: Draw, joint: JointEval, cv: ControlVariate): ScorePass {
  // tidy keeps tensors in plain objects (not in Maps): collect them by latent name.
  const out = tf.tidy(() => {
    const terms = joint.terms;
    const s = drawCount(d);
    const logp = sumTerms(terms, s);
    const lq = new Map(st.factors.map((f) => [f.latent.name, f.logProb(d.discrete.get(f.latent.name)!)] as const));
    let logQ: tf.Tensor = tf.sub(joint.logQc, joint.logDet);
    for (const q of lq.values()) logQ = tf.add(logQ, tf.sum(q, 1));
    const elbo = tf.sub(logp, logQ);
    const grads: Record<string, tf.Tensor> = {};
    const variances: Record<string, tf.Tensor> = {};
    const signals: Record<string, tf.Tensor> = {};
    for (const f of st.factors) {
      const name = f.latent.name;
      const uses = st.uses.get(name)!;
      const whole = uses.every((u) => u === "whole");
      // Rao-Blackwellised: the blanket's terms at this element minus its own log q; otherwise the
      // whole log p - log q of the draw for every element (plain REINFORCE).
      const signal = whole ? tf.add(tf.reshape(elbo, [-1, 1]), tf.zeros([s, f.latent.size])) : tf.sub(blanketSignal(terms, uses, f.latent, cfg.graph), lq.get(name)!);
      const est = scoreFunctionGradient(f.score(d.discrete.get(name)!), signal, cv, st.baselines.get(name) ?? null);
      grads[name] = est.grad;
      variances[name] = est.variance;
      signals[name] = signal;
    }
    return { elbo, grads, variances, signals };
  });
  const map = (r: Record<string, tf.Tensor>) => new Map(st.factors.map((f) => [f.latent.name, r[f.latent.name]!] as const));
  return { elbo: out.elbo, grads: map(out.grads), variances: map(out.variances), signals: map(out.signals) };
}

function disposeDraw(d: Draw): void {
  d.noise?.dispose();
  disposeValues(d.discrete);
}

/** One optimisation step; throws a PplError (PPL5010) when the ELBO stays non-finite. */
export function bbviStep(cfg: BbviConfig, st: BbviState): void {
  const o = cfg.options;
  const samples = st.phase === "average" ? AVERAGE_SAMPLES_FACTOR * o.samples : o.samples;
  const d = drawAll(st, samples);
  const { joint, grads: rep } = jointPass(cfg, st, d);
  let sp: ScorePass;
  try {
    sp = scoreFromJoint(cfg, st, d, joint, o.controlVariate);
  } catch (e) {
    disposeDraw(d);
    for (const g of rep.values()) g.dispose();
    throw e;
  } finally {
    disposeJoint(joint);
  }
  try {
    // Adam minimises: the loss gradient is minus the ELBO gradient.
    const gradList = st.variables.map((v) => {
      const r = rep.get(v);
      if (r) return r;
      const f = st.factors.find((x) => x.variable === v);
      const g = f ? sp.grads.get(f.latent.name) : undefined;
      return g ? tf.neg(g) : tf.zerosLike(v);
    });
    const both = tf.tidy(() => tf.stack([tf.mean(sp.elbo), globalNorm(gradList)]));
    const [elbo, norm] = both.dataSync();
    both.dispose();
    if (Number.isFinite(elbo!) && Number.isFinite(norm!)) {
      st.snapshot.save(st.adam.t);
      const thr = st.clip.threshold();
      const clip = norm! > thr ? thr / norm! : 1;
      // The guide's means step in units of their sds; logits, rates and params step as they are.
      const scales: StepScale[] = [...(st.guide?.stepScales() ?? []), ...st.factors.map(() => undefined), ...[...cfg.logJoint.params.values()].map(() => undefined)];
      st.adam.apply(gradList, decayedRate(o.learningRate, o.decaySteps, st.step) * st.lrMult, clip, scales);
      for (const s of scales) disposeStepScale(s);
      st.clip.record(norm!);
      st.step += 1;
      st.failures = 0;
      st.trace.push(elbo!);
      for (const [name, v] of sp.variances) {
        const x = v.dataSync()[0]!;
        const prev = st.gradientVariance.get(name);
        st.gradientVariance.set(name, prev === undefined || !Number.isFinite(prev) ? x : 0.9 * prev + 0.1 * x);
      }
      if (o.controlVariate === "decaying") {
        for (const [name, f] of sp.signals) {
          const old = st.baselines.get(name) ?? null;
          st.baselines.set(name, nextBaseline(f, old));
          old?.dispose();
        }
      }
      afterStep(cfg, st, elbo!);
    } else {
      st.failures += 1;
      st.nonFiniteSteps += 1;
      if (st.failures >= MAX_FAILURES) throw new PplError([nonFiniteElbo(st.step + 1, Number.isFinite(elbo!) ? "the gradient is non-finite" : `a draw's log p - log q is ${elbo}`)]);
      st.adam.t = st.snapshot.restore();
      st.lrMult /= 2;
    }
    for (const g of gradList) g.dispose();
  } finally {
    disposeDraw(d);
    for (const g of rep.values()) g.dispose();
    sp.elbo.dispose();
    for (const m of [sp.grads, sp.variances, sp.signals]) for (const t of m.values()) t.dispose();
  }
}

function afterStep(cfg: BbviConfig, st: BbviState, elbo: number): void {
  const o = cfg.options;
  advancePhase(st, elbo, { maxSteps: o.maxSteps, averageSteps: o.averageSteps, floor: 75, factor: 1 });
}

/** Replaces the iterates by their average over the averaging phase (if any). */
export function bbviFinalise(st: BbviState): ConvergenceVerdict {
  return finishAveraging(st);
}

/** Frees the optimiser's state (the guide and the factors belong to the approximation). */
export function bbviDispose(st: BbviState): void {
  disposeOptimiserSlots(st);
  for (const b of st.baselines.values()) b.dispose();
  st.baselines.clear();
}

// ------------------------------------------------------------------------------ checkpoints

type RngData = { key: string; alea: RngState; spareNormal?: number };

/** Everything bbviStep and the runner read, as plain JSON: resuming from it continues the run bit for bit. */
export interface BbviCheckpoint {
  readonly format: "vippl-checkpoint";
  readonly version: 1;
  readonly method: "bbvi";
  readonly layout: readonly SavedLayout[];
  readonly step: number;
  readonly phase: "optimise" | "average";
  readonly averageUntil: number;
  readonly averageFrom?: number;
  readonly lrMult: number;
  readonly nonFiniteSteps: number;
  /** The Gaussian guide over the continuous latents (absent when there are none). */
  readonly guide?: GuideState;
  /** The discrete factors (their logits or rates), in the run's order. */
  readonly factors: readonly DiscreteFactorState[];
  readonly params: Readonly<Record<string, number[]>>;
  readonly adam: AdamStateData;
  readonly snapshot: { t: number; values: number[][] };
  readonly avg: number[][];
  readonly avgCount: number;
  readonly rng: RngData;
  readonly trace: readonly number[];
  readonly monitor: ConvergenceState;
  readonly clipNorms: readonly number[];
  /** Decaying control-variate baselines per discrete latent. */
  readonly baselines: readonly { latent: string; shape: number[]; values: number[] }[];
  /** Running gradient-variance estimates per discrete latent (null: non-finite). */
  readonly gradientVariance: readonly [string, number | null][];
  readonly verdict?: ConvergenceVerdict;
  readonly initHow: string;
  readonly seconds: number;
}

const read = (v: tf.Tensor): number[] => Array.from(v.dataSync());

export function bbviCheckpoint(cfg: BbviConfig, st: BbviState, initHow: string): BbviCheckpoint {
  return {
    format: "vippl-checkpoint",
    version: 1,
    method: "bbvi",
    layout: savedLayout(cfg.logJoint.latents),
    step: st.step,
    phase: st.phase,
    averageUntil: st.averageUntil,
    ...(st.averageFrom !== undefined ? { averageFrom: st.averageFrom } : {}),
    lrMult: st.lrMult,
    nonFiniteSteps: st.nonFiniteSteps,
    ...(st.guide ? { guide: st.guide.state() } : {}),
    factors: st.factors.map((f) => f.state()),
    params: Object.fromEntries([...cfg.logJoint.params].map(([k, v]) => [k, read(v)])),
    adam: st.adam.state(),
    snapshot: { t: st.snapshot.t, values: st.snapshot.read() },
    avg: st.avg.map(read),
    avgCount: st.avgCount,
    rng: st.rng.state(),
    trace: [...st.trace],
    monitor: JSON.parse(JSON.stringify(st.monitor.state)) as ConvergenceState,
    clipNorms: [...st.clip.norms],
    baselines: [...st.baselines].map(([latent, b]) => ({ latent, shape: [...b.shape], values: read(b) })),
    gradientVariance: [...st.gradientVariance].map(([k, v]) => [k, Number.isFinite(v) ? v : null]),
    ...(st.verdict ? { verdict: st.verdict } : {}),
    initHow,
    seconds: st.seconds,
  };
}

/**
 * Rebuilds a run's state from its checkpoint: the guide from its state, the factors' parameters
 * assigned into `factors` (built for this model as a fresh run builds them), and everything else.
 * A PPL4105 when the checkpoint is not a BBVI checkpoint of this model and these options.
 */
export function bbviResume(cfg: BbviConfig, c: BbviCheckpoint, family: GuideState["family"], factors: readonly DiscreteFactor[]): BbviState {
  checkCheckpointHeader(c, "bbvi", "BBVI");
  const mismatch = (why: string): PplError => new PplError([badSavedFit(`the checkpoint does not match this model: ${why}`)]);
  const problem = layoutMismatch(c.layout, cfg.logJoint);
  if (problem) throw mismatch(problem);
  if ((c.guide !== undefined) !== cfg.transform.dim > 0) throw mismatch(c.guide ? "it has a guide over continuous latents, and this model has none" : "it has no guide over continuous latents, and this model has some");
  if (c.guide && c.guide.family !== family) throw new PplError([badSavedFit(`the checkpoint's family is '${c.guide.family}', but the fit asks for '${family}'`)]);
  if (c.factors.length !== factors.length) throw mismatch(`it has ${c.factors.length} discrete factors, this model ${factors.length}`);
  factors.forEach((f, i) => {
    const s = c.factors[i]!;
    if (s.latent !== f.latent.name || s.family !== f.family || s.params.length !== f.variable.size) throw mismatch(`discrete latent '${f.latent.name}' has a ${f.family} factor with ${f.variable.size} parameters, the checkpoint's '${s.latent}' a ${s.family} factor with ${s.params.length}`);
  });
  const guide = c.guide ? guideFromState(c.guide) : null;
  const st = bbviInit(cfg, guide, factors, Rng.restore(c.rng));
  const assign = (v: tf.Variable, vals: readonly number[]): void => v.assign(tf.tensor(Float32Array.from(vals), v.shape, "float32"));
  tf.tidy(() => {
    factors.forEach((f, i) => assign(f.variable, c.factors[i]!.params));
    for (const [k, v] of cfg.logJoint.params) {
      const vals = c.params[k];
      if (vals) assign(v, vals);
    }
    st.avg.forEach((a, i) => assign(a, c.avg[i]!));
  });
  st.adam.restore(c.adam);
  st.snapshot.write(c.snapshot.t, c.snapshot.values);
  st.step = c.step;
  st.phase = c.phase;
  st.averageUntil = c.averageUntil;
  if (c.averageFrom !== undefined) st.averageFrom = c.averageFrom;
  st.lrMult = c.lrMult;
  st.nonFiniteSteps = c.nonFiniteSteps;
  st.avgCount = c.avgCount;
  st.trace.push(...c.trace);
  st.monitor.state = JSON.parse(JSON.stringify(c.monitor)) as ConvergenceState;
  st.clip.norms = [...c.clipNorms];
  for (const b of c.baselines) st.baselines.set(b.latent, tf.tensor(Float32Array.from(b.values), b.shape, "float32"));
  for (const [k, v] of c.gradientVariance) st.gradientVariance.set(k, v ?? NaN);
  st.verdict = c.verdict;
  st.seconds = c.seconds;
  return st;
}
