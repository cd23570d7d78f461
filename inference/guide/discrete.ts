/**
 * Variational factors for discrete latents: one independent factor per element, with free
 * natural parameters (logits, or a log rate). Each family gives draws, log q element by element
 * and its score d log q / d params in closed form, which is all the score-function estimator needs
 * (no autodiff through the sampler). Families are a registry chosen from the latent's support
 * (bbvi/support.ts): two values -> Bernoulli, a finite range -> Categorical, bounded below only ->
 * Poisson, each shifted to start at the element's lowest value.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../stdlib/index.js";
import type { LatentLayout } from "../target.js";

/** The values each element of a discrete latent can take (bbvi/support.ts finds them). */
export interface LatentSupport {
  /** Lowest value per element. */
  readonly lower: number[];
  /** Highest value per element (Infinity: unbounded). */
  readonly upper: number[];
  /** Prior log-probabilities of lower + 0, 1, ... per element (where known). */
  readonly priorLogProbs?: number[][];
  /** Prior mean per element, above its lowest value (where known). */
  readonly priorMean?: number[];
}

/** Plain-JSON form of one factor. */
export interface DiscreteFactorState {
  readonly latent: string;
  readonly family: string;
  /** Lowest value of each element. */
  readonly lower: number[];
  /** Number of values of each element (categorical families), else absent. */
  readonly counts?: number[];
  readonly params: number[];
}

export interface DiscreteFactor {
  readonly latent: LatentLayout;
  readonly family: string;
  /** The free parameters, [E, P] (E elements, P parameters per element). */
  readonly variable: tf.Variable;
  /** Draws [S, ...shape] (float32 integers). */
  sample(s: number, rng: Rng): tf.Tensor;
  /** log q per element [S, E] of values [S, ...shape]. */
  logProb(x: tf.Tensor): tf.Tensor;
  /** d log q_e(x_e) / d params_e, [S, E, P]. */
  score(x: tf.Tensor): tf.Tensor;
  /** Mean and sd per element (for reports). */
  moments(): { mean: Float64Array; sd: Float64Array };
  state(): DiscreteFactorState;
  dispose(): void;
}

export interface DiscreteFamily {
  readonly name: string;
  /** Can this family cover the support? */
  fits(support: LatentSupport): boolean;
  /** A factor started at the prior's probabilities where known. */
  create(latent: LatentLayout, support: LatentSupport): DiscreteFactor;
  fromState(latent: LatentLayout, state: DiscreteFactorState): DiscreteFactor;
}

const variable = (values: ArrayLike<number>, shape: number[]): tf.Variable => tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(values), shape, "float32"), true));

function flatE(x: tf.Tensor, e: number): tf.Tensor {
  return tf.reshape(x, [x.shape[0]!, e]);
}

abstract class FactorBase implements DiscreteFactor {
  abstract readonly family: string;
  readonly lowerT: tf.Tensor;
  constructor(
    readonly latent: LatentLayout,
    readonly variable: tf.Variable,
    readonly lower: Float64Array,
  ) {
    this.lowerT = tf.tensor(Float32Array.from(lower), [lower.length], "float32");
  }
  get e(): number {
    return this.latent.size;
  }
  abstract sample(s: number, rng: Rng): tf.Tensor;
  abstract logProb(x: tf.Tensor): tf.Tensor;
  abstract score(x: tf.Tensor): tf.Tensor;
  abstract moments(): { mean: Float64Array; sd: Float64Array };
  protected counts(): number[] | undefined {
    return undefined;
  }
  /** Values minus each element's lowest value, [S, E]. */
  protected shifted(x: tf.Tensor): tf.Tensor {
    return tf.sub(flatE(tf.cast(x, "float32"), this.e), this.lowerT);
  }
  state(): DiscreteFactorState {
    const c = this.counts();
    return { latent: this.latent.name, family: this.family, lower: Array.from(this.lower), ...(c ? { counts: c } : {}), params: Array.from(this.variable.dataSync()) };
  }
  dispose(): void {
    this.variable.dispose();
    this.lowerT.dispose();
  }
}

// ------------------------------------------------------------------------------ Bernoulli

