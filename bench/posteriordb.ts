/**
 * posteriordb (../shared/posteriordb, 15 posteriors with NUTS reference moments): ADVI mean-field
 * and full-rank against every posterior our language can express (issue 4).
 *
 * The models are bench/posteriordb/<posterior>.ppl; a few need derived data (a transformed
 * response, a lag matrix, centred columns, the matrices of an unrolled recursion) that `derive`
 * below computes from the posterior's data.json. Each posterior is fitted with default settings
 * (seed 1; VIPPL_PDB_SEEDS=1,2,3 for more) with family "meanfield" and "fullrank", and scored on
 * every reference parameter: mean error = worst |mean - ref| / ref sd, the smallest and largest
 * sd / ref sd, and the Pareto k of the fit. Goal (full-rank): means within 0.2 sd and sds within
 * 25% on every posterior except diamonds; Pareto k should flag where mean-field cannot be trusted.
 *
 * Not expressible yet (listed in the output as skipped): gp_pois_regr-gp_regr and
 * gp_pois_regr-gp_pois_regr need a Cholesky factorisation of a latent-dependent covariance (the
 * language has MultivariateNormal(loc, scale_tril) but no cholesky()).
 *
 * VIPPL_PDB=<name,...> restricts the posteriors (substring match); VIPPL_PDB_FAMILIES=fullrank
 * the families; VIPPL_PDB_OPTS='{"minSteps": 150}' adds fit options.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../index.js";
import type { BenchRecord } from "./timing.js";
import { fromSummary, round, score, type Moments } from "./accuracy.js";

export const POSTERIORDB = process.env.VIPPL_POSTERIORDB ?? "/work/shared/posteriordb";

type Data = Record<string, unknown>;

const num = (v: unknown): number[] => v as number[];

/** Lower-triangular exponent (t - i) and mask matrices of size n. */
function lowerTri(n: number): { E: number[][]; L: number[][]; S: number[][] } {
  const E: number[][] = [];
  const L: number[][] = [];
  const S: number[][] = [];
  for (let t = 0; t < n; t++) {
    E.push(Array.from({ length: n }, (_, i) => (i <= t ? t - i : 0)));
    L.push(Array.from({ length: n }, (_, i) => (i <= t ? 1 : 0)));
    S.push(Array.from({ length: n }, (_, i) => (i <= t && (t - i) % 2 === 1 ? -1 : 1)));
  }
  return { E, L, S };
}

/** Data the models need beyond data.json (documented in each .ppl). */
const derive: Record<string, (d: Data) => Data> = {
  "earnings-log10earn_height": (d) => ({ N: d.N, height: d.height, log10_earn: num(d.earn).map((x) => Math.log10(x)) }),
  "mesquite-logmesquite": (d) => ({ ...d, log_weight: num(d.weight).map((x) => Math.log(x)) }),
  "arK-arK": (d) => {
    const K = d.K as number;
    const T = d.T as number;
    const y = num(d.y);
    const ylag: number[][] = [];
    for (let t = K; t < T; t++) ylag.push(Array.from({ length: K }, (_, k) => y[t - k - 1]!));
    return { K, T, ylag, y_tail: y.slice(K) };
  },
  "diamonds-diamonds": (d) => {
    const X = d.X as number[][];
    const K = d.K as number;
    const N = d.N as number;
    const means = Array.from({ length: K - 1 }, (_, j) => X.reduce((s, row) => s + row[j + 1]!, 0) / N);
    const Xc = X.map((row) => row.slice(1).map((x, j) => x - means[j]!));
    return { N, Kc: K - 1, Xc, Y: d.Y };
  },
  "garch-garch11": (d) => {
    const T = d.T as number;
    const y = num(d.y);
    const { E, L } = lowerTri(T - 1);
    return { T, sigma1: d.sigma1, y0: y[0], y_prev: y.slice(0, T - 1), y_tail: y.slice(1), E, L, pw: Array.from({ length: T - 1 }, (_, i) => i + 1) };
  },
  "arma-arma11": (d) => {
    const T = d.T as number;
    const y = num(d.y);
    const { E, L, S } = lowerTri(T);
    return { T, y, y_prev: y.map((_, t) => (t === 0 ? 0 : y[t - 1]!)), first: y.map((_, t) => (t === 0 ? 1 : 0)), E, L, S };
  },
};

/** Keeps only the data a model declares (data.json files carry unused columns). */
function declared(src: string, d: Data): Data {
  const names = [...src.matchAll(/^\s*data\s+([A-Za-z_][A-Za-z0-9_]*)\s*:/gm)].map((m) => m[1]!);
  const out: Data = {};
  for (const n of names) if (n in d) out[n] = d[n];
  return out;
}

