/**
 * Seeded randomness with no global state.
 *
 * Draws are generated in JavaScript from seedrandom's Alea generator and then copied into
 * tensors, rather than with tf.random*: tfjs seeds those per call and each backend has its own
 * implementation, so the same seed would not give the same draws on wasm, cpu and tfjs-node.
 * Generating in JS makes a run reproducible across backends and machines, and costs tens of ns
 * per draw, which is small next to the model's tensor work.
 *
 * Streams: `split()` derives a child stream from the parent's next draws (advancing the parent);
 * `fork(i)` derives the i-th child from the parent's seed alone (not its position), so
 * `rng.fork(3)` is the same stream however much of `rng` has been used.
 */
import * as tf from "@tensorflow/tfjs";
import seedrandom from "seedrandom";
import { lgamma as lgammaJs } from "./special-js.js";

/** A parameter: a number, one value per element, or a tensor broadcastable to the draw shape. */
export type RngParam = number | ArrayLike<number> | tf.Tensor;

export type RngState = seedrandom.State.Alea;

const size = (shape: readonly number[]): number => shape.reduce((s, v) => s * v, 1);

/** A parameter as a per-element accessor for `n` elements of `shape`. */
function paramAccessor(p: RngParam, shape: readonly number[], name: string, owner: string): (i: number) => number {
  if (typeof p === "number") return () => p;
  const n = size(shape);
  let data: ArrayLike<number>;
  if (p instanceof tf.Tensor) {
    if (p.size === 1) {
      const v = p.dataSync()[0]!;
      return () => v;
    }
    data = tf.tidy(() => tf.broadcastTo(p, [...shape])).dataSync();
  } else {
    data = p;
    if (data.length === 1) {
      const v = data[0]!;
      return () => v;
    }
  }
  if (data.length !== n) throw new Error(`argument '${name}' of ${owner} has ${data.length} values for a draw of shape [${shape.join(", ")}] (${n} values)`);
  return (i) => data[i]!;
}

/** Values and shape of a parameter whose last axis is an event (Dirichlet's alpha, probs). */
function eventParam(p: ArrayLike<number> | tf.Tensor, name: string, owner: string): { data: ArrayLike<number>; batch: number[]; k: number } {
  if (p instanceof tf.Tensor) {
    if (p.rank < 1) throw new Error(`argument '${name}' of ${owner} must have rank >= 1`);
    return { data: p.dataSync(), batch: p.shape.slice(0, -1), k: p.shape[p.rank - 1]! };
  }
  return { data: p, batch: [], k: p.length };
}

export class Rng {
  /** The seed this stream was made from (what `fork` derives children from). */
  readonly key: string;
  private readonly prng: seedrandom.StatefulPRNG<RngState>;
  private spareNormal: number | undefined;

  constructor(seed: number | string, state?: RngState) {
    this.key = String(seed);
    this.prng = seedrandom.alea(this.key, { state: state ?? true }) as seedrandom.StatefulPRNG<RngState>;
  }

  /** The generator's state, to resume the stream later with `Rng.restore`. */
  state(): { key: string; alea: RngState; spareNormal?: number } {
    return { key: this.key, alea: this.prng.state(), ...(this.spareNormal !== undefined ? { spareNormal: this.spareNormal } : {}) };
  }

  static restore(s: { key: string; alea: RngState; spareNormal?: number }): Rng {
    const r = new Rng(s.key, s.alea);
    r.spareNormal = s.spareNormal;
    return r;
  }

  /** A child stream seeded from this stream's next draws (advances this stream). */
  split(): Rng {
    const a = this.prng.int32() >>> 0;
    const b = this.prng.int32() >>> 0;
    return new Rng(`${this.key}|${a.toString(36)}.${b.toString(36)}`);
  }

  /** The i-th child stream, a function of this stream's seed and i only. */
  fork(i: number | string): Rng {
    return new Rng(`${this.key}/${i}`);
  }

  // ------------------------------------------------------------------------------ scalars

  /** A uniform draw in (0, 1) with 53 random bits (never 0 or 1). */
  nextUniform(): number {
    let u = this.prng.double();
    while (u === 0) u = this.prng.double();
    return u;
  }

