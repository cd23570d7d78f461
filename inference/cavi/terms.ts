/**
 * The likelihood side of CAVI, one entry per distribution family (a registry, not a switch): the
 * expected log density of one term of a factor under q (for the ELBO and for the message to a
 * mixture's selector), and the message a term sends to its target (the target's prior message).
 * Messages to the latents in argument slots come from the pair registry in stdlib/conjugacy,
 * fed with the expected sufficient statistics read here.
 */
import { conjugatePair, logMultiBeta, specialJs, type TermStats } from "../../stdlib/index.js";
import type { BoundFactor, Slot } from "./bind.js";
import type { QFactor } from "./q.js";

const { lgamma, lbeta } = specialJs;
const LOG_2PI = Math.log(2 * Math.PI);

// ---------------------------------------------------------------------------------------------
// Expected statistics of slots and targets

/** E[m] of a Normal mean slot at term t, category k. */
export function slotMean(s: Slot, t: number, k: number): number {
  if (s.kind === "const") return s.v[t]!;
  if (s.kind === "use") return (s.q as { mean: Float64Array }).mean[s.unit[t]! + k * s.stride]!;
  let m = s.offset[t]!;
  for (let p = s.ptr[t]!; p < s.ptr[t + 1]!; p++) m += s.val[p]! * s.q.mean[s.col[p]!]!;
  return m;
}

/** E[m^2] of a Normal mean slot (variances included). */
export function slotMean2(s: Slot, t: number, k: number): number {
  if (s.kind === "const") return s.v[t]! * s.v[t]!;
  if (s.kind === "use") {
    const q = s.q as { mean: Float64Array; variance: Float64Array };
    const j = s.unit[t]! + k * s.stride;
    return q.mean[j]! * q.mean[j]! + q.variance[j]!;
  }
  const m = slotMean(s, t, k);
  let v = 0;
  const q = s.q;
  const d = q.units;
  if (q.cov) {
    for (let p = s.ptr[t]!; p < s.ptr[t + 1]!; p++) {
      const ci = s.col[p]! * d;
      for (let r = s.ptr[t]!; r < s.ptr[t + 1]!; r++) v += s.val[p]! * s.val[r]! * q.cov[ci + s.col[r]!]!;
    }
  } else {
    for (let p = s.ptr[t]!; p < s.ptr[t + 1]!; p++) v += s.val[p]! * s.val[p]! * q.variance[s.col[p]!]!;
  }
  return m * m + v;
}

/** [E[log theta], E[theta]] of a positive slot (a rate; a precision when `precision`). */
function positiveStats(s: Slot, t: number, k: number, out: number[]): void {
  if (s.kind === "const") {
    const v = s.v[t]!;
    out[0] = Math.log(v);
    out[1] = v;
    return;
  }
  if (s.kind === "use") {
    const q = s.q as { eLog: Float64Array; e: Float64Array };
    const j = s.unit[t]! + k * s.stride;
    out[0] = q.eLog[j]!;
    out[1] = q.e[j]!;
    return;
  }
  throw new Error("CAVI: a linear predictor in a positive slot");
}

/** [E[log tau], E[tau]] of a Normal's scale slot (a constant sd, or a precision). */
function precisionStats(s: Slot, t: number, k: number, out: number[]): void {
  if (s.kind === "const") {
    const sd = s.v[t]!;
    out[0] = -2 * Math.log(sd);
    out[1] = 1 / (sd * sd);
    return;
  }
  positiveStats(s, t, k, out);
  const c = s.kind === "use" && s.mult ? s.mult[t]! : 1;
  if (c !== 1) {
    out[0]! += Math.log(c);
    out[1]! *= c;
  }
}

/** The constant multiplier c of a precision slot `1 / sqrt(c * tau)` at term t (1 when none). */
function precisionMultiplier(s: Slot, t: number): number {
  return s.kind === "use" && s.mult ? s.mult[t]! : 1;
}

