/**
 * The run loop every step-based method shares (ADVI, BBVI): step until done, report progress
 * every `progressEvery` accepted steps (step, mean ELBO of those steps, steps/s, time left,
 * phase, plus what the method adds), yield to the event loop between reports, and call the
 * method's per-step hook (checkpoints).
 */
import type { ProgressInfo, ResolvedOptions } from "./options.js";
import { now, yieldToEventLoop } from "./method.js";

/** What the loop reads of a method's state. */
export interface SteppedState {
  readonly step: number;
  readonly done: boolean;
  readonly phase: ProgressInfo["phase"];
  readonly trace: readonly number[];
  /** Under averaging, the step the run ends at. */
  readonly averageUntil: number;
}

export interface StepLoopHooks {
  /** Extra progress fields (e.g. gradient variances). */
  readonly progress?: () => Partial<ProgressInfo>;
  /** After each accepted step (e.g. a checkpoint). */
  readonly afterStep?: () => Promise<void>;
}

export async function runStepLoop(st: SteppedState, o: ResolvedOptions, step: () => void, hooks: StepLoopHooks = {}): Promise<void> {
  let lastReport = now();
  let lastStep = st.step;
  while (!st.done) {
    step();
    if (st.step === lastStep) continue; // a rejected step
    if (o.onProgress && st.step % o.progressEvery === 0) {
      const tNow = now();
      const rate = (st.step - lastStep) / Math.max(1e-9, (tNow - lastReport) / 1000);
      const recent = st.trace.slice(-o.progressEvery);
      const left = (st.phase === "average" ? st.averageUntil : o.maxSteps) - st.step;
      o.onProgress({
        step: st.step,
        elbo: recent.reduce((a, b) => a + b, 0) / recent.length,
        stepsPerSecond: rate,
        secondsLeft: left / Math.max(rate, 1e-9),
        phase: st.phase,
        ...hooks.progress?.(),
      });
      lastReport = tNow;
      lastStep = st.step;
      await yieldToEventLoop();
    } else if (!o.onProgress) {
      lastStep = st.step;
    }
    if (hooks.afterStep) await hooks.afterStep();
  }
}
