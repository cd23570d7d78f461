/**
 * Black-box VI benchmark (issue 6): the variance of the score-function gradient of the mixture's
 * assignments (examples/gmm.ppl, N = 1000, K = 3) with control variates and Rao-Blackwellisation
 * against plain REINFORCE, measured at the same q: R independent estimates (S draws each) of the
 * gradient in z's logits, their empirical variance summed over every component. Goal: >= 10x lower.
 * q is a partly fitted one (a short bbvi run), so the signals are those met during a fit; the
 * continuous guide is held at that q too.
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
  return out;
}
