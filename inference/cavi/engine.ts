/**
 * Coordinate-ascent VI (variational message passing, Winn & Bishop 2005) over a bound model:
 * each sweep updates every q factor in dependency order to its closed-form optimum given the
 * others (prior message + messages from the factors it appears in), then computes the ELBO in
 * closed form. Each update maximises the ELBO in that coordinate, so the ELBO never decreases.
 * Stops when the relative change falls below the tolerance. Models with a discrete selector
 * (mixtures) have local optima: they restart from several seeds and keep the best ELBO.
 * Factors of known shapes take fast paths (aggregate.ts, categorical-aggregate.ts), and a
 * mixture's selector whose every factor has one is updated in one fused pass that also refreshes
 * the statistics and gives the ELBO its terms as log sum exps (mixture-update.ts).
 */
import { conjugatePair, type ConjugatePair, type Rng, type TermStats } from "../../stdlib/index.js";
import { NormalAggregate } from "./aggregate.js";
import { CategoricalAggregate } from "./categorical-aggregate.js";
import type { BoundFactor, BoundModel } from "./bind.js";
import { kmeans, mixturePoints } from "./kmeans.js";
import { MixtureUpdate } from "./mixture-update.js";
import { CategoricalQ, GaussQ, type QFactor } from "./q.js";
import { reserveOneHot, termsOf } from "./terms.js";

export interface CaviSettings {
  /** Stop when |ELBO_t - ELBO_{t-1}| <= relTol * |ELBO_t| (default 1e-10)... */
  readonly relTol?: number;
  /** ... or when |ELBO_t - ELBO_{t-1}| <= absTol (default 0; scikit-learn's `tol` is absolute). */
  readonly absTol?: number;
  /**
   * How a mixture starts: `kmeans` (default; k-means++ then Lloyd on the observed values, for
   * selectors whose every mixture term is an observed Normal) or `random` responsibilities.
   */
  readonly init?: "kmeans" | "random";
  readonly maxSweeps?: number;
  /** Restarts for models with discrete selectors (default 5); 1 otherwise. */
  readonly restarts?: number;
  /**
   * Pruning of hopeless restarts (default `{ after: 3, window: 2, slack: 2, contraction: 0.8 }` for
   * k-means starts; `false` runs every restart to convergence). Restarts run one after another.
   * With `best` the best final ELBO of the earlier restarts, `e_s` a restart's ELBO after sweep s
   * (s >= after) and `g_t = e_t - e_{t-1}`, the restart is abandoned when its last `window` gains
   * each shrank by `contraction` (g_t <= contraction * g_{t-1}) and
   *
   *   best - e_s > slack * max(G * (maxSweeps - s), e_s - e_1),   G the largest of those gains.
   *
   * Why: the ELBO is exact and never decreases, so `best - e_s` is what the restart must still
   * gain to be kept. Near an optimum CAVI converges linearly, its gains shrinking geometrically;
   * while they do, `G * (maxSweeps - s)` (every sweep left in the budget gaining as much as the
   * recent largest) is far more than the restart can still gain, and `slack` doubles it. The
   * other two terms guard the ways gains grow again: a restart whose gains have stopped shrinking
   * fast is crawling along a slow direction (a component emptying or splitting) that may
   * accelerate later, so it is not judged; and it is not judged hopeless while the gap is within
   * `slack` times what it has gained since its first sweep (a further climb of that size is
   * plausible). This is a heuristic, not a bound: on 1,800 random 2-4 component mixtures of 10-160
   * points it pruned in 8% of fits and once (1/1800) dropped, at sweep 10 (gains shrinking by
   * 0.6 a sweep), a restart that would then have crawled at ~1e-4 a sweep for 270 sweeps and ended
   * 0.33 nats above the kept one. On the 100k-point bench it drops a start 67,000 nats below the
   * others after 8 sweeps instead of 336.
   * Random responsibilities start near the symmetric saddle where every component is the same:
   * there the gains shrink for a few sweeps (4.1, 0.003, 0.0004, 0.0002 on a three-cluster
   * mixture) and then grow for a hundred sweeps to an optimum 100 nats higher, so by default only
   * k-means starts (hard labels, the symmetry already broken) are pruned; pass `prune` to prune
   * random starts too.
   */
  readonly prune?: false | { readonly after?: number; readonly window?: number; readonly slack?: number; readonly contraction?: number };
  /** Called after every sweep with the sweep number and ELBO. */
  readonly onSweep?: (sweep: number, elbo: number, restart: number) => void;
}