  /** A standard normal draw (Box-Muller, both values used). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextUniform()));
    const th = 2 * Math.PI * this.prng.double();
    this.spareNormal = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** log of a Gamma(alpha, 1) draw; in log space so that tiny shapes do not underflow. */
  nextLogGamma(alpha: number): number {
    if (!(alpha > 0)) return NaN;
    if (alpha < 1) {
      // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang's boost).
      return this.nextLogGamma(alpha + 1) + Math.log(this.nextUniform()) / alpha;
    }
    const d = alpha - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.nextNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextUniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v);
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  }

  /** A Gamma(alpha, 1) draw (Marsaglia-Tsang). */
  nextGamma(alpha: number): number {
    return Math.exp(this.nextLogGamma(alpha));
  }

  /** A Beta(a, b) draw, from two log-gamma draws (no 0/0 for small a, b). */
  nextBeta(a: number, b: number): number {
    const lx = this.nextLogGamma(a);
    const ly = this.nextLogGamma(b);
    // x / (x + y) = sigmoid(lx - ly)
    const t = lx - ly;
    return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
  }

  /** A Poisson(rate) draw: multiplication for small rates, PTRS (Hörmann 1993) for rate >= 10. */
  nextPoisson(rate: number): number {
    if (!(rate >= 0)) return NaN;
    if (rate === 0) return 0;
    if (rate < 10) {
      const l = Math.exp(-rate);
      let k = 0;
      let p = this.nextUniform();
      while (p > l) {
        k++;
        p *= this.nextUniform();
      }
      return k;
    }
    const slam = Math.sqrt(rate);
    const loglam = Math.log(rate);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.nextUniform() - 0.5;
      const v = this.nextUniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + rate + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -rate + k * loglam - lgammaJs(k + 1)) return k;
    }
  }

  /** A Binomial(n, p) draw: inversion for small n, exact beta splitting (Knuth) for large n. */
  nextBinomial(n: number, p: number): number {
    if (!(n >= 0) || !Number.isInteger(n) || !(p >= 0 && p <= 1)) return NaN;
    let acc = 0;
    let sign = 1;
    let base = 0;
    // Reduce with order statistics: the i-th smallest of n uniforms is Beta(i, n + 1 - i).
    while (n > 40) {
      const i = Math.floor((n + 1) / 2);
      const y = this.nextBeta(i, n + 1 - i);
      if (y <= p) {
        acc += sign * i;
        n = n - i;
        p = (p - y) / (1 - y);
      } else {
        n = i - 1;
        p = p / y;
      }
    }
    if (p > 0.5) {
      // Binomial(n, p) = n - Binomial(n, 1 - p)
      base = acc + sign * n;
      acc = 0;
      sign = -sign;
      p = 1 - p;
    }
    const q = 1 - p;
    if (p === 0) return base + acc;
    const s = p / q;
    const a = (n + 1) * s;
    let r = Math.pow(q, n);
    let u = this.nextUniform();
    let x = 0;
    while (u > r && x < n) {
      u -= r;
      x++;
      r *= a / x - s;
    }
    return base + acc + sign * x;
  }

  // ------------------------------------------------------------------------------ arrays

  uniformArray(n: number, low = 0, high = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.nextUniform();
    return out;
  }

  normalArray(n: number, mean = 0, sd = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + sd * this.nextNormal();
    return out;
  }

  gammaArray(n: number, alpha: number | ArrayLike<number>, rate: number | ArrayLike<number> = 1): Float64Array {
    const a = typeof alpha === "number" ? () => alpha : (i: number) => alpha[i]!;
    const r = typeof rate === "number" ? () => rate : (i: number) => rate[i]!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextGamma(a(i)) / r(i);
    return out;
  }

  // ------------------------------------------------------------------------------ tensors

  private fill(shape: readonly number[], draw: (i: number) => number, dtype: "float32" | "int32" = "float32"): tf.Tensor {
    const n = size(shape);
    const out = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = draw(i);
    return tf.tensor(out, [...shape], dtype);
  }

  /** Uniform(low, high) draws of the given shape (float32 tensor). */
  uniform(shape: readonly number[], low: RngParam = 0, high: RngParam = 1): tf.Tensor {
    const lo = paramAccessor(low, shape, "low", "uniform");
    const hi = paramAccessor(high, shape, "high", "uniform");
    return this.fill(shape, (i) => lo(i) + (hi(i) - lo(i)) * this.nextUniform());
  }

  /** Normal(mean, sd) draws. */
  normal(shape: readonly number[], mean: RngParam = 0, sd: RngParam = 1): tf.Tensor {
    const m = paramAccessor(mean, shape, "mean", "normal");
    const s = paramAccessor(sd, shape, "sd", "normal");
    return this.fill(shape, (i) => m(i) + s(i) * this.nextNormal());
  }

  /** Gamma(alpha, rate) draws (shape-rate parameterisation). */
  gamma(shape: readonly number[], alpha: RngParam, rate: RngParam = 1): tf.Tensor {
    const a = paramAccessor(alpha, shape, "alpha", "gamma");
    const r = paramAccessor(rate, shape, "rate", "gamma");
    return this.fill(shape, (i) => this.nextGamma(a(i)) / r(i));
  }

  /** Beta(a, b) draws. */
  beta(shape: readonly number[], a: RngParam, b: RngParam): tf.Tensor {
    const pa = paramAccessor(a, shape, "a", "beta");
    const pb = paramAccessor(b, shape, "b", "beta");
    return this.fill(shape, (i) => this.nextBeta(pa(i), pb(i)));
  }

  /** Poisson(rate) draws (float32 counts, as TFP returns them). */
  poisson(shape: readonly number[], rate: RngParam): tf.Tensor {
    const r = paramAccessor(rate, shape, "rate", "poisson");
    return this.fill(shape, (i) => this.nextPoisson(r(i)));
  }

  /** Binomial(n, p) draws (float32 counts). */
  binomial(shape: readonly number[], n: RngParam, p: RngParam): tf.Tensor {
    const pn = paramAccessor(n, shape, "n", "binomial");
    const pp = paramAccessor(p, shape, "p", "binomial");
    return this.fill(shape, (i) => this.nextBinomial(pn(i), pp(i)));
  }

  /** Bernoulli(p) draws (float32 0/1). */
  bernoulli(shape: readonly number[], p: RngParam): tf.Tensor {
    const pp = paramAccessor(p, shape, "p", "bernoulli");
    return this.fill(shape, (i) => (this.nextUniform() < pp(i) ? 1 : 0));
  }

  /**
   * Dirichlet(alpha) draws: alpha is [..., K]; the result is [...shape, ...alpha.shape], each
   * last-axis slice on the simplex. Normalised in log space, so small alphas do not give 0/0.
   */
  dirichlet(shape: readonly number[], alpha: ArrayLike<number> | tf.Tensor): tf.Tensor {
    const { data, batch, k } = eventParam(alpha, "alpha", "dirichlet");
    const nb = size(batch);
    const n = size(shape);
    const out = new Float32Array(n * nb * k);
    const logs = new Float64Array(k);
    for (let s = 0; s < n; s++) {
      for (let b = 0; b < nb; b++) {
        let mx = -Infinity;
        for (let j = 0; j < k; j++) {
          logs[j] = this.nextLogGamma(data[b * k + j]!);
          if (logs[j]! > mx) mx = logs[j]!;
        }
        let z = 0;
        for (let j = 0; j < k; j++) z += Math.exp(logs[j]! - mx);
        const off = (s * nb + b) * k;
        for (let j = 0; j < k; j++) out[off + j] = Math.exp(logs[j]! - mx) / z;
      }
    }
    return tf.tensor(out, [...shape, ...batch, k], "float32");
  }

  /**
   * Categorical draws (int32 indices in [0, K)): `probs` is [..., K] (need not be normalised),
   * or log-probabilities / logits with `{ logits: true }`. Result [...shape, ...probs.shape[:-1]].
   */
  categorical(shape: readonly number[], probs: ArrayLike<number> | tf.Tensor, options: { logits?: boolean } = {}): tf.Tensor {
    const { data, batch, k } = eventParam(probs, options.logits ? "logits" : "probs", "categorical");
    const nb = size(batch);
    const n = size(shape);
    // Cumulative weights per batch row, computed once.
    const cum = new Float64Array(nb * k);
    for (let b = 0; b < nb; b++) {
      let mx = -Infinity;
      if (options.logits) for (let j = 0; j < k; j++) mx = Math.max(mx, data[b * k + j]!);
      let c = 0;
      for (let j = 0; j < k; j++) {
        const w = options.logits ? Math.exp(data[b * k + j]! - mx) : data[b * k + j]!;
        c += w > 0 ? w : 0;
        cum[b * k + j] = c;
      }
    }
    const out = new Int32Array(n * nb);
    for (let s = 0; s < n; s++) {
      for (let b = 0; b < nb; b++) {
        const total = cum[b * k + k - 1]!;
        const u = this.nextUniform() * total;
        // Binary search for the first cumulative weight above u.
        let lo = 0;
        let hi = k - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cum[b * k + mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        out[s * nb + b] = lo;
      }
    }
    return tf.tensor(out, [...shape, ...batch], "int32");
  }
}