class BernoulliFactor extends FactorBase {
  readonly family = "bernoulli";
  sample(s: number, rng: Rng): tf.Tensor {
    const logit = this.variable.dataSync();
    const e = this.e;
    const out = new Float32Array(s * e);
    for (let i = 0; i < s; i++) for (let j = 0; j < e; j++) out[i * e + j] = this.lower[j]! + (rng.nextUniform() < 1 / (1 + Math.exp(-logit[j]!)) ? 1 : 0);
    return tf.tensor(out, [s, ...this.latent.shape], "float32");
  }
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const b = this.shifted(x);
      const l = tf.reshape(this.variable, [this.e]);
      // b * l - softplus(l)
      return tf.sub(tf.mul(b, l), tf.softplus(l));
    });
  }
  score(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.expandDims(tf.sub(this.shifted(x), tf.sigmoid(tf.reshape(this.variable, [this.e]))), 2));
  }
  moments(): { mean: Float64Array; sd: Float64Array } {
    const l = this.variable.dataSync();
    const mean = new Float64Array(this.e);
    const sd = new Float64Array(this.e);
    for (let j = 0; j < this.e; j++) {
      const p = 1 / (1 + Math.exp(-l[j]!));
      mean[j] = this.lower[j]! + p;
      sd[j] = Math.sqrt(p * (1 - p));
    }
    return { mean, sd };
  }
}

export const BERNOULLI_FAMILY: DiscreteFamily = {
  name: "bernoulli",
  fits: (s) => s.upper.every((u, j) => u - s.lower[j]! === 1),
  create(latent, s) {
    const init = new Float64Array(latent.size);
    if (s.priorLogProbs) for (let j = 0; j < latent.size; j++) init[j] = clampLogit(s.priorLogProbs[j]![1]! - s.priorLogProbs[j]![0]!);
    return new BernoulliFactor(latent, variable(init, [latent.size, 1]), Float64Array.from(s.lower));
  },
  fromState: (latent, st) => new BernoulliFactor(latent, variable(st.params, [latent.size, 1]), Float64Array.from(st.lower)),
};

const clampLogit = (x: number): number => (Number.isFinite(x) ? Math.max(-6, Math.min(6, x)) : x > 0 ? 6 : -6);

// ------------------------------------------------------------------------------ Categorical

class CategoricalFactor extends FactorBase {
  readonly family = "categorical";
  /** 0 where a category is in the element's range, -Infinity-ish (masked) beyond it; [E, K]. */
  private readonly mask: tf.Tensor;
  constructor(
    latent: LatentLayout,
    v: tf.Variable,
    lower: Float64Array,
    private readonly k: number,
    private readonly countsPerElement: number[],
  ) {
    super(latent, v, lower);
    const m = new Float32Array(latent.size * k);
    for (let j = 0; j < latent.size; j++) for (let c = countsPerElement[j]!; c < k; c++) m[j * k + c] = -1e9;
    this.mask = tf.tensor(m, [latent.size, k], "float32");
  }
  protected override counts(): number[] {
    return this.countsPerElement;
  }
  private logits(): tf.Tensor {
    return tf.add(this.variable, this.mask);
  }
  sample(s: number, rng: Rng): tf.Tensor {
    const lp = tf.tidy(() => tf.logSoftmax(this.logits()));
    const p = lp.dataSync();
    lp.dispose();
    const e = this.e;
    const k = this.k;
    const out = new Float32Array(s * e);
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < e; j++) {
        let u = rng.nextUniform();
        let c = 0;
        const n = this.countsPerElement[j]!;
        for (; c < n - 1; c++) {
          u -= Math.exp(p[j * k + c]!);
          if (u < 0) break;
        }
        out[i * e + j] = this.lower[j]! + c;
      }
    }
    return tf.tensor(out, [s, ...this.latent.shape], "float32");
  }
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const idx = this.shifted(x);
      const h = tf.oneHot(tf.cast(idx, "int32"), this.k);
      return tf.sum(tf.mul(h, tf.logSoftmax(this.logits())), 2);
    });
  }
  score(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.oneHot(tf.cast(this.shifted(x), "int32"), this.k);
      return tf.sub(h, tf.softmax(this.logits()));
    });
  }
  moments(): { mean: Float64Array; sd: Float64Array } {
    const pr = tf.tidy(() => tf.softmax(this.logits()));
    const p = pr.dataSync();
    pr.dispose();
    const mean = new Float64Array(this.e);
    const sd = new Float64Array(this.e);
    for (let j = 0; j < this.e; j++) {
      let m = 0;
      let m2 = 0;
      for (let c = 0; c < this.k; c++) {
        m += c * p[j * this.k + c]!;
        m2 += c * c * p[j * this.k + c]!;
      }
      mean[j] = this.lower[j]! + m;
      sd[j] = Math.sqrt(Math.max(0, m2 - m * m));
    }
    return { mean, sd };
  }
  override dispose(): void {
    super.dispose();
    this.mask.dispose();
  }
}

/** Ranges wider than this are not enumerated as categories (a Poisson factor covers them). */
export const MAX_CATEGORIES = 256;

