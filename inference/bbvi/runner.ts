/**
 * Black-box VI as a method runner: finds each discrete latent's support and variational family,
 * builds the Gaussian guide over the continuous latents, runs bbvi.ts's loop with progress
 * reports, and returns the mixed approximation with the per-latent estimators and gradient
 * variances as extras.
 */
import * as tf from "@tensorflow/tfjs";
import { PplError, type Diagnostic } from "../../language/index.js";
import { MixedApproximation } from "../approximation/index.js";
import { nothingToFit } from "../errors.js";
import { DISCRETE_FAMILIES, makeGuide, type DiscreteFactor, type Guide } from "../guide/index.js";
import { type MethodContext, type MethodOutcome, type MethodRunner } from "../method.js";
import { runStepLoop } from "../step-loop.js";
import type { FamilyName, ResolvedOptions } from "../options.js";
import type { LatentLayout, LogJoint } from "../target.js";
import { LatentTransform } from "../transform.js";
import { checkpointHook, readCheckpoint } from "../checkpoint.js";
import { bbviCheckpoint, bbviDispose, bbviFinalise, bbviInit, bbviResume, bbviStep, type BbviCheckpoint, type BbviConfig, type BbviState } from "./bbvi.js";
import { bbviUnsupportedOption, noDiscreteFamily, unknownSupport } from "./errors.js";
import { blanketUses } from "./rao-blackwell.js";
import { bbviStart } from "./start.js";
import { probeSupport } from "./support.js";
import type { GraphIR } from "../../compiler/index.js";

export const BBVI_RUNNER: MethodRunner = {
  async run(ctx: MethodContext): Promise<MethodOutcome> {
    const o = ctx.options;
    const t = ctx.target;
    const lj = t.logJoint;
    checkOptions(o, lj);
    if (lj.latents.length === 0 && lj.params.size === 0) throw new PplError([nothingToFit(t.name ?? "this model")]);
    const transform = new LatentTransform(lj.latents, lj.unconstrainedSize);
    const factors = discreteFactors(lj, t.graph, transform);
    const dim = lj.unconstrainedSize;
    const family: FamilyName = o.family === "fullrank" || o.family === "lowrank" ? o.family : "meanfield";
    const cfg: BbviConfig = { options: o, logJoint: lj, transform, ...(t.graph ? { graph: t.graph } : {}) };
    let st: BbviState;
    let initHow: string;
    try {
      if (o.resume !== undefined) {
        // A resumed run takes its guide, factors' parameters and streams from the checkpoint.
        const c = await readCheckpoint<BbviCheckpoint>(o.resume);
        st = bbviResume(cfg, c, family, factors);
        initHow = c.initHow;
      } else {
        const start = bbviStart(lj, t.graph, t.data, transform, factors, blanketUses(lj, t.graph, factors.map((f) => f.latent), true), o, ctx.rng.fork("start"));
        const guide: Guide | null = dim > 0 ? makeGuide(family, dim, start.init.init, { rank: o.rank, rng: ctx.rng.fork("guide") }) : null;
        st = bbviInit(cfg, guide, factors, ctx.rng.fork("steps"));
        initHow = start.how;
      }
    } catch (e) {
      for (const f of factors) f.dispose();
      throw e;
    }
    const guide = st.guide;
    const priorSeconds = st.seconds;
    try {
      await loop(cfg, st, o, ctx.startedAt, priorSeconds, initHow);
    } catch (e) {
      bbviDispose(st);
      guide?.dispose();
      for (const f of factors) f.dispose();
      throw e;
    }
    const verdict = bbviFinalise(st);
    bbviDispose(st);
    return {
      approximation: new MixedApproximation(guide, transform, factors, true),
      trace: st.trace,
      converged: verdict.converged,
      reason: verdict.reason,
      steps: st.step,
      init: initHow,
      nonFiniteSteps: st.nonFiniteSteps,
      priorSeconds,
      extras: {
        estimators: Object.fromEntries(lj.latents.map((l) => [l.name, l.discrete ? "score" : "reparam"])),
        discreteFamilies: Object.fromEntries(factors.map((f) => [f.latent.name, f.family])),
        controlVariate: o.controlVariate,
        raoBlackwell: o.raoBlackwell,
        gradientVariance: Object.fromEntries(st.gradientVariance),
      },
    };
  },
};

function checkOptions(o: ResolvedOptions, lj: LogJoint): void {
  const bad: Diagnostic[] = [];
  if (o.batchSize !== undefined) bad.push(bbviUnsupportedOption("batchSize", "it does not subsample plates yet", "fit the full data (drop batchSize), or use method 'advi' for a model without discrete latents"));
  if (o.family === "custom") bad.push(bbviUnsupportedOption("family", "guide blocks are not used by black-box VI yet", "drop family 'custom': bbvi builds its own guide (a Gaussian over the continuous latents, a factor per discrete element)"));
  if (o.estimator === "score" && lj.unconstrainedSize > 0) {
    bad.push(bbviUnsupportedOption("estimator", "score-function gradients for continuous latents are not available; bbvi gives them reparameterised gradients", "drop estimator 'score': discrete latents always get score-function gradients"));
  }
  if (bad.length > 0) throw new PplError(bad);
}

/** A factor per discrete latent, its family chosen from its support (the first family that fits). */
function discreteFactors(lj: LogJoint, graph: GraphIR | undefined, transform: LatentTransform): DiscreteFactor[] {
  const discrete = lj.latents.filter((l) => l.discrete);
  if (discrete.length === 0) return [];
  // The start: continuous latents at the image of 0, discrete ones at their declared lower bound (or 0).
  const start = new Map<string, tf.Tensor>();
  const z = tf.zeros([1, transform.dim]);
  const fwd = transform.forward(z);
  z.dispose();
  fwd.logDet.dispose();
  for (const [k, v] of fwd.values) start.set(k, v);
  for (const l of discrete) start.set(l.name, tf.fill([1, ...l.shape], lowerOf(l)));
  const out: DiscreteFactor[] = [];
  const problems: Diagnostic[] = [];
  try {
    for (const l of discrete) {
      const s = probeSupport(lj, graph, l, start);
      if (typeof s === "string") {
        problems.push(unknownSupport(l.name, s, l.span));
        continue;
      }
      const fam = DISCRETE_FAMILIES.find((f) => f.fits(s));
      if (!fam) {
        problems.push(noDiscreteFamily(l.name, `lowest value ${Math.min(...s.lower)}, highest ${Math.max(...s.upper)}`, l.span));
        continue;
      }
      out.push(fam.create(l, s));
    }
  } finally {
    for (const v of start.values()) v.dispose();
  }
  if (problems.length > 0) {
    for (const f of out) f.dispose();
    throw new PplError(problems);
  }
  return out;
}

function lowerOf(l: LatentLayout): number {
  const c = l.constraint;
  return c.kind === "integer" && typeof c.lower === "number" ? c.lower : 0;
}

async function loop(cfg: BbviConfig, st: BbviState, o: ResolvedOptions, start: number, baseSeconds: number, initHow: string): Promise<void> {
  await runStepLoop(st, o, () => bbviStep(cfg, st), {
    progress: () => ({ gradientVariance: Object.fromEntries(st.gradientVariance) }),
    afterStep: checkpointHook(o, st, start, baseSeconds, () => bbviCheckpoint(cfg, st, initHow)),
  });
}
