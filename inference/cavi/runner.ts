/**
 * CAVI as a method runner: binds the graph's conjugacy analysis to the data, sweeps to
 * convergence (restarting mixtures from several seeds), and returns the product-form q with the
 * closed-form ELBO (fit() reports it instead of a Monte Carlo estimate).
 */
import { PplError } from "../../language/index.js";
import type { MethodContext, MethodOutcome, MethodRunner } from "../method.js";
import { bindModel } from "./bind.js";
import { CaviApproximation } from "./approximation.js";
import { CaviEngine } from "./engine.js";
import { cannotEvaluate, needsGraph, notConjugate } from "./errors.js";
import { EvalFailure } from "./eval.js";

/** Sweeps at most (a user's maxSteps is honoured when smaller). */
const MAX_SWEEPS = 1000;
/** Relative ELBO change at which CAVI stops. */
const REL_TOL = 1e-10;
const RESTARTS = 5;

export const CAVI_RUNNER: MethodRunner = {
  async run(ctx: MethodContext): Promise<MethodOutcome> {
    const t = ctx.target;
    const o = ctx.options;
    if (!t.graph) throw new PplError([needsGraph()]);
    const conj = t.graph.analyses.conjugacy;
    const bad = [...conj.latents.values()].find((l) => !l.conjugate);
    if (bad) throw new PplError([notConjugate(bad.node, bad.breaking!.reason, bad.breaking!.span, ["advi"])]);
    let bound;
    try {
      bound = bindModel(t.graph, t.data, conj);
    } catch (e) {
      if (e instanceof EvalFailure) throw new PplError([cannotEvaluate(e.message, t.graph.span)]);
      throw e;
    }
    const engine = new CaviEngine(bound);
    const maxSweeps = Math.min(o.maxSteps, MAX_SWEEPS);
    const run = engine.run(
      {
        relTol: REL_TOL,
        maxSweeps,
        restarts: RESTARTS,
        ...(o.onProgress
          ? { onSweep: (sweep: number, elbo: number) => o.onProgress!({ step: sweep, elbo, stepsPerSecond: 0, secondsLeft: 0, phase: "sweep" }) }
          : {}),
      },
      ctx.rng.fork("cavi"),
    );
    return {
      approximation: CaviApproximation.fromModel(bound),
      trace: run.trace,
      converged: run.converged,
      reason: run.converged
        ? `the relative ELBO change fell below ${REL_TOL} after ${run.sweeps} sweeps${run.restarts > 1 ? ` (best of ${run.restarts} restarts: ${run.convergedRestarts} converged, ${run.prunedRestarts} pruned as unable to reach the best ELBO)` : ""}`
        : `stopped at ${run.sweeps} sweeps before the relative ELBO change fell below ${REL_TOL}`,
      steps: run.sweeps,
      init: run.restarts > 1 ? `${run.restarts} restarts from random responsibilities, best ELBO kept` : "q factors at their defaults, swept in dependency order",
      nonFiniteSteps: 0,
      exactElbo: run.elbo,
      extras: { sweeps: run.sweeps, restarts: run.restarts, restartElbos: [...run.restartElbos], restartSweeps: [...run.restartSweeps], convergedRestarts: run.convergedRestarts, prunedRestarts: run.prunedRestarts, totalSweeps: run.totalSweeps, maxElboDecrease: run.maxDecrease },
    };
  },
};
