/**
 * ADVI as a method runner: the init -> step loop of advi.ts with progress reports, checkpoints
 * and resume, returning the fitted Gaussian approximation.
 */
import { PplError } from "../language/index.js";
import { adviCheckpoint, adviDispose, adviFinalise, adviInit, adviResume, adviStep, type AdviCheckpoint, type AdviConfig, type AdviState } from "./advi.js";
import { CustomApproximation, GaussianApproximation } from "./approximation/index.js";
import { CustomGuide } from "./guide/index.js";
import { checkpointHook, readCheckpoint } from "./checkpoint.js";
import { badOptionValue, nothingToFit } from "./errors.js";
import { runStepLoop } from "./step-loop.js";
import { type MethodContext, type MethodOutcome, type MethodRunner } from "./method.js";
import type { ResolvedOptions } from "./options.js";
import type { LogJoint } from "./target.js";
import { LatentTransform } from "./transform.js";

export const ADVI_RUNNER: MethodRunner = {
  async run(ctx: MethodContext): Promise<MethodOutcome> {
    const t = ctx.target;
    const lj = t.logJoint;
    const o = adaptDefaults(ctx.options, lj);
    if (o.estimator === "score") throw new PplError([badOptionValue("estimator", "score", "'reparam' for method 'advi' (the score-function estimator comes with method 'bbvi')")]);
    if (lj.unconstrainedSize === 0) throw new PplError([nothingToFit(t.name ?? "this model")]);
    const resume = o.resume !== undefined ? await readCheckpoint<AdviCheckpoint>(o.resume) : undefined;
    const transform = new LatentTransform(lj.latents, lj.unconstrainedSize);
    const cfg: AdviConfig = { options: o, logJoint: lj, transform, ...(t.minibatch ? { minibatch: t.minibatch } : {}) };
    const st = resume ? adviResume(cfg, resume) : adviInit(cfg, ctx.rng);
    const priorSeconds = st.seconds;
    try {
      await loop(cfg, st, o, ctx.startedAt, priorSeconds);
    } catch (e) {
      adviDispose(st);
      throw e;
    }
    const verdict = adviFinalise(st);
    adviDispose(st, { keepGuide: true });
    return {
      approximation: st.guide instanceof CustomGuide ? new CustomApproximation(st.guide) : new GaussianApproximation(st.guide, transform, true),
      trace: st.trace,
      converged: verdict.converged,
      reason: verdict.reason,
      steps: st.step,
      init: st.initHow,
      nonFiniteSteps: st.nonFiniteSteps,
      priorSeconds,
    };
  },
};

/**
 * Defaults that depend on the model. An amortised guide (a guide block whose encoder is a
 * network) gets one Monte Carlo sample per step unless `samples` is set: the standard VAE
 * estimator (Kingma and Welling use L = 1), 8x cheaper per step, its noise averaged out over the
 * data plate and the many steps networks need.
 */
function adaptDefaults(o: ResolvedOptions, lj: LogJoint): ResolvedOptions {
  const g = lj.guide;
  const amortised = !!g && (o.family === "auto" || o.family === "custom") && (g.sharedParams.size > 0 || [...g.params.values()].some((v) => lj.networkWeights?.has(v)));
  return amortised && !o.given.has("samples") ? { ...o, samples: 1 } : o;
}

async function loop(cfg: AdviConfig, st: AdviState, o: ResolvedOptions, start: number, baseSeconds: number): Promise<void> {
  await runStepLoop(st, o, () => adviStep(cfg, st), { afterStep: checkpointHook(o, st, start, baseSeconds, () => adviCheckpoint(cfg, st)) });
}
