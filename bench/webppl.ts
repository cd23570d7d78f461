/**
 * WebPPL beside vippl, in the same benchmark session (issue 4's speed goal).
 *
 * Needs WebPPL 0.9.15 installed in a scratch folder (not a dependency of vippl):
 *
 *     mkdir -p /tmp/webppl && cd /tmp/webppl && npm init -y && npm install webppl@0.9.15
 *
 * (or set WEBPPL_DIR to another .../node_modules/webppl). Without it this bench prints that it
 * skips, and returns one "skipped" record; it never fails.
 *
 * It spawns ../shared/bench/webppl/run_webppl.js for coin, normal_gamma, linreg, logreg and
 * eight_schools with 3 reps (mean-field Gaussian guides, the hand-made decreasing Adam schedule of
 * the peer driver), reads its JSON records and scores them like bench/advi.ts does (the same
 * references, the same parameters). WebPPL's `time_s` is its fit alone (Optimize); it compiles
 * each model once (`compile_s`), so its time to posterior is compile_s + time_s.
 *
 * The comparison table uses the vippl results of `advi` when that bench ran earlier in this
 * process (`npm run bench -- advi webppl`), else it runs the advi bench first itself.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchRecord } from "./timing.js";
import { SHARED_BENCH, benchReference, median, round, score, type Moments } from "./accuracy.js";
import { ADVI_MODELS, adviBench, lastAdviSummaries } from "./advi.js";

export const WEBPPL_DIR = process.env.WEBPPL_DIR ?? "/tmp/webppl/node_modules/webppl";
export const WEBPPL_INSTALL = "mkdir -p /tmp/webppl && cd /tmp/webppl && npm init -y && npm install webppl@0.9.15";

export interface WebpplRecord {
  system: string;
  version: string;
  method: string;
  model: string;
  rep: number;
  seed: number;
  compile_s: number;
  total_s?: number;
  time_s?: number;
  elbo?: number;
  params?: Record<string, Moments>;
  error?: string;
}

/** Runs the peer driver for `models` (`reps` each), writing its JSON records to `out`; the exit code. */
export function runDriver(models: readonly string[], reps: number, out: string): Promise<number> {
  const driver = join(SHARED_BENCH, "webppl", "run_webppl.js");
  const args = [driver, "--models", models.join(","), "--reps", String(reps), "--out", out, "--webppl", WEBPPL_DIR];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (e) => {
      console.error(`[webppl] could not start the driver: ${e.message}`);
      resolve(-1);
    });
    child.on("exit", (code) => resolve(code ?? -1));
  });
}

function skipped(reason: string): BenchRecord[] {
  console.log(`\nwebppl bench skipped: ${reason}`);
  return [{ bench: "webppl", case: "skipped", median_ms: NaN, min_ms: NaN, runs: 0, skipped: reason }];
}

