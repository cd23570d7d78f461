/**
 * ADVI as a method runner: the init -> step loop of advi.ts with progress reports, checkpoints
 * and resume, returning the fitted Gaussian approximation.
 */
import { PplError } from "../language/index.js";
import { adviCheckpoint, adviDispose, adviFinalise, adviInit, adviResume, adviStep, type AdviCheckpoint, type AdviConfig, type AdviState } from "./advi.js";
import { CustomApproximation, GaussianApproximation } from "./approximation/index.js";
import { CustomGuide } from "./guide/index.js";
import { badOptionValue, badSavedFit, nothingToFit } from "./errors.js";
import { runStepLoop } from "./step-loop.js";
import { now, type MethodContext, type MethodOutcome, type MethodRunner } from "./method.js";
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
    const resume = o.resume !== undefined ? await readCheckpoint(o.resume) : undefined;
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
  await runStepLoop(st, o, () => adviStep(cfg, st), {
    afterStep: async () => {
      if (!o.checkpoint || st.step % o.checkpoint.every !== 0 || st.done) return;
      st.seconds = baseSeconds + (now() - start) / 1000;
      const c = adviCheckpoint(cfg, st);
      o.checkpoint.onCheckpoint?.(c);
      if (o.checkpoint.path) await writeJson(o.checkpoint.path, c);
    },
  });
}

async function readCheckpoint(r: unknown): Promise<AdviCheckpoint> {
  if (typeof r === "string") {
    try {
      const fs = await import("node:fs/promises");
      return JSON.parse(await fs.readFile(r, "utf8")) as AdviCheckpoint;
    } catch (e) {
      throw new PplError([badSavedFit(`cannot read the checkpoint '${r}': ${(e as Error).message}`)]);
    }
  }
  return r as AdviCheckpoint;
}

async function writeJson(path: string, data: unknown): Promise<void> {
  const fs = await import("node:fs/promises");
  const tmp = `${path}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(data));
  await fs.rename(tmp, path);
}
