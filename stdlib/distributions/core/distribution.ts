/**
 * The runtime side of a distribution: what `Normal(0, 1)` returns.
 *
 * A `Distribution` holds its parameters as float32 tensors broadcast to a common batch shape (plus
 * each parameter's own event axes), and answers log densities, draws, moments and, where it has
 * one, its exponential-family form. Shapes follow TFP: a draw has shape
 * `[...sampleShape, ...batchShape, ...eventShape]`; `logProb(x)` reduces the event axes and
 * broadcasts the rest of `x` against the batch shape.
 *
 * Memory: every method runs in `tf.tidy` and returns tensors that belong to the caller. The
 * parameter tensors the constructor had to create (from numbers, by casting or by broadcasting)
 * belong to the distribution and go with `dispose()`; tensors the caller passed in as they are
 * stay the caller's. A distribution built inside a `tf.tidy` lives as long as that tidy, as any
 * tensor does.
 *
 * This file lives in `core/` so that stdlib/distributions/ keeps exactly one file per
 * distribution (plus index.ts and define.ts), which the registry test counts.
 */
import * as tf from "@tensorflow/tfjs";
import type { DistributionDefinition } from "../define.js";
import { type Rng, type Seed, toRng } from "./random.js";
import { type ParamInput, prepareParams } from "./args.js";
import { type SupportScope, withSupportScope } from "./math.js";
import { boundReferences } from "../../constraints.js";

export type { Seed } from "./random.js";
export type { ParamInput } from "./args.js";

/** Options of a distribution's construction. */
export interface DistributionOptions {
  /**
   * Check every argument's values against its parameter's constraint (reads the values back,
   * synchronously). Default true; inference code that builds distributions from already
   * constrained values every step may turn it off. Shapes are always checked.
   */
  readonly validate?: boolean;
  /**
   * The parameters are constants that outlive this distribution (a prior's literal arguments,
   * data): terms of the log density that depend on the parameters alone (log normalisers such as
   * lbeta(a, b)) are computed on first use and kept until `dispose()`, instead of on every call.
   * Default false. The owner must dispose the distribution.
   */
  readonly constantParams?: boolean;
}

/** Options of one `logProb` call. */
export interface LogProbOptions {
  /**
   * The caller vouches that every element of `x` lies in the support (it checked `supportMask(x)`
   * once, for data that does not change): the support mask and the safe stand-ins are skipped.
   * Honoured only where the support depends on no parameter (`fixedSupport`); elsewhere ignored.
   * Out-of-support `x` then gives an unspecified value instead of -Infinity.
   */
  readonly trustedSupport?: boolean;
  /**
   * With `trustedSupport`, where the value is the same tensor at every call (data): a cache the
   * caller owns (and disposes the tensors of) for terms of the value alone, such as lgamma(k + 1)
   * or log x, computed on first use. Pass one map per value tensor and distribution.
   */
  readonly valueTerms?: Map<string, tf.Tensor>;
}

/**
 * The exponential-family form log p(x) = sum_i <eta_i, T_i(x)> - A(eta) + log h(x).
 *
 * Each natural parameter `eta_i` has shape `[...batchShape, ...statShape_i]` and the matching
 * sufficient statistic `T_i(x)` has shape `[...sampleShape, ...batchShape, ...statShape_i]`, so
 * the inner product sums the trailing `statShape_i.length` axes (`statRanks[i]`). A stat shape is
 * `[]` for a scalar statistic, `[K]` for a vector (Dirichlet, Categorical's one-hot) and `[d, d]`
 * for MultivariateNormal's x x^T.
 */
export interface ExpFamForm {
  /** Rank of each statistic's own axes, in the order of the lists below. */
  readonly statRanks: readonly number[];
  naturalParams(): tf.Tensor[];
  sufficientStats(x: tf.Tensor | ParamInput): tf.Tensor[];
  /** A(eta), shape `batchShape`. */
  logNormalizer(): tf.Tensor;
  /** E[T_i(x)] under the distribution (the gradient of A), same shapes as the natural parameters. */
  expectedSufficientStats(): tf.Tensor[];
  /** log h(x): shape like `logProb(x)`; -Infinity outside the support. */
  logBaseMeasure(x: tf.Tensor | ParamInput): tf.Tensor;
}

/** A Monte Carlo estimate and its standard error. */
export interface MonteCarloEstimate {
  readonly estimate: tf.Tensor;
  readonly standardError: tf.Tensor;
}

/**
 * Thrown by `entropy()` (and moments) a distribution has no closed form for. `entropyEstimate`
 * works for every distribution.
 */
export class NoClosedFormError extends Error {
  constructor(
    readonly distribution: string,
    readonly quantity: string,
    hint = "use entropyEstimate(nSamples, seed) for a Monte Carlo estimate with its standard error",
  ) {
    super(`${distribution} has no closed-form ${quantity}; ${hint}`);
    this.name = "NoClosedFormError";
  }
}

