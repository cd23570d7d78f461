/**
 * Conjugate-computation VI ('ccvi'): closed-form CAVI updates for the conjugate latents and ADVI
 * steps for the rest, in one fit. q = q_C(conjugate) x q_G(the rest), q_C a product of CAVI's
 * exponential-family factors, q_G ADVI's Gaussian in unconstrained space.
 *
 * The pattern it covers (checked, else PPL4113): every conjugate latent that shares a factor with
 * a gradient-fitted latent is a Gamma precision of that latent's Normal prior, `w ~ Normal(m, 1 /
 * sqrt(c * alpha))` with m constant and w real (automatic relevance determination, hierarchical
 * precisions). Then
 *  - the ADVI part's objective is the log joint with alpha at E_q[alpha]: the terms that involve w
 *    are linear in alpha, so its gradients in q_G are exactly those of the ELBO (the log alpha
 *    terms it gets wrong are constant in q_G);
 *  - the CAVI part is alpha's closed-form optimum given q_G: its message from the factor is
 *    [c/2, -c E_q[(w - m)^2] / 2] with E_q[w^2] = mean^2 + variance from q_G's marginals (exact,
 *    no Monte Carlo).
 * Alternating the two is coordinate ascent on the one ELBO (stochastic in the ADVI block). The
 * final ELBO is fit()'s usual estimate from draws of q with the full log joint, as for ADVI.
 */
import * as tf from "@tensorflow/tfjs";
import { PplError } from "../../language/index.js";
import type { Rng } from "../../stdlib/index.js";
import { adviDispose, adviFinalise, adviInit, adviStep, type AdviConfig } from "../advi.js";
import { GaussianApproximation, type Approximation, type ApproximationDraws, type ApproximationKind, type ApproximationState } from "../approximation/index.js";
import { guideFromState, type GuideState } from "../guide/index.js";
import type { MethodContext, MethodOutcome, MethodRunner } from "../method.js";
import { yieldToEventLoop } from "../method.js";
import type { LatentLayout, LogJoint } from "../target.js";
import { LatentTransform } from "../transform.js";
import { CAVI_KIND, CaviApproximation, type CaviState } from "./approximation.js";
import { bindModel, type BoundModel } from "./bind.js";
import { CaviEngine } from "./engine.js";
import { ccviPattern, needsGraph } from "./errors.js";
import { GaussQ, type QFactor } from "./q.js";

/** ADVI steps between two closed-form updates of the conjugate factors. */
const STEPS_PER_UPDATE = 10;

/**
 * The log joint over the gradient-fitted latents only: the conjugate ones are plugged in at
 * their current E_q (constants, [S, ...shape]).
 */
/** The latents not in `drop`, with their offsets in the shorter unconstrained vector. */
function relayout(latents: readonly LatentLayout[], drop: ReadonlySet<string>): { latents: LatentLayout[]; size: number } {
  let off = 0;
  const kept: LatentLayout[] = [];
  for (const l of latents) {
    if (drop.has(l.name)) continue;
    kept.push({ ...l, offset: off });
    off += l.unconstrainedSize;
  }
  return { latents: kept, size: off };
}

