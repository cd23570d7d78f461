/**
 * `fit(target, options)`: validates the options, picks the method (registry.ts), runs its runner,
 * then does the finish every method shares: draws from the approximation with their importance
 * weights, the final ELBO estimate (or the method's closed form), Pareto k, the summary and the
 * FitResult. User mistakes throw a PplError carrying diagnostics; nothing else throws on a
 * user's behalf.
 */
import { PplError } from "../language/index.js";
import { initBackend, Rng } from "../stdlib/index.js";
import { concatDraws, drawPosterior } from "./draws.js";
import { badOptionValue } from "./errors.js";
import { now, type FitTarget, type MethodOutcome } from "./method.js";
import { validateOptions, type FitOptions } from "./options.js";
import { paretoK } from "./psis.js";
import { modelFeatures, resolveMethod } from "./registry.js";
import { FitResult, savedLayout, summarise } from "./result.js";
import type { LogJoint } from "./target.js";

export type { FitTarget } from "./method.js";

/** Draws with importance weights at the end (each costs a full log-joint evaluation). */
const FINAL_WEIGHTED = 1000;

export async function fit(target: LogJoint | FitTarget, options: FitOptions = {}): Promise<FitResult> {
  await initBackend();
  const t: FitTarget = "logJoint" in target && typeof (target as FitTarget).logJoint === "object" && !("latents" in target) ? (target as FitTarget) : { logJoint: target as LogJoint };
  const v = validateOptions(options);
  if (!v.value) throw new PplError(v.diagnostics);
  const o = v.value;
  const lj = t.logJoint;
  const resolved = resolveMethod(o.method, modelFeatures(lj, t.graph));
  if (!resolved.method?.runner) throw new PplError(resolved.diagnostics);
  if (o.batchSize !== undefined && !t.minibatch) throw new PplError([badOptionValue("batchSize", o.batchSize, "unset: this model has no plate to subsample")]);
  const seed = new Rng(o.seed);
  const start = now();
  const out: MethodOutcome = await resolved.method.runner.run({ target: t, options: o, rng: seed, startedAt: start });
  const q = out.approximation;
  try {
    // The summary from finalSamples draws (no log joint needed beyond the deterministics); the
    // final ELBO and Pareto k from the first min(finalSamples, 1000) of them, with their weights.
    const nw = Math.min(o.finalSamples, FINAL_WEIGHTED);
    const finalRng = seed.fork("final");
    const weighted = drawPosterior(q, lj, nw, finalRng, { weights: true });
    const rest = o.finalSamples > nw ? drawPosterior(q, lj, o.finalSamples - nw, finalRng) : undefined;
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
        guide: q.state(),
        params,
        elbo: out.exactElbo ?? mean,
        elboSe: out.exactElbo !== undefined ? 0 : Math.sqrt(ss / (lw.length - 1) / lw.length),
        trace: out.trace,
        converged: out.converged,
        reason: out.reason,
        steps: out.steps,
        seconds: (out.priorSeconds ?? 0) + (now() - start) / 1000,
        diagnostics: { paretoK: pk.k, verdict: pk.verdict, message: pk.message, init: out.init, nonFiniteSteps: out.nonFiniteSteps, ...(out.extras ? { extras: out.extras } : {}) },
        summary: summarise(draws),
      },
      lj,
      t.ownsLogJoint ?? false,
    );
  } finally {
    q.dispose();
    out.dispose?.();
  }
}