export interface CaviRun {
  readonly elbo: number;
  /** The ELBO after each sweep of the best restart. */
  readonly trace: readonly number[];
  readonly sweeps: number;
  readonly converged: boolean;
  readonly restarts: number;
  /** Final ELBO of each restart (a pruned restart's ELBO when it was abandoned). */
  readonly restartElbos: readonly number[];
  /** Sweeps each restart ran. */
  readonly restartSweeps: readonly number[];
  /** Restarts that met the tolerance, and restarts abandoned as unable to reach the best ELBO. */
  readonly convergedRestarts: number;
  readonly prunedRestarts: number;
  /** Sweeps over all restarts. */
  readonly totalSweeps: number;
  /** The largest decrease of the ELBO between sweeps seen (rounding; should be ~0). */
  readonly maxDecrease: number;
}

interface Link {
  readonly f: BoundFactor;
  /** Messages to q as the factor's target. */
  readonly asTarget: boolean;
  /** Slots where q appears, with their pair. */
  readonly slots: readonly { readonly index: number; readonly pair: ConjugatePair }[];
  readonly asSelector: boolean;
}

const stats: TermStats = { x: 0, x2: 0, n: 0, mean: 0, mean2: 0, tau: 0, prec: 1, row: new Float64Array(0), rowOff: 0 };

export class CaviEngine {
  private readonly links = new Map<QFactor, Link[]>();
  /** Starting parameters (null: a categorical's uniform start, not copied: it is N x K). */
  private readonly initial = new Map<QFactor, Record<string, Float64Array> | null>();
  private out = new Float64Array(2);
  /** The fast path's per-unit statistics, for the factors it covers. */
  private readonly aggregates = new Map<BoundFactor, NormalAggregate | CategoricalAggregate>();
  /** Fused selector updates (mixtures whose every factor has a fast path), by selector. */
  private readonly mixtures = new Map<QFactor, MixtureUpdate>();

  constructor(readonly model: BoundModel) {
    for (const f of model.factors) {
      const a = NormalAggregate.of(f) ?? CategoricalAggregate.of(f);
      if (a) this.aggregates.set(f, a);
    }
    let kmax = 2;
    for (const q of model.qs) {
      this.initial.set(q, q instanceof CategoricalQ ? null : q.snapshot());
      kmax = Math.max(kmax, q.k);
      const links: Link[] = [];
      for (const f of model.factors) {
        if (!f.touches.includes(q)) continue;
        const slots: { index: number; pair: ConjugatePair }[] = [];
        f.slots.forEach((s, i) => {
          if (s.kind === "const" || s.q !== q) return;
          const pair = conjugatePair(q.family, f.family, f.slotNames[i]!);
          if (!pair) throw new Error(`CAVI: no conjugate pair (${q.family}, ${f.family}, ${f.slotNames[i]})`);
          slots.push({ index: i, pair });
        });
        links.push({ f, asTarget: f.target.kind === "latent" && f.target.q === q, slots, asSelector: f.selector?.q === q });
      }
      this.links.set(q, links);
      if (q instanceof CategoricalQ) {
        const m = MixtureUpdate.of(q, links.map((l) => l.f), this.aggregates);
        if (m) this.mixtures.set(q, m);
      }
    }
    for (const f of model.factors) if (f.target.kind === "observed" && f.family === "Categorical") kmax = Math.max(kmax, ...Array.from(f.target.v, (x) => x + 1));
    this.out = new Float64Array(kmax);
    reserveOneHot(kmax);
  }

  get hasSelector(): boolean {
    return this.model.factors.some((f) => f.selector !== null);
  }

  /**
   * Back to the starting point. A mixture's responsibilities start from k-means on the observed
   * values (hard labels; the other factors are then updated twice given them, so the first
   * sweep's responsibilities see sensible means and precisions), or at random from `rng`.
   * True when a selector started from k-means.
   */
  reset(rng: Rng | null, init: "kmeans" | "random" = "kmeans"): boolean {
    for (const [q, p] of this.initial) {
      if (p) q.setParams(p);
      else (q as CategoricalQ).setUniform();
    }
    for (const m of this.mixtures.values()) m.invalidate();
    if (!rng) return false;
    let warm = false;
    for (const q of this.model.qs) {
      if (!(q instanceof CategoricalQ) || !this.isSelector(q)) continue;
      const mixing = this.model.factors.filter((f) => f.selector?.q === q);
      const aggs = mixing.map((f) => this.aggregates.get(f));
      if (init === "kmeans" && aggs.every((a) => a instanceof NormalAggregate)) {
        const pts = mixturePoints(aggs as NormalAggregate[], q.units);
        q.setLabels(kmeans(pts.x, pts.features, q.k, rng));
        warm = true;
      } else q.randomise(rng);
    }
    if (!warm) return false;
    for (let pass = 0; pass < 2; pass++) for (const q of this.model.qs) if (!(q instanceof CategoricalQ && this.isSelector(q))) this.updateOne(q);
    return true;
  }

