/**
 * `vippl fit FILE`: compile, check the data, fit, and report: a progress bar (step, ELBO,
 * steps/s, time left), the summary table, and with --out the CSV/JSON files and ELBO plots.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SingleBar } from "cli-progress";
import { compile, PplError, type FitResult } from "../../index.js";
import { loadDataFile } from "../../compiler/index.js";
import { hasErrors, makeDiagnostic, type Diagnostic } from "../../language/index.js";
import { columns, elementNames, summarise } from "../../inference/index.js";
import { findDataFile, printDiagnostics, readSource, type Io } from "../io.js";
import type { CommonOptions } from "../main.js";
import { elboTraceSpec, renderPlot } from "../report/plot.js";
import { summaryCsv, summaryTable } from "../report/table.js";

export interface FitCommandOptions extends CommonOptions {
  method?: string;
  family?: string;
  seed?: string;
  steps?: string;
  samples?: string;
  batchSize?: string;
  out?: string;
  json?: boolean;
  resume?: string;
  checkpoint?: string;
  quiet?: boolean;
  /** Progress shows the per-latent gradient-variance estimates (score-function methods). */
  verbose?: boolean;
}

/** Per-latent gradient-variance estimates for the verbose progress line: `grad var z 3.1e+1, c 2.0e-2`. */
export function gradientVarianceText(v: Readonly<Record<string, number>> | undefined): string {
  const parts = Object.entries(v ?? {}).map(([name, x]) => `${name} ${Number.isFinite(x) ? x.toExponential(1) : "n/a"}`);
  return parts.length > 0 ? `grad var ${parts.join(", ")}` : "";
}

/** Integer flags: a clear diagnostic rather than NaN reaching the optimiser. */
function intFlag(name: string, raw: string | undefined, min: number): { value?: number; diagnostic?: Diagnostic } {
  if (raw === undefined) return {};
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    return { diagnostic: makeDiagnostic("PPL4003", "error", `--${name} must be an integer of at least ${min}, got '${raw}'`, undefined, { hint: `e.g. --${name} ${Math.max(min, name === "seed" ? 1 : 2000)}` }) };
  }
  return { value: v };
}

