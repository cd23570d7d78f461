/**
 * Hand-written log joints with known posteriors (the compiled one is tested through compile()):
 * a Beta-Bernoulli coin, a conjugate Normal-Normal mean, and a linear regression with known
 * noise, each vectorised over S draws, with every normalising constant kept.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { Beta, Normal, Rng, specialJs } from "../../stdlib/index.js";
import type { LatentLayout, LogJoint, MinibatchSource } from "../../inference/index.js";
import type { ConstraintSpec, Span } from "../../language/index.js";

export const SHARED = "/work/shared";
export const span = (line: number): Span => ({ start: 0, end: 1, line, column: 3, endLine: line, endColumn: 20 });

function layout(name: string, shape: number[], constraint: ConstraintSpec, offset: number, line: number): LatentLayout {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape, size, constraint, discrete: false, offset, unconstrainedSize: size, span: span(line) };
}

type Term = (v: ReadonlyMap<string, tf.Tensor>) => tf.Tensor;

function makeLogJoint(latents: LatentLayout[], terms: { text: string; line: number; f: Term }[], deterministics: (v: ReadonlyMap<string, tf.Tensor>) => Map<string, tf.Tensor> = () => new Map(), owned: tf.Tensor[] = []): LogJoint {
  return {
    latents,
    unconstrainedSize: latents.reduce((a, l) => a + l.unconstrainedSize, 0),
    terms: terms.map((t, i) => ({ id: `t${i}`, text: t.text, span: span(t.line) })),
    logJoint: (v) => tf.tidy(() => tf.addN(terms.map((t) => t.f(v)))),
    logJointTerms: (v) => terms.map((t) => tf.tidy(() => t.f(v))),
    deterministics: (v) => deterministics(v),
    params: new Map(),
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}

// ------------------------------------------------------------------------------ coin

export interface Coin {
  readonly heads: number;
  readonly n: number;
  readonly logEvidence: number;
  readonly mean: number;
  readonly sd: number;
  make(): LogJoint;
}

export function coin(): Coin {
  const data = JSON.parse(readFileSync(`${SHARED}/bench/data/coin.json`, "utf8")) as { N: number; y: number[] };
  const heads = data.y.reduce((a, b) => a + b, 0);
  const n = data.N;
  const a = 1 + heads;
  const b = 1 + n - heads;
  return {
    heads,
    n,
    logEvidence: specialJs.lbeta(a, b) - specialJs.lbeta(1, 1),
    mean: a / (a + b),
    sd: Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1))),
    make() {
      const y = tf.tensor1d(data.y, "float32");
      return makeLogJoint(
        [layout("p", [], { kind: "interval", lower: 0, upper: 1 } as ConstraintSpec, 0, 7)],
        [
          { text: "p ~ Beta(1, 1)", line: 9, f: (v) => Beta.create({ a: 1, b: 1 }, { validate: false }).logProb(v.get("p")!) },
          {
            text: "y ~ Bernoulli(p)",
            line: 10,
            // Written out (stdlib's Bernoulli.logProb goes through xlogy, ~8 ms for [8, 1000] on wasm).
            f: (v) => {
              const p = tf.reshape(v.get("p")!, [-1, 1]);
              return tf.sum(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log1p(tf.neg(p)))), 1);
            },
          },
        ],
        (v) => new Map([["odds", tf.tidy(() => tf.div(v.get("p")!, tf.sub(1, v.get("p")!)))]]),
        [y],
      );
    },
  };
}

// ------------------------------------------------------------------------------ normal mean

export interface NormalMean {
  readonly x: number[];
  readonly postMean: number;
  readonly postSd: number;
  readonly logEvidence: number;
  make(options?: { badScale?: boolean }): LogJoint;
  /** A log joint with a minibatch switch over the data plate. */
  makeMinibatched(): { logJoint: LogJoint; minibatch: MinibatchSource };
}

