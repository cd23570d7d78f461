/**
 * A stopping rule that Monte Carlo noise cannot fool. The ELBO trace is cut into windows of W
 * steps, and after each window its mean is compared with the previous window's. A window passes
 * when all of these hold:
 *
 *  - the gain is below max(2 standard errors of the difference, an absolute tolerance): a gain
 *    smaller than the noise cannot be measured, and one smaller than the tolerance does not matter;
 *  - the noise itself is small: the window mean's standard error is at most
 *    max(NOISE_ABS nats, NOISE_REL |ELBO|) (times the minibatch factor). Without this, a fit whose
 *    ELBO estimate is wildly noisy (a guide far from the posterior, e.g. millions of nats of
 *    spread) passes the first test whatever it does, because 2 standard errors are enormous;
 *  - there is no upward trend: the gain over the span of the last `needPasses + 1` comparisons is
 *    also within max(3 standard errors, tolerance), so a slow climb that hides in each single
 *    comparison is still seen.
 *
 * The run has converged when `needPasses` windows pass in a row. A step cap ends runs that never
 * get there, and then the verdict says which test kept failing.
 */
export interface ConvergenceState {
  readonly windows: { mean: number; variance: number; n: number }[];
  passes: number;
  current: number[];
  lastGain: number;
  lastThreshold: number;
  /** Why the last window did not pass ("" when it did). */
  lastFailure?: string;
}

export interface ConvergenceVerdict {
  readonly converged: boolean;
  readonly reason: string;
}

/** The ELBO's window standard error must be below max(NOISE_ABS, NOISE_REL |ELBO|) nats. */
export const NOISE_ABS = 2;
export const NOISE_REL = 0.005;

export class ConvergenceMonitor {
  state: ConvergenceState = { windows: [], passes: 0, current: [], lastGain: NaN, lastThreshold: NaN, lastFailure: "" };

  constructor(
    private readonly window: number,
    private readonly tolerance: number,
    private readonly minSteps: number,
    private readonly needPasses = 2,
    /** Multiplies the noise bound (minibatch ELBO estimates are noisier by about N / B). */
    private readonly noiseFactor = 1,
  ) {}

  /** Adds one ELBO estimate; returns a verdict when the rule fires. */
  push(elbo: number, step: number): ConvergenceVerdict | undefined {
    const s = this.state;
    s.current.push(elbo);
    if (s.current.length < this.window) return undefined;
    const n = s.current.length;
    const mean = s.current.reduce((a, b) => a + b, 0) / n;
    const variance = s.current.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
    s.windows.push({ mean, variance, n });
    s.current = [];
    if (s.windows.length < 2) return undefined;
    const w = s.windows;
    const a = w[w.length - 2]!;
    const b = w[w.length - 1]!;
    const gain = b.mean - a.mean;
    const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
    const threshold = Math.max(2 * se, this.tolerance);
    s.lastGain = gain;
    s.lastThreshold = threshold;
    const seMean = Math.sqrt(b.variance / b.n);
    const noiseBound = Math.max(NOISE_ABS, NOISE_REL * Math.abs(b.mean)) * this.noiseFactor;
    let failure = "";
    if (!(gain < threshold)) failure = `the last window still gained ${gain.toFixed(4)} nats (threshold ${threshold.toFixed(4)})`;
    else if (!(seMean <= noiseBound))
      failure = `the ELBO estimate is too noisy to judge: the standard error of its window mean is ${fmt(seMean)} nats at an ELBO of ${fmt(b.mean)}, above ${fmt(noiseBound)} (the guide is probably far from the posterior)`;
    else if (w.length > this.needPasses + 1) {
      const c = w[w.length - 2 - this.needPasses]!;
      const span = b.mean - c.mean;
      const spanThr = Math.max(3 * Math.sqrt(c.variance / c.n + b.variance / b.n), this.tolerance);
      if (!(span < spanThr)) failure = `the ELBO is still rising: it gained ${span.toFixed(4)} nats over the last ${this.needPasses + 1} windows (threshold ${spanThr.toFixed(4)})`;
    }
    s.lastFailure = failure;
    if (!failure) s.passes += 1;
    else s.passes = 0;
    if (step >= this.minSteps && s.passes >= this.needPasses) {
      return {
        converged: true,
        reason: `the ELBO stabilised at step ${step}: its mean over the last window of ${this.window} steps changed by ${gain.toFixed(4)} nats, within max(2 standard errors, tolerance ${this.tolerance}) = ${threshold.toFixed(4)}, for ${this.needPasses} windows in a row, with a window standard error of ${fmt(seMean)} nats`,
      };
    }
    return undefined;
  }

  /** The verdict when the step cap is hit first. */
  capped(maxSteps: number): ConvergenceVerdict {
    const s = this.state;
    const detail = s.lastFailure
      ? `; ${s.lastFailure}`
      : Number.isFinite(s.lastGain)
        ? `; the last window changed by ${s.lastGain.toFixed(4)} nats (threshold ${s.lastThreshold.toFixed(4)})`
        : "";
    return { converged: false, reason: `not converged: reached maxSteps (${maxSteps}) before the ELBO stabilised${detail}` };
  }
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(3);
}
