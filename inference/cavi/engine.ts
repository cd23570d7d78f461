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
  /** Final ELBO of each restart. */
  readonly restartElbos: readonly number[];
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
   */
  reset(rng: Rng | null, init: "kmeans" | "random" = "kmeans"): void {
    for (const [q, p] of this.initial) {
      if (p) q.setParams(p);
      else (q as CategoricalQ).setUniform();
    }
    for (const m of this.mixtures.values()) m.invalidate();
    if (!rng) return;
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
    if (!warm) return;
    for (let pass = 0; pass < 2; pass++) for (const q of this.model.qs) if (!(q instanceof CategoricalQ && this.isSelector(q))) this.updateOne(q);
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

  /** Sweeps until the relative change is below the tolerance, from the current q. */
  runOnce(settings: CaviSettings, restart = 0): { elbo: number; trace: number[]; converged: boolean; maxDecrease: number } {
    const relTol = settings.relTol ?? 1e-10;
    const absTol = settings.absTol ?? 0;
    const maxSweeps = settings.maxSweeps ?? 1000;
    const trace: number[] = [];
    let prev = -Infinity;
    let maxDecrease = 0;
    for (let s = 1; s <= maxSweeps; s++) {
      const e = this.sweep();
      if (!Number.isFinite(e)) throw new Error(`CAVI: the ELBO is ${e} after sweep ${s}`);
      trace.push(e);
      settings.onSweep?.(s, e, restart);
      if (prev > e) maxDecrease = Math.max(maxDecrease, prev - e);
      if (Math.abs(e - prev) <= Math.max(absTol, relTol * Math.abs(e))) return { elbo: e, trace, converged: true, maxDecrease };
      prev = e;
    }
    return { elbo: prev, trace, converged: false, maxDecrease };
  }

  /** Runs from `restarts` starting points (mixtures), leaving q at the best ELBO. */
  run(settings: CaviSettings, rng: Rng): CaviRun {
    const restarts = this.hasSelector ? Math.max(1, settings.restarts ?? 5) : 1;
    let best: { elbo: number; trace: number[]; converged: boolean; params: Map<QFactor, Record<string, Float64Array>> | null } | null = null;
    const elbos: number[] = [];
    let maxDecrease = 0;
    for (let i = 0; i < restarts; i++) {
      this.reset(this.hasSelector ? rng.fork(`restart-${i}`) : null, settings.init ?? "kmeans");
      const r = this.runOnce(settings, i);
      elbos.push(r.elbo);
      maxDecrease = Math.max(maxDecrease, r.maxDecrease);
      if (!best || r.elbo > best.elbo) best = { ...r, params: restarts > 1 ? new Map(this.model.qs.map((q) => [q, q.snapshot()])) : null };
    }
    if (best!.params) for (const [q, p] of best!.params) q.setParams(p);
    return { elbo: best!.elbo, trace: best!.trace, sweeps: best!.trace.length, converged: best!.converged, restarts, restartElbos: elbos, maxDecrease };
  }
}