export async function fitCommand(path: string, opts: FitCommandOptions, io: Io, isTTY: boolean): Promise<number> {
  const src = readSource(path);
  if (!src.file) {
    printDiagnostics(io, src.diagnostics);
    return 1;
  }
  const file = src.file;
  const flags = { seed: intFlag("seed", opts.seed, 0), steps: intFlag("steps", opts.steps, 1), samples: intFlag("samples", opts.samples, 1), "batch-size": intFlag("batch-size", opts.batchSize, 1) };
  const bad = Object.values(flags).flatMap((f) => (f.diagnostic ? [f.diagnostic] : []));
  if (bad.length) {
    printDiagnostics(io, bad);
    return 2;
  }

  let model;
  try {
    model = compile(file.text, { file: file.name, ...(opts.model ? { model: opts.model } : {}), ...(opts.arg ? { args: opts.arg } : {}) });
  } catch (e) {
    if (e instanceof PplError) {
      printDiagnostics(io, e.diagnostics, file);
      return 1;
    }
    throw e;
  }
  printDiagnostics(io, model.warnings, file);

  const dataPath = opts.data === false ? undefined : findDataFile(path, opts.data);
  let values: Record<string, unknown> = {};
  if (dataPath) {
    const loaded = loadDataFile(dataPath);
    printDiagnostics(io, loaded.diagnostics, file);
    if (!loaded.value || hasErrors(loaded.diagnostics)) return 1;
    values = loaded.value.values;
  }

  const verbose = opts.verbose === true && !opts.quiet;
  const format = ` step {value}/{total} | ELBO {elbo} | {sps} steps/s | {left} left ${verbose ? "| {gv} " : ""}`;
  const bar = !opts.quiet && !opts.json && isTTY ? new SingleBar({ format, hideCursor: true, stream: process.stderr, barsize: 24 }) : undefined;
  let lastLine = 0;
  const started = Date.now();
  let fit: FitResult;
  try {
    fit = await model.fit(values, {
      ...(opts.method ? { method: opts.method } : {}),
      ...(opts.family ? { family: opts.family as never } : {}),
      ...(flags.seed.value !== undefined ? { seed: flags.seed.value } : {}),
      ...(flags.steps.value !== undefined ? { maxSteps: flags.steps.value } : {}),
      ...(flags.samples.value !== undefined ? { samples: flags.samples.value } : {}),
      ...(flags["batch-size"].value !== undefined ? { batchSize: flags["batch-size"].value } : {}),
      ...(opts.resume ? { resume: JSON.parse(readFileSync(opts.resume, "utf8")) } : {}),
      ...(opts.checkpoint ? { checkpoint: { every: 500, path: opts.checkpoint } } : {}),
      onProgress: (p) => {
        const gv = verbose ? gradientVarianceText(p.gradientVariance) : "";
        const fields = { elbo: p.elbo.toFixed(2), sps: Math.round(p.stepsPerSecond), left: `${Math.ceil(p.secondsLeft)}s`, gv };
        if (bar) {
          if (!bar.isActive) bar.start(Math.max(p.step, flags.steps.value ?? 10000), p.step, fields);
          bar.update(p.step, fields);
        } else if (!opts.quiet && !opts.json && (verbose || Date.now() - lastLine > 2000)) {
          // Verbose: every report (each progressEvery steps), not one every 2 s.
          lastLine = Date.now();
          if (p.phase === "sweep") io.err(`sweep ${p.step}  ELBO ${fields.elbo}\n`);
          else io.err(`step ${p.step}  ELBO ${fields.elbo}  ${fields.sps} steps/s  (${p.phase})${gv ? `  ${gv}` : ""}\n`);
        }
      },
    });
  } catch (e) {
    bar?.stop();
    if (e instanceof PplError) {
      printDiagnostics(io, e.diagnostics, file);
      return 1;
    }
    if (e instanceof SyntaxError && opts.resume) {
      printDiagnostics(io, [makeDiagnostic("PPL4004", "error", `cannot read the checkpoint '${opts.resume}': ${e.message}`, undefined, { hint: "pass a file written by --checkpoint" })]);
      return 1;
    }
    throw e;
  }
  if (bar) {
    bar.update(fit.steps);
    bar.stop();
  }
  if (model.graph.guide && fit.family !== "custom") {
    // Honest about what ran: the method or --family chose another approximation than the guide block.
    printDiagnostics(
      io,
      [
        makeDiagnostic("PPL4107", "warning", `the guide block is not used: the fit used method '${fit.method}' with the ${fit.family} approximation`, model.graph.guide.span, {
          hint: "the guide block is fitted by ADVI: pass --method advi, without --family (or with --family custom)",
        }),
      ],
      file,
    );
  }
  const rows = fit.summary();
  if (opts.json) {
    const params: Record<string, { mean: number; sd: number; q05: number; q50: number; q95: number }> = {};
    for (const r of rows) params[r.name] = { mean: r.mean, sd: r.sd, q05: r.q05, q50: r.q50, q95: r.q95 };
    io.out(JSON.stringify({ method: fit.method, elbo: fit.elbo, converged: fit.converged, params }, null, 2) + "\n");
  } else {
    io.out(`${model.name}: ${fit.method} (${fit.methodReason})${fit.family !== fit.method ? `, ${fit.family} family` : ""}\n`);
    io.out(`${fit.converged ? "converged" : "NOT converged"} after ${fit.steps} ${fit.method === "cavi" ? "sweeps" : "steps"} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fit.reason}\n`);
    io.out(`ELBO ${fit.elbo.toFixed(3)} ± ${fit.elboSe.toFixed(3)} nats; ${fit.diagnostics.message} [${fit.diagnostics.verdict}]\n`);
    io.out(summaryTable(rows) + "\n");
  }
  if (opts.out) {
    const written = await writeOutputs(opts.out, model.name, fit, values);
    if (!opts.json) io.out(`wrote ${written.map((f) => join(opts.out!, f)).join(", ")}\n`);
  }
  fit.dispose();
  return 0;
}