/** [E[log p], E[log(1 - p)]] of a probability slot. */
function probStats(s: Slot, t: number, k: number, out: number[]): void {
  if (s.kind === "const") {
    const p = s.v[t]!;
    out[0] = Math.log(p);
    out[1] = Math.log1p(-p);
    return;
  }
  if (s.kind === "use") {
    const q = s.q as { eLog: Float64Array; eLog1m: Float64Array };
    const j = s.unit[t]! + k * s.stride;
    out[0] = q.eLog[j]!;
    out[1] = q.eLog1m[j]!;
    return;
  }
  throw new Error("CAVI: a linear predictor in a probability slot");
}

/** E[log pi_c] of a probability-vector slot. */
function logProbsAt(s: Slot, t: number, k: number, c: number): number {
  if (s.kind === "const") return Math.log(s.v[t * s.width + c]!);
  if (s.kind === "use") {
    const q = s.q as { eLog: Float64Array; k: number };
    return q.eLog[(s.unit[t]! + k * s.stride) * q.k + c]!;
  }
  throw new Error("CAVI: a linear predictor in a probability-vector slot");
}

/** E[x] and E[x^2] of a scalar target at term t. */
function targetMoments(f: BoundFactor, t: number, out: number[]): void {
  const tg = f.target;
  if (tg.kind === "observed") {
    const x = tg.v[t]!;
    out[0] = x;
    out[1] = x * x;
    return;
  }
  const q = tg.q;
  const j = tg.offset + t;
  if (q.family === "Normal") {
    out[0] = q.mean[j]!;
    out[1] = q.mean[j]! * q.mean[j]! + q.variance[j]!;
  } else if (q.family === "Gamma") {
    out[0] = q.e[j]!;
    out[1] = NaN;
  } else throw new Error(`CAVI: a ${q.family} target has no scalar moments`);
}

/** [E[log x], E[log(1 - x)]] or [E[log x], E[x]] of a latent Beta / Gamma target. */
function targetLogStats(f: BoundFactor, t: number, out: number[]): void {
  const tg = f.target;
  if (tg.kind === "observed") {
    const x = tg.v[t]!;
    out[0] = Math.log(x);
    out[1] = f.family === "Beta" ? Math.log1p(-x) : x;
    return;
  }
  const q = tg.q;
  const j = tg.offset + t;
  if (q.family === "Beta") {
    out[0] = q.eLog[j]!;
    out[1] = q.eLog1m[j]!;
  } else if (q.family === "Gamma") {
    out[0] = q.eLog[j]!;
    out[1] = q.e[j]!;
  } else throw new Error(`CAVI: no log statistics for a ${q.family} target`);
}

/** Component c of a vector target (one-hot of an observed category, q(z = c), or a count). */
function targetRowAt(f: BoundFactor, t: number, c: number): number {
  const tg = f.target;
  if (tg.kind === "observed") return f.family === "Categorical" ? (tg.v[t] === c ? 1 : 0) : tg.v[t * tg.width + c]!;
  const q = tg.q as { r?: Float64Array; eLog?: Float64Array; k: number };
  if (q.r) return q.r[(tg.offset + t) * q.k + c]!;
  return q.eLog![(tg.offset + t) * q.k + c]!;
}

// ---------------------------------------------------------------------------------------------
// Families

export interface LikelihoodTerms {
  /** E_q[log p(term t)] given the selector's category k (0 without a selector). */
  expectedLogProb(f: BoundFactor, t: number, k: number): number;
  /** Adds w times term t's message to the target's accumulator (its prior message). */
  targetMessage?(f: BoundFactor, t: number, k: number, w: number): void;
  /** The statistics the pair registry's messages read, for slot `slot`. */
  termStats(f: BoundFactor, t: number, k: number, slot: number, s: TermStats): void;
}

const tmp: number[] = [0, 0];
const tmp2: number[] = [0, 0];

