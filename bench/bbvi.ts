/**
 * Black-box VI benchmark (issue 6): the variance of the score-function gradient of the mixture's
 * assignments (examples/gmm.ppl, N = 1000, K = 3) with control variates and Rao-Blackwellisation
 * against plain REINFORCE, measured at the same q: R independent estimates (S draws each) of the
 * gradient in z's logits, their empirical variance summed over every component. Goal: >= 10x lower.
 * q is a partly fitted one (a short bbvi run), so the signals are those met during a fit; the
 * continuous guide is held at that q too.
 *
 * Second part: time to reach a given ELBO against WebPPL's Optimize (REINFORCE with baselines for
 * the discrete choices, reparameterised gradients for the rest, its automatic mean-field guides)
 * on the same model and data: the conjugate mixture with explicit assignments
 * (examples/gmm_conjugate, bench/webppl-models/gmm_assign.wppl), in the same session. The target
 * is the bar, CAVI's optimum ELBO less 1%; "reached" is the first step where the running
 * mean of the last 20 per-step ELBO estimates is at or above it, the same rule for both. WebPPL
 * runs in a child process (bench/webppl-models/trace.cjs) with a wall-clock cap; it needs WebPPL
 * 0.9.15 (WEBPPL_INSTALL in bench/webppl.ts) and is skipped without it.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { buildLogJoint, checkData, compileSource, lower } from "../compiler/index.js";
import { blanketUses, scorePass, type BbviConfig } from "../inference/bbvi/index.js";
import { MixedApproximation } from "../inference/approximation/index.js";
import { validateOptions } from "../inference/options.js";
import { fit } from "../inference/index.js";
import { initBackend, Rng } from "../stdlib/index.js";
import type { ControlVariate } from "../inference/elbo-score.js";
import type { BenchRecord } from "./timing.js";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../index.js";
import { WEBPPL_DIR, WEBPPL_INSTALL } from "./webppl.js";

const WINDOW = 20;
const WEBPPL_MAX_SECONDS = Number(process.env.BBVI_WEBPPL_SECONDS ?? 300);

/** First step (1-based) where the running mean of the last WINDOW values reaches `target`, with its time. */
function reached(trace: readonly number[], times: readonly number[], target: number): { step: number; seconds: number } | null {
  let sum = 0;
  for (let i = 0; i < trace.length; i++) {
    sum += trace[i]!;
    if (i >= WINDOW) sum -= trace[i - WINDOW]!;
    if (i + 1 >= WINDOW && sum / WINDOW >= target) return { step: i + 1, seconds: times[i]! };
  }
  return null;
}

/** Running mean of the last WINDOW values at the last step taken by `seconds`. */
function elboAt(trace: readonly number[], times: readonly number[], seconds: number): number | null {
  let i = -1;
  while (i + 1 < times.length && times[i + 1]! <= seconds) i++;
  if (i + 1 < WINDOW) return null;
  return trace.slice(i + 1 - WINDOW, i + 1).reduce((a, b) => a + b, 0) / WINDOW;
}

function runWebppl(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join("bench", "webppl-models", "trace.cjs"), ...args], { stdio: ["ignore", "inherit", "ignore"] });
    child.on("error", () => resolve(-1));
    child.on("exit", (code) => resolve(code ?? -1));
  });
}