/** Predictive draws behind predictive.csv (its quantiles need a few hundred). */
const PREDICTIVE_DRAWS = 1000;
/** Above this many observed elements the check would be a file nobody reads; it is left out. */
const PREDICTIVE_MAX_ELEMENTS = 20000;

async function writeOutputs(dir: string, name: string, fit: FitResult, data: Record<string, unknown>): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "summary.csv"), summaryCsv(fit.summary()));
  writeFileSync(join(dir, "fit.json"), JSON.stringify(fit.save()) + "\n");
  const draws = fit.draws(1000, 1);
  const cols = columns(draws);
  const series = [...cols.values()];
  const lines = [[...cols.keys()].join(",")];
  for (let i = 0; i < draws.n; i++) lines.push(series.map((s) => String(s[i])).join(","));
  writeFileSync(join(dir, "draws.csv"), lines.join("\n") + "\n");
  const trace = fit.trace.map((elbo, step) => ({ step: step + 1, elbo }));
  const plot = await renderPlot(elboTraceSpec(trace, `ELBO: ${name}`));
  writeFileSync(join(dir, "elbo.svg"), plot.svg);
  writeFileSync(join(dir, "elbo.png"), plot.png);
  const written = ["summary.csv", "draws.csv", "fit.json", "elbo.svg", "elbo.png"];
  const csv = predictiveCsv(fit, data);
  if (csv) {
    writeFileSync(join(dir, "predictive.csv"), csv);
    written.push("predictive.csv");
  }
  return written;
}

/**
 * The posterior predictive check: per observed element, the observed value, the predictive
 * mean, sd and 5/50/95% quantiles, and P(y_rep >= y) (values near 0 or 1 flag data the model does
 * not reproduce). Undefined when the model has too many observed elements or none can be drawn.
 */
function predictiveCsv(fit: FitResult, data: Record<string, unknown>): string | undefined {
  const probe = fit.predictive(1, 1);
  let elements = 0;
  for (const d of probe.variables.values()) elements += d.shape.reduce((a, b) => a * b, 1);
  if (elements === 0 || elements > PREDICTIVE_MAX_ELEMENTS) return undefined;
  const pred = fit.predictive(PREDICTIVE_DRAWS, 1);
  const lines = ["name,observed,mean,sd,q05,q50,q95,p_rep_ge_obs"];
  const cols = columns(pred);
  const rows = new Map(summarise(pred).map((r) => [r.name, r]));
  for (const [v, d] of pred.variables) {
    const observed = flatten(data[v]);
    elementNames(v, d.shape).forEach((n, k) => {
      const col = cols.get(n)!;
      const row = rows.get(n);
      const obs = observed?.[k];
      const ge = obs === undefined ? "" : String(col.filter((x) => x >= obs).length / pred.n);
      lines.push([n, obs ?? "", row!.mean, row!.sd, row!.q05, row!.q50, row!.q95, ge].join(","));
    });
  }
  return lines.join("\n") + "\n";
}

/** A data value as a flat row-major list of numbers (booleans as 0/1), or undefined. */
function flatten(v: unknown): number[] | undefined {
  const out: number[] = [];
  const walk = (x: unknown): boolean => {
    if (Array.isArray(x)) return x.every(walk);
    if (typeof x === "number") out.push(x);
    else if (typeof x === "boolean") out.push(x ? 1 : 0);
    else return false;
    return true;
  };
  return walk(v) ? out : undefined;
}
