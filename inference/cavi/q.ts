/**
 * The factors of CAVI's mean-field q, one per latent (or per Gaussian block of latents that share
 * a linear predictor), each an exponential family held by its parameters, with its expected
 * sufficient statistics cached after every update. Messages accumulate in `acc` (natural
 * parameters, in the prior's sufficient statistics); `update()` turns them into q.
 *
 * Units: a Beta/Gamma/Normal latent has one unit per element; a Dirichlet or Categorical latent
 * one unit per row (its last axis holds the K categories).
 */
import {
  betaEntropy,
  betaExpectedStats,
  categoricalEntropy,
  dirichletEntropy,
  dirichletExpectedLog,
  gammaEntropy,
  gammaExpectedStats,
  linalgJs,
  mvnEntropy,
  normalEntropy,
  specialJs,
  type Rng,
} from "../../stdlib/index.js";

export type QFamily = "Beta" | "Gamma" | "Normal" | "Dirichlet" | "Categorical";

export interface QBase {
  readonly family: QFamily;
  /** The latent nodes it covers (one, or a Gaussian block's). */
  readonly nodes: readonly string[];
  /** Units and categories (K = 1 for scalar families). */
  readonly units: number;
  readonly k: number;
  readonly acc: Float64Array;
  resetAcc(): void;
  update(): void;
  entropy(): number;
  /** Plain-JSON parameters (save/load). */
  params(): Record<string, number[]>;
  /** The same parameters as typed-array copies (cheap; restarts keep the best). */
  snapshot(): Record<string, Float64Array>;
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void;
  /** One draw of every unit into `out` (row-major, the node's own layout). */
  sample(rng: Rng, out: Float64Array): void;
  /** log q of a draw. */
  logDensity(x: Float64Array): number;
}

const { lgamma, lbeta } = specialJs;

export class BetaQ implements QBase {
  readonly family = "Beta" as const;
  readonly k = 1;
  readonly acc: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly eLog: Float64Array;
  readonly eLog1m: Float64Array;
  constructor(readonly nodes: readonly string[], readonly units: number) {
    this.acc = new Float64Array(2 * units);
    this.a = new Float64Array(units).fill(1);
    this.b = new Float64Array(units).fill(1);
    this.eLog = new Float64Array(units);
    this.eLog1m = new Float64Array(units);
    this.refresh();
  }
  resetAcc(): void {
    this.acc.fill(0);
  }
  update(): void {
    for (let u = 0; u < this.units; u++) {
      this.a[u] = 1 + this.acc[2 * u]!;
      this.b[u] = 1 + this.acc[2 * u + 1]!;
    }
    this.refresh();
  }
  private refresh(): void {
    for (let u = 0; u < this.units; u++) [this.eLog[u], this.eLog1m[u]] = betaExpectedStats(this.a[u]!, this.b[u]!);
  }
  entropy(): number {
    let h = 0;
    for (let u = 0; u < this.units; u++) h += betaEntropy(this.a[u]!, this.b[u]!);
    return h;
  }
  params(): Record<string, number[]> {
    return { a: [...this.a], b: [...this.b] };
  }
  snapshot(): Record<string, Float64Array> {
    return { a: this.a.slice(), b: this.b.slice() };
  }
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void {
    this.a.set(p.a!);
    this.b.set(p.b!);
    this.refresh();
  }
  sample(rng: Rng, out: Float64Array): void {
    for (let u = 0; u < this.units; u++) out[u] = rng.nextBeta(this.a[u]!, this.b[u]!);
  }
  logDensity(x: Float64Array): number {
    let s = 0;
    for (let u = 0; u < this.units; u++) s += (this.a[u]! - 1) * Math.log(x[u]!) + (this.b[u]! - 1) * Math.log1p(-x[u]!) - lbeta(this.a[u]!, this.b[u]!);
    return s;
  }
}

