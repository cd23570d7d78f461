/**
 * `fit(logJoint, options)`: validates the options, picks the method, runs it with progress
 * reports and checkpoints, and returns the FitResult. User mistakes throw a PplError carrying
 * diagnostics; nothing else throws on a user's behalf.
 */
import * as tf from "@tensorflow/tfjs";
import { PplError } from "../language/index.js";
import { initBackend, Rng } from "../stdlib/index.js";
import { adviCheckpoint, adviDispose, adviFinalise, adviInit, adviResume, adviStep, type AdviCheckpoint, type AdviConfig, type AdviState } from "./advi.js";
import { concatDraws, drawPosterior } from "./draws.js";
import { badOptionValue, badSavedFit, nothingToFit } from "./errors.js";
import { validateOptions, type FitOptions, type ResolvedOptions } from "./options.js";
import { paretoK } from "./psis.js";
import { modelFeatures, resolveMethod } from "./registry.js";
import { FitResult, savedLayout, summarise } from "./result.js";
import type { LogJoint, MinibatchSource } from "./target.js";
import { LatentTransform } from "./transform.js";

export interface FitTarget {
  readonly logJoint: LogJoint;
  readonly minibatch?: MinibatchSource;
  /** The model's name, for messages. */
  readonly name?: string;
  /** The result takes the log joint over (its dispose() frees it). */
  readonly ownsLogJoint?: boolean;
}

/** Draws with importance weights at the end (each costs a full log-joint evaluation). */
const FINAL_WEIGHTED = 1000;

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());
const yieldToEventLoop = (): Promise<void> => new Promise((r) => (typeof setImmediate === "function" ? setImmediate(r) : setTimeout(r, 0)));

export async function fit(target: LogJoint | FitTarget, options: FitOptions = {}): Promise<FitResult> {
  await initBackend();
  const t: FitTarget = "logJoint" in target && typeof (target as FitTarget).logJoint === "object" && !("latents" in target) ? (target as FitTarget) : { logJoint: target as LogJoint };
  const v = validateOptions(options);
  if (!v.value) throw new PplError(v.diagnostics);
  const o = v.value;
  const lj = t.logJoint;
  const resolved = resolveMethod(o.method, modelFeatures(lj));
  if (!resolved.method) throw new PplError(resolved.diagnostics);
  if (o.estimator === "score") throw new PplError([badOptionValue("estimator", "score", "'reparam' for method 'advi' (the score-function estimator comes with method 'bbvi')")]);
  if (lj.unconstrainedSize === 0) throw new PplError([nothingToFit(t.name ?? "this model")]);
  if (o.batchSize !== undefined && !t.minibatch) throw new PplError([badOptionValue("batchSize", o.batchSize, "unset: this model has no plate to subsample")]);
  const resume = o.resume !== undefined ? await readCheckpoint(o.resume) : undefined;

  const transform = new LatentTransform(lj.latents, lj.unconstrainedSize);
  const cfg: AdviConfig = { options: o, logJoint: lj, transform, ...(t.minibatch ? { minibatch: t.minibatch } : {}) };
  const seed = new Rng(o.seed);
  const start = now();
  const st = resume ? adviResume(cfg, resume) : adviInit(cfg, seed);
  const baseSeconds = st.seconds;
  try {
    await run(cfg, st, o, start, baseSeconds);
    const verdict = adviFinalise(st);
    // The summary from finalSamples draws (no log joint needed beyond the deterministics); the
    // final ELBO and Pareto k from the first min(finalSamples, 1000) of them, with their weights.
    const nw = Math.min(o.finalSamples, FINAL_WEIGHTED);
    const finalRng = seed.fork("final");
    const weighted = drawPosterior(st.guide, transform, lj, nw, finalRng, { weights: true });
    const rest = o.finalSamples > nw ? drawPosterior(st.guide, transform, lj, o.finalSamples - nw, finalRng) : undefined;
    const draws = rest ? concatDraws(weighted, rest) : weighted;
    const lw = weighted.logWeights!;
    let mean = 0;
    for (const x of lw) mean += x;
    mean /= lw.length;
    let ss = 0;
    for (const x of lw) ss += (x - mean) ** 2;
    const pk = paretoK(lw);
    const params = Object.fromEntries([...lj.params].map(([k, p]) => [k, { shape: [...p.shape], values: Array.from(p.dataSync()) }]));
    return new FitResult(
      {
        method: resolved.method.name,
        methodReason: resolved.reason,
        layout: savedLayout(lj.latents),
        guide: st.guide.state(),
        params,
        elbo: mean,
        elboSe: Math.sqrt(ss / (lw.length - 1) / lw.length),
        trace: st.trace,
        converged: verdict.converged,
        reason: verdict.reason,
        steps: st.step,
        seconds: baseSeconds + (now() - start) / 1000,
        diagnostics: { paretoK: pk.k, verdict: pk.verdict, message: pk.message, init: st.initHow, nonFiniteSteps: st.nonFiniteSteps },
        summary: summarise(draws),
      },
      lj,
      t.ownsLogJoint ?? false,
    );
  } finally {
    adviDispose(st);
  }
}

async function run(cfg: AdviConfig, st: AdviState, o: ResolvedOptions, start: number, baseSeconds: number): Promise<void> {
  let lastReport = now();
  let lastStep = st.step;
  while (!st.done) {
    adviStep(cfg, st);
    if (st.step === lastStep) continue; // a rejected step
    if (o.onProgress && st.step % o.progressEvery === 0) {
      const tNow = now();
      const rate = (st.step - lastStep) / Math.max(1e-9, (tNow - lastReport) / 1000);
      const recent = st.trace.slice(-o.progressEvery);
      const left = (st.phase === "average" ? st.averageUntil : o.maxSteps) - st.step;
      o.onProgress({ step: st.step, elbo: recent.reduce((a, b) => a + b, 0) / recent.length, stepsPerSecond: rate, secondsLeft: left / Math.max(rate, 1e-9), phase: st.phase });
      lastReport = tNow;
      lastStep = st.step;
      await yieldToEventLoop();
    } else if (!o.onProgress) {
      lastStep = st.step;
    }
    if (o.checkpoint && st.step % o.checkpoint.every === 0 && !st.done) {
      st.seconds = baseSeconds + (now() - start) / 1000;
      const c = adviCheckpoint(cfg, st);
      o.checkpoint.onCheckpoint?.(c);
      if (o.checkpoint.path) await writeJson(o.checkpoint.path, c);
    }
  }
  void tf;
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