const NORMAL: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    targetMoments(f, t, tmp);
    const m = slotMean(f.slots[0]!, t, k);
    const m2 = slotMean2(f.slots[0]!, t, k);
    precisionStats(f.slots[1]!, t, k, tmp2);
    return 0.5 * (tmp2[0]! - LOG_2PI - tmp2[1]! * (tmp[1]! - 2 * tmp[0]! * m + m2));
  },
  targetMessage(f, t, k, w) {
    const tg = f.target as { q: QFactor; offset: number };
    const q = tg.q as { acc: Float64Array; units: number; cov: Float64Array | null };
    precisionStats(f.slots[1]!, t, k, tmp2);
    const j = tg.offset + t;
    q.acc[j]! += w * tmp2[1]! * slotMean(f.slots[0]!, t, k);
    q.acc[q.units + (q.cov ? j * q.units + j : j)]! += w * tmp2[1]!;
  },
  termStats(f, t, k, _slot, s) {
    targetMoments(f, t, tmp);
    s.x = tmp[0]!;
    s.x2 = tmp[1]!;
    s.mean = slotMean(f.slots[0]!, t, k);
    s.mean2 = slotMean2(f.slots[0]!, t, k);
    precisionStats(f.slots[1]!, t, k, tmp2);
    s.tau = tmp2[1]!;
    s.prec = precisionMultiplier(f.slots[1]!, t);
  },
};

const BERNOULLI: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const y = (f.target as { v: Float64Array }).v[t]!;
    probStats(f.slots[0]!, t, k, tmp);
    return y * tmp[0]! + (1 - y) * tmp[1]!;
  },
  termStats(f, t, _k, _slot, s) {
    s.x = (f.target as { v: Float64Array }).v[t]!;
  },
};

const BINOMIAL: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const y = (f.target as { v: Float64Array }).v[t]!;
    const n = (f.slots[0] as { v: Float64Array }).v[t]!;
    probStats(f.slots[1]!, t, k, tmp);
    return lgamma(n + 1) - lgamma(y + 1) - lgamma(n - y + 1) + y * tmp[0]! + (n - y) * tmp[1]!;
  },
  termStats(f, t, _k, _slot, s) {
    s.x = (f.target as { v: Float64Array }).v[t]!;
    s.n = (f.slots[0] as { v: Float64Array }).v[t]!;
  },
};

const GEOMETRIC: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const y = (f.target as { v: Float64Array }).v[t]!;
    probStats(f.slots[0]!, t, k, tmp);
    return tmp[0]! + y * tmp[1]!;
  },
  termStats(f, t, _k, _slot, s) {
    s.x = (f.target as { v: Float64Array }).v[t]!;
  },
};

const POISSON: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const y = (f.target as { v: Float64Array }).v[t]!;
    positiveStats(f.slots[0]!, t, k, tmp);
    return y * tmp[0]! - tmp[1]! - lgamma(y + 1);
  },
  termStats(f, t, _k, _slot, s) {
    s.x = (f.target as { v: Float64Array }).v[t]!;
  },
};

const EXPONENTIAL: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const y = (f.target as { v: Float64Array }).v[t]!;
    positiveStats(f.slots[0]!, t, k, tmp);
    return tmp[0]! - tmp[1]! * y;
  },
  termStats(f, t, _k, _slot, s) {
    s.x = (f.target as { v: Float64Array }).v[t]!;
  },
};

const GAMMA: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const a = (f.slots[0] as { v: Float64Array }).v[t]!;
    positiveStats(f.slots[1]!, t, k, tmp2);
    targetLogStats(f, t, tmp);
    return a * tmp2[0]! + (a - 1) * tmp[0]! - tmp2[1]! * tmp[1]! - lgamma(a);
  },
  targetMessage(f, t, k, w) {
    const tg = f.target as { q: QFactor; offset: number };
    const a = (f.slots[0] as { v: Float64Array }).v[t]!;
    positiveStats(f.slots[1]!, t, k, tmp2);
    const j = tg.offset + t;
    tg.q.acc[2 * j]! += w * (a - 1);
    tg.q.acc[2 * j + 1]! -= w * tmp2[1]!;
  },
  termStats(f, t, _k, _slot, s) {
    targetLogStats(f, t, tmp);
    s.x = tmp[1]!;
    s.n = (f.slots[0] as { v: Float64Array }).v[t]!;
  },
};

