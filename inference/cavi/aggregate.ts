/**
 * The fast path for an observed Normal factor whose mean and precision are read per term from
 * the same units, `x ~ Normal(mu[z], 1 / sqrt(tau[z]))` (a mixture) or `x ~ Normal(mu, 1 /
 * sqrt(tau))`: every message and the factor's ELBO term depend on the data only through the
 * per-unit weighted sufficient statistics W_j = sum w, S1_j = sum w x, S2_j = sum w x^2 (w the
 * selector's responsibility of the unit's category). They are accumulated in one pass over the
 * terms (plain Float64Array loops) whenever the responsibilities change (or filled by the fused
 * selector update of mixture-update.ts while it computes them), and the messages to
 * the mean and the precision come from the pair registry fed with the unit's statistics (the
 * messages are linear in w, w x, w x^2, so one call per unit equals the sum of one per term).
 * The message to the selector is one fused pass: E log N(x | mu_j, tau_j) = a_j + b_j x + c_j x^2.
 */
import type { ConjugatePair, TermStats } from "../../stdlib/index.js";
import type { BoundFactor, UseSlot } from "./bind.js";
import { CategoricalQ, GammaQ, GaussQ, type QFactor } from "./q.js";

const LOG_2PI = Math.log(2 * Math.PI);

export class NormalAggregate {
  readonly loc: UseSlot;
  readonly scale: UseSlot;
  readonly w: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  /** E log N(x | mu_j, tau_j) = a_j + b_j x + c_j x^2 per unit (after `coefficients()`). */
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  private seen = -1;

  private constructor(readonly f: BoundFactor) {
    this.loc = f.slots[0] as UseSlot;
    this.scale = f.slots[1] as UseSlot;
    const cells = this.loc.q.units;
    this.w = new Float64Array(cells);
    this.s1 = new Float64Array(cells);
    this.s2 = new Float64Array(cells);
    this.a = new Float64Array(cells);
    this.b = new Float64Array(cells);
    this.c = new Float64Array(cells);
  }

  /** The aggregate for `f` when it has the shape this path covers, else null. */
  static of(f: BoundFactor): NormalAggregate | null {
    if (f.family !== "Normal" || f.target.kind !== "observed" || f.target.width !== 1) return null;
    const [loc, scale] = f.slots;
    if (loc?.kind !== "use" || scale?.kind !== "use") return null;
    if (!(loc.q instanceof GaussQ) || !(scale.q instanceof GammaQ) || !scale.precision || scale.mult || loc.mult) return null;
    if (loc.q.units !== scale.q.units || loc.stride !== scale.stride || (f.selector && loc.stride === 0)) return null;
    for (let t = 0; t < f.terms; t++) if (loc.unit[t] !== scale.unit[t]) return null;
    return new NormalAggregate(f);
  }

  /** The observed values, one per term. */
  get x(): Float64Array {
    return (this.f.target as { v: Float64Array }).v;
  }

  /** The statistics were filled elsewhere (the fused mixture update) for this selector version. */
  markFresh(version: number): void {
    this.seen = version;
  }

  /** Recomputes the statistics when the selector's responsibilities changed since the last call. */
  refresh(): void {
    const sel = this.f.selector;
    const version = sel ? sel.q.version : 0;
    if (version === this.seen) return;
    this.seen = version;
    const { w, s1, s2 } = this;
    w.fill(0);
    s1.fill(0);
    s2.fill(0);
    const x = (this.f.target as { v: Float64Array }).v;
    const unit = this.loc.unit;
    const n = this.f.terms;
    if (!sel) {
      for (let t = 0; t < n; t++) {
        const j = unit[t]!;
        const v = x[t]!;
        w[j]! += 1;
        s1[j]! += v;
        s2[j]! += v * v;
      }
      return;
    }
    const r = sel.q.r;
    const kz = sel.q.k;
    const zu = sel.unit;
    const stride = this.loc.stride;
    for (let t = 0; t < n; t++) {
      const v = x[t]!;
      const v2 = v * v;
      const row = zu[t]! * kz;
      let j = unit[t]!;
      for (let k = 0; k < kz; k++, j += stride) {
        const p = r[row + k]!;
        if (p === 0) continue;
        w[j]! += p;
        s1[j]! += p * v;
        s2[j]! += p * v2;
      }
    }
  }

  /** Adds the factor's messages to slot `index` (0: the mean, 1: the precision) to q's accumulator. */
  message(q: QFactor, index: number, pair: ConjugatePair, stats: TermStats, out: Float64Array): void {
    this.refresh();
    const mu = this.loc.q as GaussQ;
    const tau = this.scale.q as GammaQ;
    const { w, s1, s2 } = this;
    stats.prec = 1;
    for (let j = 0; j < w.length; j++) {
      const wj = w[j]!;
      if (wj === 0) continue;
      stats.x = s1[j]! / wj;
      stats.x2 = s2[j]! / wj;
      stats.mean = mu.mean[j]!;
      stats.mean2 = mu.mean[j]! * mu.mean[j]! + mu.variance[j]!;
      stats.tau = tau.e[j]!;
      out[0] = 0;
      out[1] = 0;
      pair.message(stats, out, wj, 1);
      if (index === 0) {
        const g = q as GaussQ;
        g.acc[j]! += out[0]!;
        g.acc[g.units + (g.dense ? j * g.units + j : j)]! -= 2 * out[1]!;
      } else {
        q.acc[2 * j]! += out[0]!;
        q.acc[2 * j + 1]! += out[1]!;
      }
    }
  }

  coefficients(): void {
    const mu = this.loc.q as GaussQ;
    const tau = this.scale.q as GammaQ;
    for (let j = 0; j < this.a.length; j++) {
      const m = mu.mean[j]!;
      const et = tau.e[j]!;
      this.a[j] = 0.5 * (tau.eLog[j]! - LOG_2PI - et * (m * m + mu.variance[j]!));
      this.b[j] = et * m;
      this.c[j] = -0.5 * et;
    }
  }

  /** Adds E_q log N(x_t | mu, tau) for every term and category to the selector's accumulator. */
  selectorMessage(z: CategoricalQ): void {
    this.coefficients();
    const { a, b, c } = this;
    const sel = this.f.selector!;
    const x = (this.f.target as { v: Float64Array }).v;
    const unit = this.loc.unit;
    const kz = z.k;
    const zu = sel.unit;
    const stride = this.loc.stride;
    const acc = z.acc;
    for (let t = 0; t < this.f.terms; t++) {
      const v = x[t]!;
      const row = zu[t]! * kz;
      let j = unit[t]!;
      for (let k = 0; k < kz; k++, j += stride) acc[row + k]! += a[j]! + v * (b[j]! + c[j]! * v);
    }
  }

  /** The factor's expected log density under q (responsibilities included). */
  expectedLogProb(): number {
    this.refresh();
    this.coefficients();
    let e = 0;
    for (let j = 0; j < this.w.length; j++) if (this.w[j] !== 0) e += this.a[j]! * this.w[j]! + this.b[j]! * this.s1[j]! + this.c[j]! * this.s2[j]!;
    return e;
  }
}
