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
import { elementNames } from "../../inference/index.js";
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
  out?: string;
  json?: boolean;
  resume?: string;
  checkpoint?: string;
  quiet?: boolean;
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
  const flags = { seed: intFlag("seed", opts.seed, 0), steps: intFlag("steps", opts.steps, 1), samples: intFlag("samples", opts.samples, 1) };
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
  if (model.graph.guide) {
    // Honest about what runs: the guide block is checked and lowered, but the backends do not use it yet.
    printDiagnostics(
      io,
      [
        makeDiagnostic("PPL4107", "warning", "the guide block is not used by the fit yet: vippl fits its automatic Gaussian guide instead", model.graph.guide.span, {
          hint: "the fit is still variational inference over every latent, without the amortised encoder; custom guides are not implemented yet",
        }),
      ],
      file,
    );
  }

  const dataPath = opts.data === false ? undefined : findDataFile(path, opts.data);
  let values: Record<string, unknown> = {};
  if (dataPath) {
    const loaded = loadDataFile(dataPath);
    printDiagnostics(io, loaded.diagnostics, file);
    if (!loaded.value || hasErrors(loaded.diagnostics)) return 1;
    values = loaded.value.values;
  }

  const bar = !opts.quiet && !opts.json && isTTY ? new SingleBar({ format: " step {value}/{total} | ELBO {elbo} | {sps} steps/s | {left} left ", hideCursor: true, stream: process.stderr, barsize: 24 }) : undefined;
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
      ...(opts.resume ? { resume: JSON.parse(readFileSync(opts.resume, "utf8")) } : {}),
      ...(opts.checkpoint ? { checkpoint: { every: 500, path: opts.checkpoint } } : {}),
      onProgress: (p) => {
        const fields = { elbo: p.elbo.toFixed(2), sps: Math.round(p.stepsPerSecond), left: `${Math.ceil(p.secondsLeft)}s` };
        if (bar) {
          if (!bar.isActive) bar.start(Math.max(p.step, flags.steps.value ?? 10000), p.step, fields);
          bar.update(p.step, fields);
        } else if (!opts.quiet && !opts.json && Date.now() - lastLine > 2000) {
          lastLine = Date.now();
          io.err(`step ${p.step}  ELBO ${fields.elbo}  ${fields.sps} steps/s  (${p.phase})\n`);
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
  const rows = fit.summary();
  if (opts.json) {
    const params: Record<string, { mean: number; sd: number; q05: number; q50: number; q95: number }> = {};
    for (const r of rows) params[r.name] = { mean: r.mean, sd: r.sd, q05: r.q05, q50: r.q50, q95: r.q95 };
    io.out(JSON.stringify({ method: fit.method, elbo: fit.elbo, converged: fit.converged, params }, null, 2) + "\n");
  } else {
    io.out(`${model.name}: ${fit.method} (${fit.methodReason}), ${fit.family} family\n`);
    io.out(`${fit.converged ? "converged" : "NOT converged"} after ${fit.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fit.reason}\n`);
    io.out(`ELBO ${fit.elbo.toFixed(3)} ± ${fit.elboSe.toFixed(3)} nats; ${fit.diagnostics.message} [${fit.diagnostics.verdict}]\n`);
    io.out(summaryTable(rows) + "\n");
  }
  if (opts.out) {
    await writeOutputs(opts.out, model.name, fit);
    if (!opts.json) io.out(`wrote ${["summary.csv", "draws.csv", "fit.json", "elbo.svg", "elbo.png"].map((f) => join(opts.out!, f)).join(", ")}\n`);
  }
  fit.dispose();
  return 0;
}

async function writeOutputs(dir: string, name: string, fit: FitResult): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "summary.csv"), summaryCsv(fit.summary()));
  writeFileSync(join(dir, "fit.json"), JSON.stringify(fit.save()) + "\n");
  const draws = fit.draws(1000, 1);
  const columns: string[] = [];
  const series: Float64Array[] = [];
  for (const [v, d] of draws.variables) {
    const names = elementNames(v, d.shape);
    const size = names.length;
    names.forEach((n, k) => {
      columns.push(n);
      const col = new Float64Array(draws.n);
      for (let i = 0; i < draws.n; i++) col[i] = d.values[i * size + k]!;
      series.push(col);
    });
  }
  const lines = [columns.join(",")];
  for (let i = 0; i < draws.n; i++) lines.push(series.map((s) => String(s[i])).join(","));
  writeFileSync(join(dir, "draws.csv"), lines.join("\n") + "\n");
  const trace = fit.trace.map((elbo, step) => ({ step: step + 1, elbo }));
  const plot = await renderPlot(elboTraceSpec(trace, `ELBO: ${name}`));
  writeFileSync(join(dir, "elbo.svg"), plot.svg);
  writeFileSync(join(dir, "elbo.png"), plot.png);
}