/** mu ~ Normal(0, 10); x_i ~ Normal(mu, 2), i < n. */
export function normalMean(n = 200, seed = 3): NormalMean {
  const rng = new Rng(seed);
  const x = Array.from(rng.normalArray(n, 1.7, 2));
  const prior = 10;
  const sigma = 2;
  const prec = 1 / prior ** 2 + n / sigma ** 2;
  const sum = x.reduce((a, b) => a + b, 0);
  const postMean = sum / sigma ** 2 / prec;
  const postSd = 1 / Math.sqrt(prec);
  const lnorm = (v: number, m: number, s: number) => -0.5 * ((v - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
  // log p(x) = log p(x | mu) + log p(mu) - log p(mu | x) at mu = postMean.
  const logEvidence = x.reduce((a, xi) => a + lnorm(xi, postMean, sigma), 0) + lnorm(postMean, 0, prior) - lnorm(postMean, postMean, postSd);
  const build = (xs: number[], scale: number, badScale = false): LogJoint => {
    const xt = tf.tensor1d(xs, "float32");
    return makeLogJoint(
      [layout("mu", [], { kind: "real" } as ConstraintSpec, 0, 4)],
      [
        { text: "mu ~ Normal(0, 10)", line: 6, f: (v) => Normal.create({ loc: 0, scale: prior }, { validate: false }).logProb(v.get("mu")!) },
        {
          text: badScale ? "x ~ Normal(mu, -2)" : "x ~ Normal(mu, 2)",
          line: 7,
          f: (v) => tf.mul(tf.sum(Normal.create({ loc: tf.reshape(v.get("mu")!, [-1, 1]), scale: badScale ? -2 : sigma }, { validate: false }).logProb(xt), 1), scale),
        },
      ],
      undefined,
      [xt],
    );
  };
  return {
    x,
    postMean,
    postSd,
    logEvidence,
    make: (o = {}) => build(x, 1, o.badScale),
    makeMinibatched: () => {
      let current = build(x, 1);
      const full = current;
      const logJoint: LogJoint = {
        ...full,
        logJoint: (v) => current.logJoint(v),
        logJointTerms: (v) => current.logJointTerms(v),
        dispose: () => full.dispose(),
      };
      const minibatch: MinibatchSource = {
        plate: "i",
        size: n,
        select: (idx) => {
          if (current !== full) current.dispose();
          current = idx ? build(Array.from(idx, (i) => x[i]!), n / idx.length) : full;
        },
      };
      return { logJoint, minibatch };
    },
  };
}

// ------------------------------------------------------------------------------ linear regression

export interface LinReg {
  readonly d: number;
  /** Exact posterior of w (mean, covariance row-major). */
  readonly mean: Float64Array;
  readonly cov: Float64Array;
  readonly logEvidence: number;
  make(): LogJoint;
}

/** w ~ Normal(0, 1) [d]; y ~ Normal(X w, sigma) with correlated columns of X. */
export function linreg(n = 50, d = 3, corr = 0.8, seed = 5): LinReg {
  const rng = new Rng(seed);
  const sigma = 0.7;
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const common = rng.nextNormal();
    for (let j = 0; j < d; j++) X[i * d + j] = Math.sqrt(corr) * common + Math.sqrt(1 - corr) * rng.nextNormal();
  }
  const wTrue = Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1 : -0.5));
  const y = Array.from({ length: n }, (_, i) => wTrue.reduce((s, w, j) => s + w * X[i * d + j]!, 0) + sigma * rng.nextNormal());
  // Posterior precision A = I + X^T X / s^2, mean = A^-1 X^T y / s^2.
  const A = new Float64Array(d * d);
  const bvec = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    A[j * d + j] = 1;
    for (let k = 0; k < d; k++) for (let i = 0; i < n; i++) A[j * d + k] += (X[i * d + j]! * X[i * d + k]!) / sigma ** 2;
    for (let i = 0; i < n; i++) bvec[j] += (X[i * d + j]! * y[i]!) / sigma ** 2;
  }
  const cov = invert(A, d);
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) mean[j] += cov[j * d + k]! * bvec[k]!;
  // log evidence = log N(y; 0, s^2 I + X X^T) via log p(y|w) + log p(w) - log p(w|y) at w = mean.
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < d; j++) f += X[i * d + j]! * mean[j]!;
    ll += -0.5 * ((y[i]! - f) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
  }
  let lprior = 0;
  for (let j = 0; j < d; j++) lprior += -0.5 * mean[j]! ** 2 - 0.5 * Math.log(2 * Math.PI);
  // log p(w = mean | y) = -d/2 log 2pi + 1/2 log det A.
  const logDetA = logDet(A, d);
  const lpost = -0.5 * d * Math.log(2 * Math.PI) + 0.5 * logDetA;
  return {
    d,
    mean,
    cov,
    logEvidence: ll + lprior - lpost,
    make() {
      const xt = tf.tensor2d(Float32Array.from(X), [n, d]);
      const yt = tf.tensor1d(y, "float32");
      return makeLogJoint(
        [layout("w", [d], { kind: "real" } as ConstraintSpec, 0, 3)],
        [
          { text: "w ~ Normal(0, 1)", line: 5, f: (v) => tf.sum(Normal.create({ loc: 0, scale: 1 }, { validate: false }).logProb(v.get("w")!), 1) },
          {
            text: "y ~ Normal(X @ w, sigma)",
            line: 6,
            f: (v) => tf.sum(Normal.create({ loc: tf.matMul(v.get("w")! as tf.Tensor2D, tf.transpose(xt)), scale: sigma }, { validate: false }).logProb(yt), 1),
          },
        ],
        undefined,
        [xt, yt],
      );
    },
  };
}

function invert(a: Float64Array, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    const p = m[c * d + c]!;
    for (let j = 0; j < d; j++) {
      m[c * d + j]! /= p;
      inv[c * d + j]! /= p;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c]!;
      for (let j = 0; j < d; j++) {
        m[r * d + j]! -= f * m[c * d + j]!;
        inv[r * d + j]! -= f * inv[c * d + j]!;
      }
    }
  }
  return inv;
}

function logDet(a: Float64Array, d: number): number {
  const m = Float64Array.from(a);
  let s = 0;
  for (let c = 0; c < d; c++) {
    const p = m[c * d + c]!;
    s += Math.log(Math.abs(p));
    for (let r = c + 1; r < d; r++) {
      const f = m[r * d + c]! / p;
      for (let j = c; j < d; j++) m[r * d + j]! -= f * m[c * d + j]!;
    }
  }
  return s;
}