/** Time to the CAVI optimum's ELBO less 1% on the mixture with explicit assignments: vippl bbvi against WebPPL. */
export async function bbviVsWebppl(): Promise<BenchRecord[]> {
  await initBackend();
  const text = readFileSync("examples/gmm_conjugate.ppl", "utf8");
  const data = JSON.parse(readFileSync("examples/gmm_conjugate.data.json", "utf8")) as Record<string, unknown>;
  const m = compile(text, { file: "gmm_conjugate.ppl" });
  const cavi = await m.fit(data, { method: "cavi", seed: 1 });
  const optimum = cavi.elbo;
  cavi.dispose();
  const targets = [optimum - 0.01 * Math.abs(optimum), optimum - 5];
  const out: BenchRecord[] = [];
  const mine: { seed: number; trace: number[]; times: number[]; elbo: number; steps: number; seconds: number }[] = [];
  for (const seed of [1, 2, 3]) {
    const trace: number[] = [];
    const times: number[] = [];
    const t0 = performance.now();
    const fit = await m.fit(data, { method: "bbvi", seed, progressEvery: 1, onProgress: (p) => (trace.push(p.elbo), times.push((performance.now() - t0) / 1000)) });
    mine.push({ seed, trace, times, elbo: fit.elbo, steps: fit.steps, seconds: (performance.now() - t0) / 1000 });
    fit.dispose();
  }
  for (const r of mine) {
    const hit = reached(r.trace, r.times, targets[0]!);
    out.push({ bench: "bbvi", case: `vs webppl: vippl bbvi seed ${r.seed}`, median_ms: (hit?.seconds ?? NaN) * 1000, min_ms: (hit?.seconds ?? NaN) * 1000, runs: 1, target: targets[0], cavi_optimum: optimum, reached_step: hit?.step ?? null, fit_seconds: r.seconds, fit_steps: r.steps, final_elbo: r.elbo, seconds_to_optimum_less_5_nats: reached(r.trace, r.times, targets[1]!)?.seconds ?? null });
  }
  if (!existsSync(join(WEBPPL_DIR, "package.json"))) {
    out.push({ bench: "bbvi", case: "vs webppl: skipped", median_ms: NaN, min_ms: NaN, runs: 0, skipped: `WebPPL is not installed at ${WEBPPL_DIR}; install it with: ${WEBPPL_INSTALL}` });
    return out;
  }
  const dir = mkdtempSync(join(tmpdir(), "vippl-bbvi-webppl-"));
  try {
    const file = join(dir, "trace.json");
    const code = await runWebppl(["--program", join("bench", "webppl-models", "gmm_assign.wppl"), "--data", "examples/gmm_conjugate.data.json", "--out", file, "--seed", "1", "--max-seconds", String(WEBPPL_MAX_SECONDS), "--target", String(targets[0]), "--webppl", WEBPPL_DIR]);
    const w = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { error?: string; version: string; compile_s: number; fit_s: number; steps: number; trace: number[]; times: number[] }) : { error: `exit code ${code}, no output` };
    if ("error" in w && w.error) {
      out.push({ bench: "bbvi", case: "vs webppl: webppl failed", median_ms: NaN, min_ms: NaN, runs: 0, error: w.error });
      return out;
    }
    const wt = w as { version: string; compile_s: number; fit_s: number; steps: number; trace: number[]; times: number[] };
    const hit = reached(wt.trace, wt.times, targets[0]!);
    const vipplMs = mine.map((r) => reached(r.trace, r.times, targets[0]!)?.seconds ?? Infinity).sort((a, b) => a - b)[1]! * 1000;
    const last = elboAt(wt.trace, wt.times, Infinity);
    out.push({
      bench: "bbvi",
      case: `vs webppl: webppl ${wt.version} Optimize seed 1`,
      median_ms: (hit?.seconds ?? NaN) * 1000,
      min_ms: (hit?.seconds ?? NaN) * 1000,
      runs: 1,
      target: targets[0],
      reached_step: hit ? hit.step : null,
      compile_seconds: wt.compile_s,
      fit_seconds: wt.fit_s,
      steps: wt.steps,
      capped_at_seconds: hit ? null : WEBPPL_MAX_SECONDS,
      running_mean_elbo_at_end: last,
      elbo_at_vippl_time: elboAt(wt.trace, wt.times, vipplMs / 1000),
      seconds_to_optimum_less_5_nats: reached(wt.trace, wt.times, targets[1]!)?.seconds ?? null,
    });
    out.push({
      bench: "bbvi",
      case: "vs webppl: time to CAVI optimum less 1% (vippl median of seeds 1-3 / webppl)",
      median_ms: vipplMs,
      min_ms: vipplMs,
      runs: 3,
      webppl_ms: hit ? hit.seconds * 1000 : null,
      // When WebPPL never reached the target, the ratio is bounded by its cap.
      ratio: hit ? vipplMs / (hit.seconds * 1000) : null,
      ratio_at_most: hit ? null : vipplMs / (WEBPPL_MAX_SECONDS * 1000),
      faster: hit ? vipplMs < hit.seconds * 1000 : vipplMs < WEBPPL_MAX_SECONDS * 1000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const R = 200;
const S = 8;

export async function bbviBench(): Promise<BenchRecord[]> {
  await initBackend();
  const text = readFileSync("examples/gmm.ppl", "utf8");
  const data = JSON.parse(readFileSync("examples/gmm.data.json", "utf8")) as Record<string, unknown>;
  const c = compileSource({ name: "gmm.ppl", text });
  const typed = c.value!.typed;
  const bound = checkData(typed, data).value!;
  const graph = lower(typed, bound.sizes).value!;
  const lj = buildLogJoint(graph, typed, bound).value!;
  const warm = 200;
  const t0 = performance.now();
  const res = await fit({ logJoint: lj, graph, data: bound }, { method: "bbvi", seed: 1, maxSteps: warm, minSteps: warm, finalSamples: 10 });
  const fitMs = performance.now() - t0;
  const saved = res.save() as { guide: unknown };
  const { MIXED_KIND } = await import("../inference/approximation/index.js");
  const q = MIXED_KIND.fromState(saved.guide as never, lj.latents) as MixedApproximation;
  const out: BenchRecord[] = [];
  const variance = (cv: ControlVariate, rb: boolean): { total: number; ms: number } => {
    const o = validateOptions({ method: "bbvi", controlVariate: cv, raoBlackwell: rb }).value!;
    const cfg: BbviConfig = { options: o, logJoint: lj, graph, transform: q.transform };
    const st = { guide: q.guide, factors: q.factors, uses: blanketUses(lj, graph, q.factors.map((f) => f.latent), rb), baselines: new Map<string, tf.Tensor>() };
    const rng = new Rng(7);
    const e = q.factors[0]!.variable.size;
    const sum = new Float64Array(e);
    const sum2 = new Float64Array(e);
    const start = performance.now();
    for (let r = 0; r < R; r++) {
      const noise = q.guide!.noise(S, rng);
      const discrete = new Map(q.factors.map((f) => [f.latent.name, f.sample(S, rng)] as const));
      const sp = scorePass(cfg, st, { noise, discrete }, cv);
      const g = sp.grads.get("z")!.dataSync();
      for (let k = 0; k < e; k++) {
        sum[k] += g[k]!;
        sum2[k] += g[k]! * g[k]!;
      }
      sp.elbo.dispose();
      for (const m of [sp.grads, sp.variances, sp.signals]) for (const t of m.values()) t.dispose();
      noise.dispose();
      for (const t of discrete.values()) t.dispose();
    }
    const ms = (performance.now() - start) / R;
    let total = 0;
    for (let k = 0; k < e; k++) total += (sum2[k]! - (sum[k]! * sum[k]!) / R) / (R - 1);
    return { total, ms };
  };
  const plain = variance("none", false);
  for (const [cv, rb] of [["none", false], ["none", true], ["decaying", true], ["optimal", false], ["optimal", true]] as const) {
    const v = cv === "none" && !rb ? plain : variance(cv, rb);
    out.push({
      bench: "bbvi",
      case: `gmm z-gradient variance: cv ${cv}, Rao-Blackwell ${rb ? "on" : "off"}`,
      median_ms: v.ms,
      min_ms: v.ms,
      runs: R,
      samples: S,
      variance: v.total,
      reduction_vs_plain: plain.total / v.total,
      ...(cv === "optimal" && rb ? { goal: ">= 10x", met: plain.total / v.total >= 10 } : {}),
    });
  }
  out.push({ bench: "bbvi", case: `gmm bbvi fit, ${warm} steps (q for the variance cases)`, median_ms: fitMs, min_ms: fitMs, runs: 1, ms_per_step: fitMs / warm, elbo: res.elbo });
  q.dispose();
  res.dispose();
  lj.dispose();
  return [...out, ...(await bbviVsWebppl())];
}
