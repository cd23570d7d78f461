/**
 * The fused update of a mixture's selector `z`, when every factor z appears in has a fast path:
 * its prior `z ~ Categorical(weights)` (CategoricalAggregate) and observed Normal terms it
 * selects, `x ~ Normal(mu[z], 1 / sqrt(tau[z]))` (NormalAggregate). One pass over z's units
 * computes each unit's logits (E[log pi] plus E log N of the unit's terms), the responsibilities
 * (softmax) and log sum exp, and accumulates the statistics the other updates read: W, S1, S2
 * per unit of mu/tau and the responsibility counts per row of the weights. The separate passes
 * that recompute those statistics from the responsibilities are then skipped.
 *
 * While nothing z's factors read has changed since, the factors' expected log densities plus
 * the entropy of q(z) equal the sum of the log sum exps (r = softmax(logits), so
 * sum_k r (logit_k - log r_k) = lse): the ELBO takes that instead of summing the terms again.
 */
import { CategoricalAggregate } from "./categorical-aggregate.js";
import type { BoundFactor } from "./bind.js";
import { NormalAggregate } from "./aggregate.js";
import { softmaxRow, type CategoricalQ, type QFactor } from "./q.js";

export class MixtureUpdate {
  /** The factors whose ELBO terms `lse` stands for (with z's entropy). */
  readonly factors: readonly BoundFactor[];
  /** The q factors (other than z) those terms read. */
  readonly reads: ReadonlySet<QFactor>;
  /** Sum over units of log sum exp of the logits, at z's last fused update. */
  lse = 0;
  /** z's version right after the last fused update, and whether nothing it read changed since. */
  private version = -1;
  private readsUnchanged = false;
  /** Per Normal factor: its terms grouped by z's unit (CSR; order null when already grouped). */
  private readonly ptr: Int32Array[];
  private readonly order: (Int32Array | null)[];

  private constructor(
    readonly z: CategoricalQ,
    private readonly priors: readonly CategoricalAggregate[],
    private readonly normals: readonly NormalAggregate[],
  ) {
    this.factors = [...priors.map((p) => p.f), ...normals.map((n) => n.f)];
    const reads = new Set<QFactor>();
    for (const f of this.factors) for (const s of f.slots) if (s.kind !== "const") reads.add(s.q);
    this.reads = reads;
    this.ptr = [];
    this.order = [];
    for (const n of normals) {
      const zu = n.f.selector!.unit;
      const ptr = new Int32Array(z.units + 1);
      let sorted = true;
      for (let t = 0; t < zu.length; t++) {
        ptr[zu[t]! + 1]!++;
        if (t > 0 && zu[t]! < zu[t - 1]!) sorted = false;
      }
      for (let u = 0; u < z.units; u++) ptr[u + 1]! += ptr[u]!;
      let order: Int32Array | null = null;
      if (!sorted) {
        const fill = ptr.slice(0, z.units);
        order = new Int32Array(zu.length);
        for (let t = 0; t < zu.length; t++) order[fill[zu[t]!]!++] = t;
      }
      this.ptr.push(ptr);
      this.order.push(order);
    }
  }

  /**
   * The fused update for `z` given the fast paths of its factors (`aggs`), or null when some
   * factor z appears in has none, or reads z other than as its target or selector.
   */
  static of(z: CategoricalQ, factors: readonly BoundFactor[], aggs: ReadonlyMap<BoundFactor, unknown>): MixtureUpdate | null {
    const priors: CategoricalAggregate[] = [];
    const normals: NormalAggregate[] = [];
    for (const f of factors) {
      const a = aggs.get(f);
      if (a instanceof CategoricalAggregate && a.z === z && f.slots.every((s) => s.kind === "const" || s.q !== z)) priors.push(a);
      else if (a instanceof NormalAggregate && f.selector?.q === z && a.loc.q !== (z as QFactor) && a.scale.q !== (z as QFactor)) normals.push(a);
      else return null;
    }
    return normals.length > 0 ? new MixtureUpdate(z, priors, normals) : null;
  }

  /** Whether `lse` is still the ELBO terms of `factors` plus z's entropy. */
  get fresh(): boolean {
    return this.readsUnchanged && this.version === this.z.version;
  }

  /** Something z's factors read was updated: `lse` no longer stands for their terms. */
  invalidate(): void {
    this.readsUnchanged = false;
  }

  /** Updates q(z) to its optimum given the rest, refreshing the factors' statistics on the way. */
  update(): void {
    const z = this.z;
    const k = z.k;
    const acc = z.acc;
    const r = z.r;
    const { priors, normals } = this;
    for (const p of priors) {
      p.logProbs();
      p.counts.fill(0);
    }
    for (const n of normals) {
      n.coefficients();
      n.w.fill(0);
      n.s1.fill(0);
      n.s2.fill(0);
    }
    let lse = 0;
    for (let u = 0, o = 0; u < z.units; u++, o += k) {
      for (let c = 0; c < k; c++) acc[o + c] = 0;
      for (let i = 0; i < priors.length; i++) {
        const p = priors[i]!;
        const t = u - p.offset;
        if (t < 0 || t >= p.f.terms) continue;
        const row = p.rowOf[t]! * k;
        const lr = p.logRows;
        for (let c = 0; c < k; c++) acc[o + c]! += lr[row + c]!;
      }
      for (let i = 0; i < normals.length; i++) {
        const n = normals[i]!;
        const { a, b, c: cc, x } = n;
        const unit = n.loc.unit;
        const stride = n.loc.stride;
        const order = this.order[i]!;
        const end = this.ptr[i]![u + 1]!;
        for (let q = this.ptr[i]![u]!; q < end; q++) {
          const t = order === null ? q : order[q]!;
          const v = x[t]!;
          let j = unit[t]!;
          for (let c = 0; c < k; c++, j += stride) acc[o + c]! += a[j]! + v * (b[j]! + cc[j]! * v);
        }
      }
      lse += softmaxRow(acc, r, o, k);
      for (let i = 0; i < normals.length; i++) {
        const n = normals[i]!;
        const { w, s1, s2, x } = n;
        const unit = n.loc.unit;
        const stride = n.loc.stride;
        const order = this.order[i]!;
        const end = this.ptr[i]![u + 1]!;
        for (let q = this.ptr[i]![u]!; q < end; q++) {
          const t = order === null ? q : order[q]!;
          const v = x[t]!;
          const v2 = v * v;
          let j = unit[t]!;
          for (let c = 0; c < k; c++, j += stride) {
            const p = r[o + c]!;
            if (p === 0) continue;
            w[j]! += p;
            s1[j]! += p * v;
            s2[j]! += p * v2;
          }
        }
      }
      for (let i = 0; i < priors.length; i++) {
        const p = priors[i]!;
        const t = u - p.offset;
        if (t < 0 || t >= p.f.terms) continue;
        const row = p.rowOf[t]! * k;
        const counts = p.counts;
        for (let c = 0; c < k; c++) counts[row + c]! += r[o + c]!;
      }
    }
    z.updatedFromAcc(lse);
    for (const p of priors) p.markFresh(z.version);
    for (const n of normals) n.markFresh(z.version);
    this.lse = lse;
    this.version = z.version;
    this.readsUnchanged = true;
  }
}
