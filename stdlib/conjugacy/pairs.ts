/**
 * Conjugate pairs (STYLE.md convention 4): for a latent whose prior is in an exponential family,
 * the likelihood families and argument slots in which it stays conjugate, how it must enter the
 * slot, and the message it receives from one term of such a factor: the increment to its natural
 * parameters (in the prior's sufficient statistics), written in terms of the expected
 * sufficient statistics of the child and of the co-parents (Winn & Bishop's variational message
 * passing). Keyed by (prior family, likelihood family, slot).
 */

/**
 * How the latent may appear in the slot:
 * - `direct`: the latent itself, possibly indexed by data or gathered by a discrete latent (`mu[z]`);
 * - `precision`: a Normal's sd written from a precision, `1 / sqrt(tau)` (or `tau ^ -0.5`);
 * - `linear`: a linear predictor with data coefficients, `X @ w + b` (a Gaussian factor over the block).
 */
export type SlotForm = "direct" | "precision" | "linear";

/** Expected statistics of one term (one element of a factor), as the messages read them. */
export interface TermStats {
  /** E[x] and E[x^2] of the child (its value and square when observed). */
  x: number;
  x2: number;
  /** A count: Binomial's n, or a Gamma child's (constant) shape. */
  n: number;
  /** E[m] and E[m^2] of a Normal child's mean (co-parent). */
  mean: number;
  mean2: number;
  /** E[tau] of a Normal child's precision (co-parent), its constant multiplier included. */
  tau: number;
  /** The constant multiplier c of a precision written `1 / sqrt(c * tau)` (1 otherwise). */
  prec: number;
  /** A vector child (Categorical's expected one-hot, Multinomial's counts) as a row of `row`. */
  row: ArrayLike<number>;
  rowOff: number;
}

export interface ConjugatePair {
  readonly prior: string;
  readonly likelihood: string;
  readonly slot: string;
  readonly forms: readonly SlotForm[];
  /** The message as a formula, for documentation and `vippl graph`. */
  readonly formula: string;
  /** Adds `w` times this term's message to `out` (length: the prior's natural parameter count). */
  message(s: TermStats, out: Float64Array, w: number, k: number): void;
}

export const CONJUGATE_PAIRS: readonly ConjugatePair[] = [
  {
    prior: "Beta",
    likelihood: "Bernoulli",
    slot: "p",
    forms: ["direct"],
    formula: "[log p, log(1-p)] += [y, 1 - y]",
    message: (s, out, w) => {
      out[0]! += w * s.x;
      out[1]! += w * (1 - s.x);
    },
  },
  {
    prior: "Beta",
    likelihood: "Binomial",
    slot: "p",
    forms: ["direct"],
    formula: "[log p, log(1-p)] += [y, n - y]",
    message: (s, out, w) => {
      out[0]! += w * s.x;
      out[1]! += w * (s.n - s.x);
    },
  },
  {
    prior: "Beta",
    likelihood: "Geometric",
    slot: "p",
    forms: ["direct"],
    formula: "[log p, log(1-p)] += [1, y]",
    message: (s, out, w) => {
      out[0]! += w;
      out[1]! += w * s.x;
    },
  },
  {
    prior: "Gamma",
    likelihood: "Poisson",
    slot: "rate",
    forms: ["direct"],
    formula: "[log lambda, lambda] += [y, -1]",
    message: (s, out, w) => {
      out[0]! += w * s.x;
      out[1]! -= w;
    },
  },
  {
    prior: "Gamma",
    likelihood: "Exponential",
    slot: "rate",
    forms: ["direct"],
    formula: "[log lambda, lambda] += [1, -y]",
    message: (s, out, w) => {
      out[0]! += w;
      out[1]! -= w * s.x;
    },
  },
  {
    prior: "Gamma",
    likelihood: "Gamma",
    slot: "rate",
    forms: ["direct"],
    formula: "[log beta, beta] += [shape, -E[x]]",
    message: (s, out, w) => {
      out[0]! += w * s.n;
      out[1]! -= w * s.x;
    },
  },
  {
    prior: "Gamma",
    likelihood: "Normal",
    slot: "scale",
    forms: ["precision"],
    formula: "[log tau, tau] += [1/2, -c E[(x - m)^2] / 2]  (sd = 1 / sqrt(c tau))",
    message: (s, out, w) => {
      out[0]! += 0.5 * w;
      out[1]! -= 0.5 * w * s.prec * (s.x2 - 2 * s.x * s.mean + s.mean2);
    },
  },
  {
    prior: "Normal",
    likelihood: "Normal",
    slot: "loc",
    forms: ["direct", "linear"],
    formula: "[m, m^2] += [E[tau] E[x], -E[tau] / 2]",
    message: (s, out, w) => {
      out[0]! += w * s.tau * s.x;
      out[1]! -= 0.5 * w * s.tau;
    },
  },
  {
    prior: "Dirichlet",
    likelihood: "Categorical",
    slot: "probs",
    forms: ["direct"],
    formula: "log pi_k += E[z == k]",
    message: (s, out, w, k) => {
      for (let j = 0; j < k; j++) out[j]! += w * s.row[s.rowOff + j]!;
    },
  },
  {
    prior: "Dirichlet",
    likelihood: "Multinomial",
    slot: "probs",
    forms: ["direct"],
    formula: "log pi_k += y_k",
    message: (s, out, w, k) => {
      for (let j = 0; j < k; j++) out[j]! += w * s.row[s.rowOff + j]!;
    },
  },
];

const key = (prior: string, likelihood: string, slot: string): string => `${prior}|${likelihood}|${slot}`;
const BY_KEY = new Map(CONJUGATE_PAIRS.map((p) => [key(p.prior, p.likelihood, p.slot), p]));

/** The pair for (prior family, likelihood family, slot), if conjugate. */
export function conjugatePair(prior: string, likelihood: string, slot: string): ConjugatePair | undefined {
  return BY_KEY.get(key(prior, likelihood, slot));
}

/** The slots of `likelihood` in which a `prior`-distributed latent can be conjugate. */
export function conjugateSlots(prior: string, likelihood: string): ConjugatePair[] {
  return CONJUGATE_PAIRS.filter((p) => p.prior === prior && p.likelihood === likelihood);
}