  private isSelector(q: QFactor): boolean {
    return (this.links.get(q) ?? []).some((l) => l.asSelector);
  }

  /** Updates one q factor to its optimum given the others. */
  updateOne(q: QFactor): void {
    for (const m of this.mixtures.values()) if (m.reads.has(q)) m.invalidate();
    const fused = this.mixtures.get(q);
    if (fused) {
      fused.update();
      return;
    }
    q.resetAcc();
    for (const link of this.links.get(q)!) this.accumulate(q, link);
    q.update();
  }

  private accumulate(q: QFactor, link: Link): void {
    const f = link.f;
    const agg = this.aggregates.get(f);
    if (agg instanceof NormalAggregate) {
      if (link.asSelector) agg.selectorMessage(q as CategoricalQ);
      for (const { index, pair } of link.slots) agg.message(q, index, pair, stats, this.out);
      return;
    }
    if (agg) {
      if (link.asTarget) agg.targetMessage();
      for (const { pair } of link.slots) agg.message(q, pair, stats, this.out);
      return;
    }
    const terms = termsOf(f.family);
    const sel = f.selector;
    const kz = sel ? sel.q.k : 1;
    const r = sel?.q.r;
    const zu = sel?.unit;
    const out = this.out;
    for (let t = 0; t < f.terms; t++) {
      for (let k = 0; k < kz; k++) {
        const w = r ? r[zu![t]! * kz + k]! : 1;
        if (link.asSelector) q.acc[zu![t]! * kz + k]! += terms.expectedLogProb(f, t, k);
        if (w === 0) continue;
        if (link.asTarget) terms.targetMessage!(f, t, k, w);
        for (const { index, pair } of link.slots) {
          terms.termStats(f, t, k, index, stats);
          out.fill(0, 0, Math.max(2, q.k));
          pair.message(stats, out, w, q.k);
          this.apply(q, f, index, t, k, out);
        }
      }
    }
  }

  /** Adds a term's natural-parameter increment to the unit(s) the slot reads. */
  private apply(q: QFactor, f: BoundFactor, index: number, t: number, k: number, out: Float64Array): void {
    const s = f.slots[index]!;
    if (s.kind === "const") return;
    if (s.kind === "use") {
      const j = s.unit[t]! + k * s.stride;
      if (q instanceof GaussQ) {
        q.acc[j]! += out[0]!;
        q.acc[q.units + (q.dense ? j * q.units + j : j)]! -= 2 * out[1]!;
      } else if (q.k > 1 || q.family === "Dirichlet") {
        for (let c = 0; c < q.k; c++) q.acc[j * q.k + c]! += out[c]!;
      } else {
        q.acc[2 * j]! += out[0]!;
        q.acc[2 * j + 1]! += out[1]!;
      }
      return;
    }
    // A linear predictor eta = a + c.beta: out[0] eta + out[1] eta^2 in beta.
    const g = q as GaussQ;
    const d = g.units;
    const lin = out[0]! + 2 * out[1]! * s.offset[t]!;
    const quad = -2 * out[1]!;
    for (let p = s.ptr[t]!; p < s.ptr[t + 1]!; p++) {
      const i = s.col[p]!;
      g.acc[i]! += lin * s.val[p]!;
      if (g.dense) {
        for (let r2 = s.ptr[t]!; r2 < s.ptr[t + 1]!; r2++) g.acc[d + i * d + s.col[r2]!]! += quad * s.val[p]! * s.val[r2]!;
      } else {
        g.acc[d + i]! += quad * s.val[p]! * s.val[p]!;
      }
    }
  }

  /** The ELBO in closed form: sum of expected log densities plus the entropies of q. */
  elbo(): number {
    let e = 0;
    // A fused selector update just done: its factors' terms plus z's entropy are its log sum exps.
    const done = new Set<BoundFactor | QFactor>();
    for (const m of this.mixtures.values()) {
      if (!m.fresh || !m.factors.every((f) => this.aggregates.has(f))) continue;
      e += m.lse;
      done.add(m.z);
      for (const f of m.factors) done.add(f);
    }
    for (const f of this.model.factors) {
      if (done.has(f)) continue;
      const agg = this.aggregates.get(f);
      if (agg) {
        e += agg.expectedLogProb();
        continue;
      }
      const terms = termsOf(f.family);
      const sel = f.selector;
      const kz = sel ? sel.q.k : 1;
      for (let t = 0; t < f.terms; t++) {
        for (let k = 0; k < kz; k++) {
          const w = sel ? sel.q.r[sel.unit[t]! * kz + k]! : 1;
          if (w !== 0) e += w * terms.expectedLogProb(f, t, k);
        }
      }
    }
    for (const q of this.model.qs) if (!done.has(q)) e += q.entropy();
    return e;
  }