export class GammaQ implements QBase {
  readonly family = "Gamma" as const;
  readonly k = 1;
  readonly acc: Float64Array;
  readonly shape: Float64Array;
  readonly rate: Float64Array;
  readonly eLog: Float64Array;
  readonly e: Float64Array;
  constructor(readonly nodes: readonly string[], readonly units: number) {
    this.acc = new Float64Array(2 * units);
    this.shape = new Float64Array(units).fill(1);
    this.rate = new Float64Array(units).fill(1);
    this.eLog = new Float64Array(units);
    this.e = new Float64Array(units);
    this.refresh();
  }
  resetAcc(): void {
    this.acc.fill(0);
  }
  update(): void {
    for (let u = 0; u < this.units; u++) {
      this.shape[u] = 1 + this.acc[2 * u]!;
      this.rate[u] = -this.acc[2 * u + 1]!;
    }
    this.refresh();
  }
  private refresh(): void {
    for (let u = 0; u < this.units; u++) [this.eLog[u], this.e[u]] = gammaExpectedStats(this.shape[u]!, this.rate[u]!);
  }
  entropy(): number {
    let h = 0;
    for (let u = 0; u < this.units; u++) h += gammaEntropy(this.shape[u]!, this.rate[u]!);
    return h;
  }
  params(): Record<string, number[]> {
    return { shape: [...this.shape], rate: [...this.rate] };
  }
  snapshot(): Record<string, Float64Array> {
    return { shape: this.shape.slice(), rate: this.rate.slice() };
  }
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void {
    this.shape.set(p.shape!);
    this.rate.set(p.rate!);
    this.refresh();
  }
  sample(rng: Rng, out: Float64Array): void {
    for (let u = 0; u < this.units; u++) out[u] = rng.nextGamma(this.shape[u]!) / this.rate[u]!;
  }
  logDensity(x: Float64Array): number {
    let s = 0;
    for (let u = 0; u < this.units; u++) {
      const a = this.shape[u]!;
      const b = this.rate[u]!;
      s += a * Math.log(b) + (a - 1) * Math.log(x[u]!) - b * x[u]! - lgamma(a);
    }
    return s;
  }
}

/**
 * A Gaussian over a block of Normal latents (their elements concatenated): diagonal when no
 * factor couples its elements, otherwise a full covariance. Natural parameters: `h` (coefficient
 * of x) and the precision `prec` (minus twice the coefficient of x x^T).
 */
export class GaussQ implements QBase {
  readonly family = "Normal" as const;
  readonly k = 1;
  /** Linear natural parameter h, then the precision (diagonal: dim; dense: dim * dim). */
  readonly acc: Float64Array;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** Full covariance (dense blocks only). */
  readonly cov: Float64Array | null;
  private chol: Float64Array | null = null;
  constructor(
    readonly nodes: readonly string[],
    /** Offset of each node in the block. */
    readonly offsets: ReadonlyMap<string, number>,
    readonly units: number,
    readonly dense: boolean,
  ) {
    this.acc = new Float64Array(units + (dense ? units * units : units));
    this.mean = new Float64Array(units);
    this.variance = new Float64Array(units).fill(1);
    this.cov = dense ? new Float64Array(units * units) : null;
    if (this.cov) for (let i = 0; i < units; i++) this.cov[i * units + i] = 1;
  }
  get h(): Float64Array {
    return this.acc.subarray(0, this.units);
  }
  get prec(): Float64Array {
    return this.acc.subarray(this.units);
  }
  resetAcc(): void {
    this.acc.fill(0);
  }
  update(): void {
    const d = this.units;
    const h = this.h;
    const p = this.prec;
    if (!this.dense) {
      for (let i = 0; i < d; i++) {
        this.variance[i] = 1 / p[i]!;
        this.mean[i] = h[i]! / p[i]!;
      }
      return;
    }
    const l = linalgJs.cholesky(p, d);
    if (!l) throw new Error("CAVI: a Gaussian block's precision is not positive definite");
    this.chol = l;
    // Sigma = P^-1 from the Cholesky factor; mean = Sigma h.
    const eye = new Float64Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 1;
    const linv = linalgJs.solveTriangular(l, eye, d, d, true, false);
    const cov = this.cov!;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = Math.max(i, j); k < d; k++) s += linv[k * d + i]! * linv[k * d + j]!;
        cov[i * d + j] = s;
        cov[j * d + i] = s;
      }
    }
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += cov[i * d + j]! * h[j]!;
      this.mean[i] = s;
      this.variance[i] = cov[i * d + i]!;
    }
  }
  entropy(): number {
    if (!this.dense) {
      let h = 0;
      for (let i = 0; i < this.units; i++) h += normalEntropy(this.variance[i]!);
      return h;
    }
    const l = this.chol ?? linalgJs.cholesky(this.cov!, this.units)!;
    const logDetPrec = this.chol ? linalgJs.logDetFromCholesky(l, this.units) : -linalgJs.logDetFromCholesky(l, this.units);
    return mvnEntropy(this.units, -logDetPrec);
  }
  params(): Record<string, number[]> {
    return this.dense ? { mean: [...this.mean], cov: [...this.cov!] } : { mean: [...this.mean], variance: [...this.variance] };
  }
  snapshot(): Record<string, Float64Array> {
    return this.dense ? { mean: this.mean.slice(), cov: this.cov!.slice() } : { mean: this.mean.slice(), variance: this.variance.slice() };
  }
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void {
    this.mean.set(p.mean!);
    if (this.dense) {
      this.cov!.set(p.cov!);
      for (let i = 0; i < this.units; i++) this.variance[i] = this.cov![i * this.units + i]!;
      // Keep the precision's Cholesky factor consistent for entropy() and sampling.
      const lc = linalgJs.cholesky(this.cov!, this.units);
      if (!lc) throw new Error("CAVI: saved covariance is not positive definite");
      this.chol = null;
    } else {
      this.variance.set(p.variance!);
    }
  }
  sample(rng: Rng, out: Float64Array): void {
    const d = this.units;
    if (!this.dense) {
      for (let i = 0; i < d; i++) out[i] = this.mean[i]! + Math.sqrt(this.variance[i]!) * rng.nextNormal();
      return;
    }
    const lc = linalgJs.cholesky(this.cov!, d)!;
    const e = new Float64Array(d);
    for (let i = 0; i < d; i++) e[i] = rng.nextNormal();
    for (let i = 0; i < d; i++) {
      let s = this.mean[i]!;
      for (let j = 0; j <= i; j++) s += lc[i * d + j]! * e[j]!;
      out[i] = s;
    }
  }
  logDensity(x: Float64Array): number {
    const d = this.units;
    if (!this.dense) {
      let s = 0;
      for (let i = 0; i < d; i++) s += -0.5 * (Math.log(2 * Math.PI * this.variance[i]!) + (x[i]! - this.mean[i]!) ** 2 / this.variance[i]!);
      return s;
    }
    const lc = linalgJs.cholesky(this.cov!, d)!;
    const r = new Float64Array(d);
    for (let i = 0; i < d; i++) r[i] = x[i]! - this.mean[i]!;
    const y = linalgJs.solveTriangular(lc, r, d, 1, true, false);
    let q = 0;
    for (let i = 0; i < d; i++) q += y[i]! * y[i]!;
    return -0.5 * (d * Math.log(2 * Math.PI) + q) - 0.5 * linalgJs.logDetFromCholesky(lc, d);
  }
}