const BETA: LikelihoodTerms = {
  expectedLogProb(f, t) {
    const a = (f.slots[0] as { v: Float64Array }).v[t]!;
    const b = (f.slots[1] as { v: Float64Array }).v[t]!;
    targetLogStats(f, t, tmp);
    return (a - 1) * tmp[0]! + (b - 1) * tmp[1]! - lbeta(a, b);
  },
  targetMessage(f, t, _k, w) {
    const tg = f.target as { q: QFactor; offset: number };
    const j = tg.offset + t;
    tg.q.acc[2 * j]! += w * ((f.slots[0] as { v: Float64Array }).v[t]! - 1);
    tg.q.acc[2 * j + 1]! += w * ((f.slots[1] as { v: Float64Array }).v[t]! - 1);
  },
  termStats() {},
};

const DIRICHLET: LikelihoodTerms = {
  expectedLogProb(f, t) {
    const s = f.slots[0] as { v: Float64Array; width: number };
    const kk = s.width;
    let e = -logMultiBeta(s.v, t * kk, kk);
    for (let c = 0; c < kk; c++) e += (s.v[t * kk + c]! - 1) * targetRowAt(f, t, c);
    return e;
  },
  targetMessage(f, t, _k, w) {
    const tg = f.target as { q: QFactor; offset: number };
    const s = f.slots[0] as { v: Float64Array; width: number };
    const kk = s.width;
    for (let c = 0; c < kk; c++) tg.q.acc[(tg.offset + t) * kk + c]! += w * (s.v[t * kk + c]! - 1);
  },
  termStats() {},
};

const CATEGORICAL: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const s = f.slots[0]!;
    const kk = s.kind === "const" ? s.width : (s.q as { k: number }).k;
    let e = 0;
    for (let c = 0; c < kk; c++) {
      const r = targetRowAt(f, t, c);
      if (r !== 0) e += r * logProbsAt(s, t, k, c);
    }
    return e;
  },
  targetMessage(f, t, k, w) {
    const tg = f.target as { q: QFactor; offset: number };
    const s = f.slots[0]!;
    const kk = tg.q.k;
    for (let c = 0; c < kk; c++) tg.q.acc[(tg.offset + t) * kk + c]! += w * logProbsAt(s, t, k, c);
  },
  termStats(f, t, _k, _slot, s) {
    const tg = f.target;
    if (tg.kind === "observed") {
      oneHot.fill(0);
      oneHot[tg.v[t]!] = 1;
      s.row = oneHot;
      s.rowOff = 0;
    } else {
      s.row = (tg.q as { r: Float64Array }).r;
      s.rowOff = (tg.offset + t) * tg.q.k;
    }
  },
};
let oneHot = new Float64Array(0);
/** Scratch row for an observed category's one-hot vector (sized by the engine). */
export function reserveOneHot(k: number): void {
  if (oneHot.length < k) oneHot = new Float64Array(k);
}

const MULTINOMIAL: LikelihoodTerms = {
  expectedLogProb(f, t, k) {
    const tg = f.target as { v: Float64Array; width: number };
    const s = f.slots[1]!;
    const kk = tg.width;
    let n = 0;
    let e = 0;
    for (let c = 0; c < kk; c++) {
      const y = tg.v[t * kk + c]!;
      n += y;
      e -= lgamma(y + 1);
      if (y !== 0) e += y * logProbsAt(s, t, k, c);
    }
    return e + lgamma(n + 1);
  },
  termStats(f, t, _k, _slot, s) {
    const tg = f.target as { v: Float64Array; width: number };
    s.row = tg.v;
    s.rowOff = t * tg.width;
  },
};

export const LIKELIHOOD_TERMS: ReadonlyMap<string, LikelihoodTerms> = new Map([
  ["Normal", NORMAL],
  ["Bernoulli", BERNOULLI],
  ["Binomial", BINOMIAL],
  ["Geometric", GEOMETRIC],
  ["Poisson", POISSON],
  ["Exponential", EXPONENTIAL],
  ["Gamma", GAMMA],
  ["Beta", BETA],
  ["Dirichlet", DIRICHLET],
  ["Categorical", CATEGORICAL],
  ["Multinomial", MULTINOMIAL],
]);

export function termsOf(family: string): LikelihoodTerms {
  const h = LIKELIHOOD_TERMS.get(family);
  if (!h) throw new Error(`CAVI: no closed-form terms for ${family}`);
  return h;
}

export { conjugatePair };