  /** One sweep over the q factors in dependency order; returns the ELBO after it. */
  sweep(): number {
    for (const q of this.model.qs) this.updateOne(q);
    return this.elbo();
  }

  /**
   * Sweeps until the relative change is below the tolerance, from the current q; with `best` (an
   * earlier restart's final ELBO), stops early when settings.prune judges this one hopeless.
   */
  runOnce(settings: CaviSettings, restart = 0, best = -Infinity): { elbo: number; trace: number[]; converged: boolean; pruned: boolean; maxDecrease: number } {
    const relTol = settings.relTol ?? 1e-10;
    const absTol = settings.absTol ?? 0;
    const maxSweeps = settings.maxSweeps ?? 1000;
    const prune = settings.prune === false ? null : { after: settings.prune?.after ?? 3, window: settings.prune?.window ?? 2, slack: settings.prune?.slack ?? 2, contraction: settings.prune?.contraction ?? 0.8 };
    const trace: number[] = [];
    let prev = -Infinity;
    let maxDecrease = 0;
    for (let s = 1; s <= maxSweeps; s++) {
      const e = this.sweep();
      if (!Number.isFinite(e)) throw new Error(`CAVI: the ELBO is ${e} after sweep ${s}`);
      trace.push(e);
      settings.onSweep?.(s, e, restart);
      if (prev > e) maxDecrease = Math.max(maxDecrease, prev - e);
      if (Math.abs(e - prev) <= Math.max(absTol, relTol * Math.abs(e))) return { elbo: e, trace, converged: true, pruned: false, maxDecrease };
      prev = e;
      if (prune && s >= Math.max(prune.after, prune.window + 2) && e < best) {
        // Sweep t's gain is trace[t - 1] - trace[t - 2]: the last `window` must each shrink by `contraction`.
        const gain = (t: number) => trace[t - 1]! - trace[t - 2]!;
        let contracting = true;
        let largest = 0;
        for (let t = s - prune.window + 1; t <= s; t++) {
          contracting &&= gain(t) <= prune.contraction * gain(t - 1);
          largest = Math.max(largest, gain(t - 1), gain(t));
        }
        if (contracting && best - e > prune.slack * Math.max(largest * (maxSweeps - s), e - trace[0]!)) return { elbo: e, trace, converged: false, pruned: true, maxDecrease };
      }
    }
    return { elbo: prev, trace, converged: false, pruned: false, maxDecrease };
  }

  /**
   * Runs from `restarts` starting points (mixtures), one after another, leaving q at the best ELBO;
   * a restart that cannot reach the best so far is pruned (settings.prune).
   */
  run(settings: CaviSettings, rng: Rng): CaviRun {
    const restarts = this.hasSelector ? Math.max(1, settings.restarts ?? 5) : 1;
    let best: { elbo: number; trace: number[]; converged: boolean; params: Map<QFactor, Record<string, Float64Array>> | null } | null = null;
    const elbos: number[] = [];
    const sweeps: number[] = [];
    let converged = 0;
    let pruned = 0;
    let maxDecrease = 0;
    for (let i = 0; i < restarts; i++) {
      const warm = this.reset(this.hasSelector ? rng.fork(`restart-${i}`) : null, settings.init ?? "kmeans");
      // Pruning by default only from k-means starts (see CaviSettings.prune): random ones start near a saddle.
      const prunable = settings.prune !== undefined ? settings.prune !== false : warm;
      const r = this.runOnce(settings, i, best && prunable ? best.elbo : -Infinity);
      elbos.push(r.elbo);
      sweeps.push(r.trace.length);
      if (r.converged) converged++;
      if (r.pruned) pruned++;
      maxDecrease = Math.max(maxDecrease, r.maxDecrease);
      if (!r.pruned && (!best || r.elbo > best.elbo)) best = { ...r, params: restarts > 1 ? new Map(this.model.qs.map((q) => [q, q.snapshot()])) : null };
    }
    if (best!.params) for (const [q, p] of best!.params) q.setParams(p);
    return {
      elbo: best!.elbo,
      trace: best!.trace,
      sweeps: best!.trace.length,
      converged: best!.converged,
      restarts,
      restartElbos: elbos,
      restartSweeps: sweeps,
      convergedRestarts: converged,
      prunedRestarts: pruned,
      totalSweeps: sweeps.reduce((a, b) => a + b, 0),
      maxDecrease,
    };
  }
}