export class DirichletQ implements QBase {
  readonly family = "Dirichlet" as const;
  readonly acc: Float64Array;
  readonly alpha: Float64Array;
  readonly eLog: Float64Array;
  constructor(readonly nodes: readonly string[], readonly units: number, readonly k: number) {
    this.acc = new Float64Array(units * k);
    this.alpha = new Float64Array(units * k).fill(1);
    this.eLog = new Float64Array(units * k);
    this.refresh();
  }
  resetAcc(): void {
    this.acc.fill(0);
  }
  update(): void {
    for (let i = 0; i < this.alpha.length; i++) this.alpha[i] = 1 + this.acc[i]!;
    this.refresh();
  }
  private refresh(): void {
    for (let u = 0; u < this.units; u++) dirichletExpectedLog(this.alpha, u * this.k, this.k, this.eLog);
  }
  entropy(): number {
    let h = 0;
    for (let u = 0; u < this.units; u++) h += dirichletEntropy(this.alpha, u * this.k, this.k);
    return h;
  }
  params(): Record<string, number[]> {
    return { alpha: [...this.alpha] };
  }
  snapshot(): Record<string, Float64Array> {
    return { alpha: this.alpha.slice() };
  }
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void {
    this.alpha.set(p.alpha!);
    this.refresh();
  }
  sample(rng: Rng, out: Float64Array): void {
    const k = this.k;
    for (let u = 0; u < this.units; u++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const g = rng.nextGamma(this.alpha[u * k + j]!);
        out[u * k + j] = g;
        s += g;
      }
      for (let j = 0; j < k; j++) out[u * k + j]! /= s;
    }
  }
  logDensity(x: Float64Array): number {
    const k = this.k;
    let s = 0;
    for (let u = 0; u < this.units; u++) {
      let a0 = 0;
      for (let j = 0; j < k; j++) {
        const a = this.alpha[u * k + j]!;
        a0 += a;
        s += (a - 1) * Math.log(x[u * k + j]!) - lgamma(a);
      }
      s += lgamma(a0);
    }
    return s;
  }
}