class PluggedLogJoint implements LogJoint {
  readonly latents: readonly LatentLayout[];
  readonly unconstrainedSize: number;
  readonly plugged = new Map<string, { shape: readonly number[]; value: Float32Array }>();
  constructor(private readonly inner: LogJoint, conjugate: ReadonlySet<string>) {
    for (const l of inner.latents) if (conjugate.has(l.name)) this.plugged.set(l.name, { shape: l.shape, value: new Float32Array(l.size) });
    const r = relayout(inner.latents, conjugate);
    this.latents = r.latents;
    this.unconstrainedSize = r.size;
  }
  get terms() {
    return this.inner.terms;
  }
  get params() {
    return this.inner.params;
  }
  private merged(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
    const s = values.values().next().value?.shape[0] ?? 1;
    const out = new Map(values);
    for (const [name, p] of this.plugged) out.set(name, tf.broadcastTo(tf.tensor(p.value, [1, ...p.shape]), [s, ...p.shape]));
    return out;
  }
  private run<T>(values: ReadonlyMap<string, tf.Tensor>, f: (v: ReadonlyMap<string, tf.Tensor>) => T): T {
    const m = this.merged(values);
    try {
      return f(m);
    } finally {
      for (const name of this.plugged.keys()) m.get(name)!.dispose();
    }
  }
  logJoint(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor {
    return this.run(values, (v) => this.inner.logJoint(v));
  }
  logJointTerms(values: ReadonlyMap<string, tf.Tensor>): tf.Tensor[] {
    return this.run(values, (v) => this.inner.logJointTerms(v));
  }
  deterministics(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
    return this.run(values, (v) => this.inner.deterministics(v));
  }
  dispose(): void {}
}

export interface CcviState extends ApproximationState {
  readonly family: "ccvi";
  readonly gaussian: GuideState;
  readonly cavi: CaviState;
}

/** q_C x q_G: draws of both, log q the sum. */
export class CcviApproximation implements Approximation {
  readonly family = "ccvi";
  constructor(
    readonly gaussian: GaussianApproximation,
    readonly cavi: CaviApproximation,
  ) {}
  draw(n: number, rng: Rng): ApproximationDraws {
    const a = this.gaussian.draw(n, rng.fork("gaussian"));
    const b = this.cavi.draw(n, rng.fork("conjugate"));
    const values = new Map([...a.values, ...b.values]);
    const logQ = tf.add(a.logQ, b.logQ);
    a.logQ.dispose();
    b.logQ.dispose();
    return { values, logQ };
  }
  state(): CcviState {
    return { family: "ccvi", gaussian: this.gaussian.state() as GuideState, cavi: this.cavi.state() };
  }
  dispose(): void {
    this.gaussian.dispose();
  }
}

export const CCVI_KIND: ApproximationKind = {
  families: ["ccvi"],
  fromState(state: ApproximationState, latents: readonly LatentLayout[]): Approximation {
    const s = state as CcviState;
    const conj = new Set(s.cavi.latents.map((l) => l.name));
    const rest = relayout(latents, conj).latents;
    const gauss = new GaussianApproximation(guideFromState(s.gaussian), new LatentTransform(rest, s.gaussian.dim), true);
    const cavi = CAVI_KIND.fromState(s.cavi, latents.filter((l) => conj.has(l.name))) as CaviApproximation;
    return new CcviApproximation(gauss, cavi);
  },
};

/** The conjugate latents CCVI updates in closed form, and the check that the pattern holds. */
function split(bound: BoundModel, conjugate: ReadonlySet<string>): { updated: QFactor[]; links: { q: GaussQ; name: string; offset: number; size: number }[] } | string {
  const updated = new Set<QFactor>();
  for (const name of conjugate) updated.add(bound.latentQ.get(name)!.q);
  const links = new Map<string, { q: GaussQ; name: string; offset: number; size: number }>();
  for (const f of bound.factors) {
    const others = f.touches.filter((q) => !updated.has(q));
    const mine = f.touches.filter((q) => updated.has(q));
    if (others.length === 0 || mine.length === 0) continue;
    const tg = f.target;
    const ok = f.family === "Normal" && tg.kind === "latent" && tg.q instanceof GaussQ && !updated.has(tg.q) && f.slots[0]!.kind === "const" && f.slots[1]!.kind === "use" && f.slots[1]!.precision && updated.has(f.slots[1]!.q) && !f.selector;
    if (!ok) return `${f.text} (line ${f.span.line}) links a conjugate latent to a gradient-fitted one in a way CCVI does not cover (it covers a Gamma precision of a real latent's Normal prior with a constant mean, \`w ~ Normal(m, 1 / sqrt(alpha))\`)`;
    const q = tg.q as GaussQ;
    for (const name of q.nodes) links.set(name, { q, name, offset: q.offsets.get(name)!, size: bound.latentQ.get(name)!.shape.reduce((p, x) => p * x, 1) });
  }
  return { updated: [...updated], links: [...links.values()] };
}

export const CCVI_RUNNER: MethodRunner = {
  async run(ctx: MethodContext): Promise<MethodOutcome> {
    const t = ctx.target;
    const o = ctx.options;
    if (!t.graph) throw new PplError([needsGraph()]);
    const conj = t.graph.analyses.conjugacy;
    const conjugate = new Set([...conj.latents.values()].filter((l) => l.conjugate).map((l) => l.node));
    const rest = t.logJoint.latents.filter((l) => !conjugate.has(l.name));
    if (conjugate.size === 0 || rest.length === 0 || rest.some((l) => l.discrete)) {
      throw new PplError([ccviPattern(conjugate.size === 0 ? "no latent is conjugate (use 'advi')" : rest.length === 0 ? "every latent is conjugate (use 'cavi')" : `${rest.filter((l) => l.discrete).map((l) => `'${l.name}'`).join(", ")} is discrete and not conjugate`, t.graph.span)]);
    }
    let bound: BoundModel;
    let parts: ReturnType<typeof split>;
    let engine: CaviEngine;
    try {
      bound = bindModel(t.graph, t.data, conj);
      parts = split(bound, conjugate);
      engine = new CaviEngine(bound);
    } catch (e) {
      throw new PplError([ccviPattern(`the model's gradient-fitted latents enter its conjugate factors in a form CCVI cannot bind (${(e as Error).message})`, t.graph.span)]);
    }
    if (typeof parts === "string") throw new PplError([ccviPattern(parts, t.graph.span)]);
    const { updated, links } = parts;
    const lj = new PluggedLogJoint(t.logJoint, conjugate);
    const transform = new LatentTransform(lj.latents, lj.unconstrainedSize);
    // The guide's marginals give q_G's moments of each linked latent (real: identity transform).
    const layout = new Map(lj.latents.map((l) => [l.name, l]));
    for (const l of links) if (layout.get(l.name)?.constraint.kind !== "real") throw new PplError([ccviPattern(`'${l.name}' is not a real latent, so its moments are not q's Gaussian marginals`, t.graph.span)]);
    const plug = () => {
      for (const [name, p] of lj.plugged) {
        const { q, offset } = bound.latentQ.get(name)!;
        const e = (q as { e?: Float64Array }).e;
        if (!e) throw new PplError([ccviPattern(`'${name}' is a ${q.family}; CCVI plugs in Gamma latents`, t.graph!.span)]);
        for (let i = 0; i < p.value.length; i++) p.value[i] = e[offset + i]!;
      }
    };
    const cfg: AdviConfig = { options: o, logJoint: lj, transform };
    const st = adviInit(cfg, ctx.rng.fork("advi"));
    if (!st.guide.marginals) {
      adviDispose(st);
      throw new PplError([ccviPattern(`family '${st.guide.family}' has no closed-form marginals`, t.graph.span)]);
    }
    const conjugateUpdate = () => {
      // Copies (tidy keeps them; the marginals may be the guide's own variables).
      const [mean, variance] = tf.tidy(() => {
        const r = st.guide.marginals!();
        return [r.mean.clone(), r.variance.clone()];
      });
      const m = mean!.dataSync();
      const v = variance!.dataSync();
      mean!.dispose();
      variance!.dispose();
      for (const l of links) {
        const off = layout.get(l.name)!.offset;
        for (let i = 0; i < l.size; i++) {
          l.q.mean[l.offset + i] = m[off + i]!;
          l.q.variance[l.offset + i] = v[off + i]!;
        }
      }
      for (const q of updated) engine.updateOne(q);
      plug();
    };
    let updates = 0;
    try {
      conjugateUpdate();
      updates++;
      while (!st.done) {
        adviStep(cfg, st);
        if (st.step % STEPS_PER_UPDATE === 0) {
          conjugateUpdate();
          updates++;
        }
        if (o.onProgress && st.step % o.progressEvery === 0) {
          o.onProgress({ step: st.step, elbo: st.trace[st.trace.length - 1] ?? NaN, stepsPerSecond: 0, secondsLeft: 0, phase: st.phase });
          await yieldToEventLoop();
        }
      }
    } catch (e) {
      adviDispose(st);
      throw e;
    }
    const verdict = adviFinalise(st);
    conjugateUpdate();
    updates++;
    adviDispose(st, { keepGuide: true });
    const caviPart = CaviApproximation.fromModel({ ...bound, qs: updated, latentQ: new Map([...bound.latentQ].filter(([name]) => conjugate.has(name))) });
    return {
      approximation: new CcviApproximation(new GaussianApproximation(st.guide, transform, true), caviPart),
      trace: st.trace,
      converged: verdict.converged,
      reason: `${verdict.reason}; ${[...conjugate].join(", ")} updated in closed form ${updates} times (every ${STEPS_PER_UPDATE} ADVI steps)`,
      steps: st.step,
      init: `${st.initHow} for ${lj.latents.map((l) => l.name).join(", ")}; ${[...conjugate].join(", ")} at the closed-form optimum given it`,
      nonFiniteSteps: st.nonFiniteSteps,
      extras: { conjugate: [...conjugate], gradient: lj.latents.map((l) => l.name), conjugateUpdates: updates },
    };
  },
};
