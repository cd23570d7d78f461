/**
 * The fast path for a latent categorical with a Dirichlet (or constant) prior on its
 * probabilities, `z ~ Categorical(weights)` or `z ~ Categorical(theta[doc])`: the message to z
 * adds the row E[log pi] to each unit's accumulator, the message to the Dirichlet is the sum of
 * the responsibilities of the units that read each of its rows (counted in one pass, then sent
 * through the pair registry once per row), and the ELBO term is sum r * E[log pi]. Plain loops
 * over Float64Arrays instead of one call per term and category.
 */
import type { ConjugatePair, TermStats } from "../../stdlib/index.js";
import type { BoundFactor } from "./bind.js";
import { CategoricalQ, DirichletQ, type QFactor } from "./q.js";

export class CategoricalAggregate {
  readonly z: CategoricalQ;
  /** z's unit of term 0 (term t is unit offset + t). */
  readonly offset: number;
  private readonly k: number;
  /** The probabilities' row per term: a Dirichlet unit, or a row of the constant. */
  readonly rowOf: Int32Array;
  private readonly rows: number;
  /** Responsibilities summed per row (the message to the Dirichlet). */
  readonly counts: Float64Array;
  /** E[log pi] per row (after `logProbs()`). */
  readonly logRows: Float64Array;
  private seen = -1;

  private constructor(readonly f: BoundFactor) {
    const tg = f.target as { q: CategoricalQ; offset: number };
    this.z = tg.q;
    this.offset = tg.offset;
    this.k = tg.q.k;
    const s = f.slots[0]!;
    if (s.kind === "use") {
      this.rowOf = s.unit;
      this.rows = s.q.units;
    } else {
      this.rowOf = Int32Array.from({ length: f.terms }, (_, t) => t);
      this.rows = f.terms;
    }
    this.counts = new Float64Array(this.rows * this.k);
    this.logRows = new Float64Array(this.rows * this.k);
  }

  static of(f: BoundFactor): CategoricalAggregate | null {
    if (f.family !== "Categorical" || f.selector || f.target.kind !== "latent" || !(f.target.q instanceof CategoricalQ)) return null;
    const s = f.slots[0]!;
    if (s.kind === "use" && s.q instanceof DirichletQ && s.stride === 0 && s.q.k === f.target.q.k) return new CategoricalAggregate(f);
    if (s.kind === "const" && s.width === f.target.q.k) return new CategoricalAggregate(f);
    return null;
  }

  /** The counts were filled elsewhere (the fused mixture update) for this version of z. */
  markFresh(version: number): void {
    this.seen = version;
  }

  /** E[log pi] per row, into logRows. */
  logProbs(): void {
    const s = this.f.slots[0]!;
    if (s.kind === "use") this.logRows.set((s.q as DirichletQ).eLog);
    else if (s.kind === "const") for (let i = 0; i < this.logRows.length; i++) this.logRows[i] = Math.log(s.v[i]!);
  }

  private refreshCounts(): void {
    if (this.z.version === this.seen) return;
    this.seen = this.z.version;
    const { counts, k, rowOf } = this;
    const r = this.z.r;
    counts.fill(0);
    for (let t = 0; t < this.f.terms; t++) {
      const src = (this.offset + t) * k;
      const dst = rowOf[t]! * k;
      for (let c = 0; c < k; c++) counts[dst + c]! += r[src + c]!;
    }
  }

  /** Adds E[log pi] of each unit's row to z's accumulator (z's prior message). */
  targetMessage(): void {
    this.logProbs();
    const { logRows, k, rowOf } = this;
    const acc = this.z.acc;
    for (let t = 0; t < this.f.terms; t++) {
      const dst = (this.offset + t) * k;
      const src = rowOf[t]! * k;
      for (let c = 0; c < k; c++) acc[dst + c]! += logRows[src + c]!;
    }
  }

  /** Adds the message to the Dirichlet in the probabilities slot. */
  message(q: QFactor, pair: ConjugatePair, stats: TermStats, out: Float64Array): void {
    this.refreshCounts();
    const k = this.k;
    stats.row = this.counts;
    for (let u = 0; u < this.rows; u++) {
      stats.rowOff = u * k;
      out.fill(0, 0, k);
      pair.message(stats, out, 1, k);
      for (let c = 0; c < k; c++) q.acc[u * k + c]! += out[c]!;
    }
  }

  expectedLogProb(): number {
    this.logProbs();
    const { logRows, k, rowOf } = this;
    const r = this.z.r;
    let e = 0;
    for (let t = 0; t < this.f.terms; t++) {
      const src = (this.offset + t) * k;
      const row = rowOf[t]! * k;
      for (let c = 0; c < k; c++) {
        const p = r[src + c]!;
        if (p !== 0) e += p * logRows[row + c]!;
      }
    }
    return e;
  }
}