export class CategoricalQ implements QBase {
  readonly family = "Categorical" as const;
  readonly acc: Float64Array;
  /** Probabilities (responsibilities), rows of K. */
  readonly r: Float64Array;
  /** Bumped whenever `r` changes (cached statistics weighted by r check it). */
  version = 0;
  constructor(readonly nodes: readonly string[], readonly units: number, readonly k: number) {
    this.acc = new Float64Array(units * k);
    this.r = new Float64Array(units * k).fill(1 / k);
  }
  resetAcc(): void {
    this.lse = null;
    this.acc.fill(0);
  }
  /** sum over rows of log sum exp(acc) after update(), while acc still holds what r came from. */
  private lse: number | null = null;
  update(): void {
    this.version++;
    const k = this.k;
    const r = this.r;
    const acc = this.acc;
    let lse = 0;
    for (let o = 0; o < r.length; o += k) lse += softmaxRow(acc, r, o, k);
    this.lse = lse;
  }
  /**
   * Records that `r` was just set to the row-wise softmax of `acc` elsewhere (the fused mixture
   * update), with `lse` the sum over rows of log sum exp(acc): as if update() had run.
   */
  updatedFromAcc(lse: number): void {
    this.version++;
    this.lse = lse;
  }
  /** Random responsibilities (a symmetric Dirichlet(1) draw per unit): breaks a mixture's symmetry. */
  randomise(rng: Rng): void {
    this.version++;
    this.lse = null;
    const k = this.k;
    for (let u = 0; u < this.units; u++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const g = -Math.log(1 - rng.nextUniform());
        this.r[u * k + j] = g;
        s += g;
      }
      for (let j = 0; j < k; j++) this.r[u * k + j]! /= s;
    }
  }
  entropy(): number {
    // Right after update(), r = softmax(acc) row-wise, so -sum r log r = sum lse - sum r acc
    // (no logarithm per element). Otherwise: rows are independent, one pass over all of r.
    if (this.lse !== null) {
      let s = 0;
      for (let i = 0; i < this.r.length; i++) if (this.r[i] !== 0) s += this.r[i]! * this.acc[i]!;
      return this.lse - s;
    }
    return categoricalEntropy(this.r, 0, this.r.length);
  }
  params(): Record<string, number[]> {
    return { probs: [...this.r] };
  }
  snapshot(): Record<string, Float64Array> {
    return { probs: this.r.slice() };
  }
  setParams(p: Readonly<Record<string, ArrayLike<number>>>): void {
    this.version++;
    this.lse = null;
    this.r.set(p.probs!);
  }
  /** Uniform responsibilities (the starting point). */
  setUniform(): void {
    this.version++;
    this.lse = null;
    this.r.fill(1 / this.k);
  }
  /** Hard responsibilities: unit u in category label[u]. */
  setLabels(label: Int32Array): void {
    this.version++;
    this.lse = null;
    this.r.fill(0);
    for (let u = 0; u < this.units; u++) this.r[u * this.k + label[u]!] = 1;
  }
  sample(rng: Rng, out: Float64Array): void {
    const k = this.k;
    for (let u = 0; u < this.units; u++) {
      let v = rng.nextUniform();
      let j = 0;
      for (; j < k - 1; j++) {
        v -= this.r[u * k + j]!;
        if (v < 0) break;
      }
      out[u] = j;
    }
  }
  logDensity(x: Float64Array): number {
    let s = 0;
    for (let u = 0; u < this.units; u++) s += Math.log(this.r[u * this.k + x[u]!]!);
    return s;
  }
}

export type QFactor = BetaQ | GammaQ | GaussQ | DirichletQ | CategoricalQ;

/**
 * r[o..o+k) = softmax(acc[o..o+k)); returns the row's log-sum-exp. exp(-37) < 2^-53: such a
 * category changes no sum it enters, so its probability is 0 (and costs no exp).
 */
export function softmaxRow(acc: Float64Array, r: Float64Array, o: number, k: number): number {
  let m = -Infinity;
  for (let c = 0; c < k; c++) if (acc[o + c]! > m) m = acc[o + c]!;
  let s = 0;
  for (let c = 0; c < k; c++) {
    const d = acc[o + c]! - m;
    s += r[o + c] = d < -37 ? 0 : Math.exp(d);
  }
  const inv = 1 / s;
  for (let c = 0; c < k; c++) r[o + c]! *= inv;
  return m + Math.log(s);
}