export async function webpplBench(): Promise<BenchRecord[]> {
  if (!existsSync(join(WEBPPL_DIR, "package.json"))) return skipped(`WebPPL is not installed at ${WEBPPL_DIR}; install it with: ${WEBPPL_INSTALL}`);
  const driver = join(SHARED_BENCH, "webppl", "run_webppl.js");
  if (!existsSync(driver)) return skipped(`the WebPPL driver ${driver} is missing`);

  // vippl first (unless the advi bench already ran in this process), so both run in one session.
  if (!lastAdviSummaries()) await adviBench();
  const vippl = lastAdviSummaries() ?? [];

  const reps = Math.max(1, Number(process.env.WEBPPL_BENCH_REPS ?? 3) || 3);
  const dir = mkdtempSync(join(tmpdir(), "vippl-webppl-"));
  const out = join(dir, "webppl.json");
  let recs: WebpplRecord[];
  try {
    const code = await runDriver(ADVI_MODELS, reps, out);
    if (!existsSync(out)) return skipped(`the WebPPL driver exited with code ${code} and wrote no results`);
    recs = JSON.parse(readFileSync(out, "utf8")) as WebpplRecord[];
  } catch (e) {
    return skipped(`the WebPPL run failed: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const records: BenchRecord[] = [];
  const table: Record<string, unknown>[] = [];
  for (const model of ADVI_MODELS) {
    const ref = benchReference(model);
    const mine = recs.filter((r) => r.model === model && r.method === "vi");
    const ok = mine.filter((r) => !r.error && r.params && typeof r.time_s === "number");
    let worstMean = 0;
    let worstSd = 0;
    for (const r of mine) {
      if (r.error || !r.params || typeof r.time_s !== "number") {
        records.push({ bench: "webppl", case: `${model}/rep${r.rep}`, median_ms: NaN, min_ms: NaN, runs: 0, error: r.error ?? "no result" });
        continue;
      }
      const s = score(ref.names, ref.params, r.params);
      worstMean = Math.max(worstMean, s.meanErr);
      worstSd = Math.max(worstSd, s.sdErr);
      records.push({
        bench: "webppl",
        case: `${model}/rep${r.rep}`,
        median_ms: r.time_s * 1000,
        min_ms: r.time_s * 1000,
        runs: 1,
        compile_ms: round(r.compile_s * 1000, 4),
        seed: r.seed,
        reference: ref.source,
        mean_err_sd: round(s.meanErr),
        mean_worst: s.meanWorst,
        sd_err: round(s.sdErr),
        sd_worst: s.sdWorst,
        elbo: typeof r.elbo === "number" ? round(r.elbo, 8) : null,
        log_evidence: ref.logEvidence,
        elbo_gap: ref.logEvidence === null || typeof r.elbo !== "number" ? null : round(ref.logEvidence - r.elbo),
      });
    }
    const fitMs = ok.map((r) => r.time_s! * 1000);
    const totalMs = ok.map((r) => (r.time_s! + r.compile_s) * 1000);
    const wFit = median(fitMs);
    const wTotal = median(totalMs);
    records.push({
      bench: "webppl",
      case: model,
      median_ms: wFit,
      min_ms: fitMs.length ? Math.min(...fitMs) : NaN,
      runs: ok.length,
      median_compile_plus_fit_ms: round(wTotal, 4),
      mean_err_sd: ok.length ? round(worstMean) : NaN,
      sd_err: ok.length ? round(worstSd) : NaN,
    });

    for (const v of vippl.filter((x) => x.model === model && x.family === "auto")) {
      const label = v.method === "advi" ? model : `${model}/method-auto`;
      table.push({
        model: label,
        "vippl s (compile+fit)": round(v.medianMs / 1000),
        "WebPPL s (fit)": round(wFit / 1000),
        "WebPPL s (compile+fit)": round(wTotal / 1000),
        "ratio vs fit": round(v.medianMs / wFit),
        "ratio vs compile+fit": round(v.medianMs / wTotal),
        "vippl err": round(v.meanErr),
        "WebPPL err": ok.length ? round(worstMean) : NaN,
        "vippl sd err": round(v.sdErr),
        "WebPPL sd err": ok.length ? round(worstSd) : NaN,
      });
      records.push({
        bench: "webppl",
        case: `compare/${label}`,
        vippl_method: v.method,
        median_ms: v.medianMs,
        min_ms: v.minMs,
        runs: v.runs.length,
        webppl_fit_ms: round(wFit, 4),
        webppl_compile_plus_fit_ms: round(wTotal, 4),
        ratio_vs_webppl_fit: round(v.medianMs / wFit),
        ratio_vs_webppl_total: round(v.medianMs / wTotal),
        vippl_mean_err_sd: round(v.meanErr),
        webppl_mean_err_sd: ok.length ? round(worstMean) : NaN,
        vippl_sd_err: round(v.sdErr),
        webppl_sd_err: ok.length ? round(worstSd) : NaN,
        faster: v.medianMs < wFit,
        more_accurate: v.meanErr <= worstMean,
      });
    }
  }
  console.log("\nvippl (ADVI with default settings, and method-auto: the default method, CAVI where every latent is conjugate; median of seeds 1-3, compile+fit in process) vs WebPPL 0.9.15 (median of 3 reps); err = worst |mean - ref| in ref sds over seeds/reps, sd err = worst |sd/ref - 1|");
  console.table(table);
  return records;
}