export const CATEGORICAL_FAMILY: DiscreteFamily = {
  name: "categorical",
  fits: (s) => s.upper.every((u, j) => Number.isFinite(u) && u - s.lower[j]! + 1 <= MAX_CATEGORIES),
  create(latent, s) {
    const counts = s.upper.map((u, j) => u - s.lower[j]! + 1);
    const k = Math.max(...counts);
    const init = new Float64Array(latent.size * k);
    if (s.priorLogProbs) {
      for (let j = 0; j < latent.size; j++) {
        const row = s.priorLogProbs[j]!;
        const mx = Math.max(...row.slice(0, counts[j]!).filter(Number.isFinite));
        for (let c = 0; c < counts[j]!; c++) init[j * k + c] = Number.isFinite(row[c]!) ? Math.max(-12, row[c]! - mx) : -12;
      }
    }
    return new CategoricalFactor(latent, variable(init, [latent.size, k]), Float64Array.from(s.lower), k, counts);
  },
  fromState(latent, st) {
    const counts = st.counts ?? [];
    const k = Math.max(...counts);
    return new CategoricalFactor(latent, variable(st.params, [latent.size, k]), Float64Array.from(st.lower), k, counts);
  },
};

// ------------------------------------------------------------------------------ Poisson

class PoissonFactor extends FactorBase {
  readonly family = "poisson";
  sample(s: number, rng: Rng): tf.Tensor {
    const lr = this.variable.dataSync();
    const e = this.e;
    const out = new Float32Array(s * e);
    for (let i = 0; i < s; i++) for (let j = 0; j < e; j++) out[i * e + j] = this.lower[j]! + rng.nextPoisson(Math.exp(lr[j]!));
    return tf.tensor(out, [s, ...this.latent.shape], "float32");
  }
  logProb(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const k = this.shifted(x);
      const l = tf.reshape(this.variable, [this.e]);
      return tf.sub(tf.sub(tf.mul(k, l), tf.exp(l)), lgammaPlusOne(k));
    });
  }
  score(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.expandDims(tf.sub(this.shifted(x), tf.exp(tf.reshape(this.variable, [this.e]))), 2));
  }
  moments(): { mean: Float64Array; sd: Float64Array } {
    const l = this.variable.dataSync();
    const mean = new Float64Array(this.e);
    const sd = new Float64Array(this.e);
    for (let j = 0; j < this.e; j++) {
      mean[j] = this.lower[j]! + Math.exp(l[j]!);
      sd[j] = Math.sqrt(Math.exp(l[j]!));
    }
    return { mean, sd };
  }
}

/** log k! for integer-valued float tensors, exactly (a table; counts above it use Stirling's series). */
function lgammaPlusOne(k: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const big = tf.maximum(k, 1);
    // Stirling with two correction terms: exact to float32 for k >= 10; below, a table.
    const stirling = tf.add(tf.sub(tf.add(tf.mul(tf.add(big, 0.5), tf.log(big)), 0.5 * Math.log(2 * Math.PI)), big), tf.sub(tf.div(1 / 12, big), tf.div(1 / 360, tf.pow(big, 3))));
    const table = tf.tensor(LOG_FACT, [LOG_FACT.length], "float32");
    const small = tf.gather(table, tf.cast(tf.clipByValue(k, 0, LOG_FACT.length - 1), "int32"));
    return tf.where(tf.less(k, LOG_FACT.length), small, stirling);
  });
}

const LOG_FACT: number[] = (() => {
  const out = [0];
  for (let i = 1; i < 16; i++) out.push(out[i - 1]! + Math.log(i));
  return out;
})();

export const POISSON_FAMILY: DiscreteFamily = {
  name: "poisson",
  fits: (s) => s.lower.every(Number.isFinite),
  create(latent, s) {
    const init = new Float64Array(latent.size);
    for (let j = 0; j < latent.size; j++) init[j] = Math.log(Math.max(0.5, s.priorMean?.[j] ?? 1));
    return new PoissonFactor(latent, variable(init, [latent.size, 1]), Float64Array.from(s.lower));
  },
  fromState: (latent, st) => new PoissonFactor(latent, variable(st.params, [latent.size, 1]), Float64Array.from(st.lower)),
};

/** The families, most specific first: the first that fits a latent's support is used. */
export const DISCRETE_FAMILIES: readonly DiscreteFamily[] = [BERNOULLI_FAMILY, CATEGORICAL_FAMILY, POISSON_FAMILY];

export function discreteFamily(name: string): DiscreteFamily | undefined {
  return DISCRETE_FAMILIES.find((f) => f.name === name);
}