const SKIPPED: Record<string, string> = {
  "gp_pois_regr-gp_regr": "needs cholesky() of a latent-dependent covariance (MultivariateNormal takes scale_tril; no cholesky builtin)",
  "gp_pois_regr-gp_pois_regr": "needs cholesky() of a latent-dependent covariance (f = cholesky(K(rho, alpha)) f_tilde)",
};

interface RefFile {
  parameters: Record<string, Moments & { mcse_mean?: number }>;
  mean_field_hint?: number;
  max_abs_posterior_correlation_from_draws?: number;
}

export async function posteriordbBench(): Promise<BenchRecord[]> {
  const only = process.env.VIPPL_PDB?.split(",").filter(Boolean);
  const seeds = (process.env.VIPPL_PDB_SEEDS ?? "1").split(",").map(Number);
  // Extra fit options as JSON (VIPPL_PDB_OPTS='{"maxSteps": 2000}'), and the families to run.
  const extra = JSON.parse(process.env.VIPPL_PDB_OPTS ?? "{}") as Record<string, unknown>;
  const families = (process.env.VIPPL_PDB_FAMILIES ?? "meanfield,fullrank").split(",") as ("meanfield" | "fullrank")[];
  const names = readdirSync(POSTERIORDB).filter((n) => existsSync(join(POSTERIORDB, n, "reference.json"))).sort();
  // diamonds last: it is the slowest.
  names.sort((a, b) => Number(a.startsWith("diamonds")) - Number(b.startsWith("diamonds")));
  const records: BenchRecord[] = [];
  const table: Record<string, unknown>[] = [];
  for (const name of names) {
    if (only && !only.some((o) => name.includes(o))) continue;
    const ref = JSON.parse(readFileSync(join(POSTERIORDB, name, "reference.json"), "utf8")) as RefFile;
    const refNames = Object.keys(ref.parameters);
    const pplPath = join("bench", "posteriordb", `${name}.ppl`);
    if (SKIPPED[name] || !existsSync(pplPath)) {
      const why = SKIPPED[name] ?? "no model written";
      records.push({ bench: "posteriordb", case: name, median_ms: NaN, min_ms: NaN, runs: 0, skipped: why });
      table.push({ posterior: name, family: "-", skipped: why });
      continue;
    }
    const src = readFileSync(pplPath, "utf8");
    const raw = JSON.parse(readFileSync(join(POSTERIORDB, name, "data.json"), "utf8")) as Data;
    const data = declared(src, derive[name] ? derive[name](raw) : raw);
    for (const family of families) {
      for (const seed of seeds) {
        const c = `${name}/${family}${seeds.length > 1 ? `/seed${seed}` : ""}`;
        const t0 = performance.now();
        try {
          const model = compile(src, { file: pplPath });
          const fit = await model.fit(data, { seed, family, ...extra });
          const rows = fit.summary();
          const ms = performance.now() - t0;
          const s = score(refNames, ref.parameters, fromSummary(rows));
          const rec = {
            bench: "posteriordb",
            case: c,
            median_ms: ms,
            min_ms: ms,
            runs: 1,
            family,
            seed,
            mean_err_sd: round(s.meanErr),
            mean_worst: s.meanWorst,
            sd_ratio_min: round(s.sdRatioMin),
            sd_ratio_max: round(s.sdRatioMax),
            sd_err: round(s.sdErr),
            sd_worst: s.sdWorst,
            pareto_k: round(fit.diagnostics.paretoK),
            elbo: round(fit.elbo, 8),
            steps: fit.steps,
            converged: fit.converged,
            mean_field_hint: ref.mean_field_hint ?? null,
            meets_fullrank_goal: family === "fullrank" && !name.startsWith("diamonds") ? s.meanErr <= 0.2 && s.sdErr <= 0.25 : null,
            missing: s.missing.length ? s.missing.join(",") : undefined,
          };
          records.push(rec);
          table.push({
            posterior: name,
            family,
            s: round(ms / 1000),
            "mean err": rec.mean_err_sd,
            worst: s.meanWorst,
            "sd ratio min": rec.sd_ratio_min,
            "sd ratio max": rec.sd_ratio_max,
            k: rec.pareto_k,
            steps: fit.steps,
            goal: rec.meets_fullrank_goal ?? "",
          });
          fit.dispose();
        } catch (e) {
          const msg = String((e as { diagnostics?: { message: string }[] }).diagnostics?.map((d) => d.message).join("; ") ?? (e as Error).message).slice(0, 300);
          records.push({ bench: "posteriordb", case: c, median_ms: NaN, min_ms: NaN, runs: 0, family, seed, error: msg });
          table.push({ posterior: name, family, error: msg });
        }
        console.error(`[posteriordb] ${c} done`);
      }
    }
  }
  console.log("\nposteriordb: ADVI defaults; mean err = worst |mean - ref| / ref sd; sd ratio = fit sd / ref sd (min, max over parameters); k = Pareto k; goal = full-rank means within 0.2 sd and sds within 25%");
  console.table(table);
  return records;
}
