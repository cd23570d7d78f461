/**
 * A stopping rule that Monte Carlo noise cannot fool. The ELBO trace is cut into windows of W
 * steps, and after each window its mean is compared with the previous window's. The run has
 * converged when, for two comparisons in a row, the gain is below max(2 standard errors of the
 * difference, an absolute tolerance): a gain smaller than the noise cannot be measured, and one
 * smaller than the tolerance does not matter. A step cap ends runs that never get there.
 */
export interface ConvergenceState {
  readonly windows: { mean: number; variance: number; n: number }[];
  passes: number;
  current: number[];
  lastGain: number;
  lastThreshold: number;
}

export interface ConvergenceVerdict {
  readonly converged: boolean;
  readonly reason: string;
}

export class ConvergenceMonitor {
  state: ConvergenceState = { windows: [], passes: 0, current: [], lastGain: NaN, lastThreshold: NaN };

  constructor(
    private readonly window: number,
    private readonly tolerance: number,
    private readonly minSteps: number,
    private readonly needPasses = 2,
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
    const a = s.windows[s.windows.length - 2]!;
    const b = s.windows[s.windows.length - 1]!;
    const gain = b.mean - a.mean;
    const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
    const threshold = Math.max(2 * se, this.tolerance);
    s.lastGain = gain;
    s.lastThreshold = threshold;
    if (gain < threshold) s.passes += 1;
    else s.passes = 0;
    if (step >= this.minSteps && s.passes >= this.needPasses) {
      return {
        converged: true,
        reason: `the ELBO stabilised at step ${step}: its mean over the last window of ${this.window} steps changed by ${gain.toFixed(4)} nats, within max(2 standard errors, tolerance ${this.tolerance}) = ${threshold.toFixed(4)}, for ${this.needPasses} windows in a row`,
      };
    }
    return undefined;
  }

  /** The verdict when the step cap is hit first. */
  capped(maxSteps: number): ConvergenceVerdict {
    const s = this.state;
    const detail = Number.isFinite(s.lastGain) ? `; the last window still gained ${s.lastGain.toFixed(4)} nats (threshold ${s.lastThreshold.toFixed(4)})` : "";
    return { converged: false, reason: `reached maxSteps (${maxSteps}) before the ELBO stabilised${detail}` };
  }
}