export abstract class Distribution {
  /** The signature, as the type checker reads it. */
  readonly definition: DistributionDefinition;
  /** One float32 tensor per parameter, broadcast to `[...batchShape, ...its event axes]`. */
  readonly params: Readonly<Record<string, tf.Tensor>>;
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  /** The exponential-family form, where the distribution has one (`definition.expfam`). */
  readonly expfam?: ExpFamForm;
  private readonly owned: tf.Tensor[];
  private disposed = false;
  private readonly keepConstants: boolean;
  private readonly constants = new Map<string, tf.Tensor>();

  protected constructor(definition: DistributionDefinition, args: Readonly<Record<string, ParamInput>>, options: DistributionOptions = {}) {
    this.definition = definition;
    const prepared = prepareParams(definition, args, options.validate ?? true);
    this.params = Object.freeze(prepared.params);
    this.batchShape = Object.freeze(prepared.batchShape);
    this.eventShape = Object.freeze(prepared.eventShape);
    this.owned = prepared.owned;
    this.keepConstants = options.constantParams ?? false;
  }

  /**
   * A term that depends on the parameters alone: with `constantParams`, computed once and kept
   * (freed by `dispose()`); otherwise computed now. Call inside the methods' tidy; never return the
   * kept tensor itself (combine it with something first).
   */
  protected constant(key: string, make: () => tf.Tensor): tf.Tensor {
    if (!this.keepConstants) return make();
    let t = this.constants.get(key);
    if (!t || t.isDisposed) {
      t = tf.keep(make());
      this.constants.set(key, t);
      this.owned.push(t);
    }
    return t;
  }

  get name(): string {
    return this.definition.name;
  }

  /** Whether `rsample` gives draws differentiable in the parameters. */
  get reparameterizable(): boolean {
    return this.definition.reparameterizable;
  }

  /** Rank of the event (0 for scalar draws). */
  get eventRank(): number {
    return this.definition.eventRank;
  }

  /** The parameter tensor `name` (throws on a name the definition lacks). */
  protected param(name: string): tf.Tensor {
    const p = this.params[name];
    if (!p) throw new Error(`${this.definition.name} has no parameter '${name}'`);
    return p;
  }

  /**
   * log p(x) with every normalising constant. `x` has shape `[...s, ...b, ...eventShape]` with
   * `b` broadcastable against the batch shape; the result has shape `broadcast([...s, ...b],
   * batchShape)`. -Infinity outside the support.
   */
  logProb(x: tf.Tensor | ParamInput, options: LogProbOptions = {}): tf.Tensor {
    this.assertLive();
    const trusted = options.trustedSupport === true && this.fixedSupport;
    const scope: SupportScope | null = trusted ? (options.valueTerms ? { mode: "trusted", valueTerms: options.valueTerms } : { mode: "trusted" }) : null;
    return tf.tidy(() => withSupportScope(scope, () => this.logProbImpl(this.checkedValue(x, "logProb"))));
  }

  /** Whether the support depends on no parameter (Bernoulli's {0, 1}, not Binomial's {0..n}), so a value's membership can be checked once. */
  get fixedSupport(): boolean {
    return boundReferences(this.definition.support).length === 0 && this.definition.supportFromParams === undefined;
  }

  /**
   * Whether each value of `x` lies in the support, exactly as `logProb` decides it: a bool tensor
   * of the shape `logProb(x)` has where the support depends on the parameters, and of `x`'s own
   * batch shape where it does not (`fixedSupport`); a true scalar for a support of all reals.
   */
  supportMask(x: tf.Tensor | ParamInput): tf.Tensor {
    this.assertLive();
    return tf.tidy(() => {
      const masks: tf.Tensor[] = [];
      withSupportScope({ mode: "collect", masks }, () => this.logProbImpl(this.checkedValue(x, "supportMask")));
      return masks.reduce<tf.Tensor>((a, m) => tf.logicalAnd(a, m), tf.scalar(true, "bool"));
    });
  }

  /** `x` as float32, its trailing axes checked against the event shape. */
  private checkedValue(x: tf.Tensor | ParamInput, method: string): tf.Tensor {
    const xt = toFloat(x);
    if (this.eventShape.length > 0) {
      const tail = xt.shape.slice(xt.rank - this.eventShape.length);
      if (xt.rank < this.eventShape.length || tail.some((n, i) => n !== this.eventShape[i])) {
        throw new Error(`${this.definition.name}.${method}: the value has shape [${xt.shape.join(", ")}], whose trailing axes must be the event shape [${this.eventShape.join(", ")}]`);
      }
    }
    return xt;
  }

  /** p(x) = exp(logProb(x)). */
  prob(x: tf.Tensor | ParamInput): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logProb(x)));
  }

  /**
   * Draws of shape `[...shape, ...batchShape, ...eventShape]` from a seeded generator: the same
   * seed gives the same draws. A number seeds a fresh generator; an `Rng` is advanced. Never
   * differentiable (see `rsample`).
   */
  sample(shape: readonly number[], seed: Seed): tf.Tensor {
    this.assertLive();
    checkSampleShape(this.definition.name, shape);
    const rng = toRng(seed);
    return tf.tidy(() => this.sampleImpl([...shape], rng));
  }

  /**
   * Reparameterised draws: a differentiable function of the parameters and parameter-free
   * noise, so gradients flow back to the parameters. Only when `reparameterizable`.
   */
  rsample(shape: readonly number[], seed: Seed): tf.Tensor {
    this.assertLive();
    if (!this.definition.reparameterizable) {
      throw new Error(`${this.definition.name} has no reparameterised sampler; use sample() with a score-function estimator`);
    }
    checkSampleShape(this.definition.name, shape);
    const rng = toRng(seed);
    return tf.tidy(() => this.rsampleImpl([...shape], rng));
  }

  /** Whether `rsampleFromNormal` is available: draws are a smooth function of standard-normal noise. */
  get normalReparameterizable(): boolean {
    return this.fromNormalImpl !== undefined;
  }

  /**
   * A reparameterised draw from standard-normal noise the caller supplies (`eps` broadcastable
   * against `[...batchShape, ...eventShape]`, e.g. `[S, ...batchShape, ...eventShape]`), so a
   * caller that owns its noise (a variational guide) can redraw the same values. Only where
   * `normalReparameterizable`.
   */
  rsampleFromNormal(eps: tf.Tensor): tf.Tensor {
    this.assertLive();
    if (!this.fromNormalImpl) throw new Error(`${this.definition.name} has no reparameterised sampler from standard-normal noise`);
    return tf.tidy(() => this.fromNormalImpl!(toFloat(eps)));
  }

  /** The mean, shape `[...batchShape, ...eventShape]`; NaN where undefined, Infinity where infinite. */
  mean(): tf.Tensor {
    this.assertLive();
    return tf.tidy(() => this.meanImpl());
  }

  /** The variance of each event element (the covariance's diagonal for a vector), as `mean()`. */
  variance(): tf.Tensor {
    this.assertLive();
    return tf.tidy(() => this.varianceImpl());
  }

  /** The standard deviation, sqrt(variance()). */
  stddev(): tf.Tensor {
    return tf.tidy(() => tf.sqrt(this.variance()));
  }

  /** The entropy in nats, shape `batchShape`; throws `NoClosedFormError` where there is none. */
  entropy(): tf.Tensor {
    this.assertLive();
    return tf.tidy(() => this.entropyImpl());
  }

  /**
   * A Monte Carlo estimate of the entropy, -mean(log p(x)) over `n` seeded draws, with its
   * standard error (shape `batchShape` each). Works for every distribution.
   */
  entropyEstimate(n: number, seed: Seed): MonteCarloEstimate {
    this.assertLive();
    if (!Number.isInteger(n) || n < 2) throw new Error(`${this.definition.name}.entropyEstimate: n must be an integer of at least 2, got ${n}`);
    return tf.tidy(() => {
      const lp = tf.tidy(() => {
        const x = this.sample([n], seed);
        return this.logProb(x);
      });
      const { mean, variance } = tf.moments(lp, 0);
      const se = tf.sqrt(tf.div(tf.mul(variance, n / (n - 1)), n));
      return { estimate: tf.neg(mean), standardError: se };
    });
  }

  /** Frees the parameter tensors this distribution created (not those passed in). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) if (!t.isDisposed) t.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  toString(): string {
    return `${this.definition.name}(batchShape=[${this.batchShape.join(", ")}], eventShape=[${this.eventShape.join(", ")}])`;
  }

  // -- what each distribution file provides (called inside tf.tidy) -----------------------------

  protected abstract logProbImpl(x: tf.Tensor): tf.Tensor;
  protected abstract sampleImpl(shape: number[], rng: Rng): tf.Tensor;
  protected rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    void shape;
    void rng;
    throw new Error(`${this.definition.name} has no reparameterised sampler`);
  }
  /** The draw as a function of standard-normal noise, for the families that are one (see rsampleFromNormal). */
  protected fromNormalImpl?(eps: tf.Tensor): tf.Tensor;
  protected abstract meanImpl(): tf.Tensor;
  protected abstract varianceImpl(): tf.Tensor;
  protected entropyImpl(): tf.Tensor {
    throw new NoClosedFormError(this.definition.name, "entropy");
  }

  /** Shape of `n` draws: `[...shape, ...batchShape, ...eventShape]`. */
  protected drawShape(shape: readonly number[]): number[] {
    return [...shape, ...this.batchShape, ...this.eventShape];
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.definition.name}: this distribution has been disposed`);
  }
}

/** A value as a float32 tensor (a new tensor unless it already is one). Use inside tf.tidy. */
export function toFloat(x: tf.Tensor | ParamInput): tf.Tensor {
  if (x instanceof tf.Tensor) return x.dtype === "float32" ? x : tf.cast(x, "float32");
  if (typeof x === "boolean") return tf.scalar(x ? 1 : 0, "float32");
  return tf.tensor(x as number | number[], undefined, "float32");
}

function checkSampleShape(name: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new Error(`${name}.sample: the sample shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}
