/**
 * The `vippl` command: parses flags with commander and calls the public API; never prints a
 * stack trace for a user mistake. `run` is in-process so tests can drive it.
 */
import { Command, CommanderError, Option } from "commander";
import { internalError, makeDiagnostic, renderDiagnostic } from "../language/index.js";
import type { Io } from "./io.js";
import { checkCommand } from "./commands/check.js";
import { graphCommand } from "./commands/graph.js";
import { fitCommand, type FitCommandOptions } from "./commands/fit.js";

export const VERSION = "0.1.0";

/** `--arg K=3 --arg centred=true` → { K: 3, centred: true } */
export function collectArg(value: string, previous: Record<string, number | boolean> = {}): Record<string, number | boolean> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(value);
  if (!m) throw new UsageError(`--arg expects name=value, got '${value}'`, "write it like --arg K=3");
  const raw = m[2]!.trim();
  let v: number | boolean;
  if (raw === "true" || raw === "false") v = raw === "true";
  else if (raw !== "" && Number.isFinite(Number(raw))) v = Number(raw);
  else throw new UsageError(`--arg ${m[1]}: '${raw}' is not a number or true/false`, "compile-time arguments are numbers or booleans, e.g. --arg K=3");
  return { ...previous, [m[1]!]: v };
}

class UsageError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

export interface CommonOptions {
  model?: string;
  arg?: Record<string, number | boolean>;
  data?: string | false;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option("--model <name>", "which model of the file (default: the last one)")
    .option("--arg <name=value>", "a compile-time model argument (repeatable)", collectArg)
    .option("--data <file>", "data file (.json or .csv); default: <model>.data.json beside the model")
    .option("--no-data", "do not read or check data");
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("vippl")
    .description("vippl: typed probabilistic models, compiled to a graph and fitted by variational inference")
    .version(VERSION, "-v, --version")
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => undefined })
    .exitOverride();

  withCommon(
    program
      .command("check")
      .description("parse and type-check models (and their data); print problems to stderr")
      .argument("<files...>", ".ppl model files"),
  ).action((files: string[], opts: CommonOptions) => setExit(checkCommand(files, opts, io)));

  withCommon(
    program
      .command("graph")
      .description("print the compiled graph: nodes, plates, edges, dependency order, Markov blankets")
      .argument("<file>", ".ppl model file")
      .addOption(new Option("--dot", "Graphviz DOT output").conflicts("json"))
      .addOption(new Option("--json", "JSON output")),
  ).action((file: string, opts: CommonOptions & { dot?: boolean; json?: boolean }) => setExit(graphCommand(file, opts, io)));

  withCommon(
    program
      .command("fit")
      .description("fit a model to its data by variational inference; print the posterior summary")
      .argument("<file>", ".ppl model file")
      .option("--method <name>", "inference method: auto (default), advi, cavi or bbvi")
      .option("--family <name>", "variational family: auto (default: the model's guide block if it has one, else fullrank for 2 to 64 unconstrained values when the Laplace start finds the mode, else meanfield), meanfield, fullrank, lowrank or custom")
      .option("--seed <n>", "random seed (default 0): the same seed gives the same numbers")
      .option("--steps <n>", "most optimisation steps (default 10000; fits stop earlier when converged)")
      .option("--samples <n>", "Monte Carlo samples per step (default 8)")
      .option("--batch-size <n>", "minibatch size over the largest data plate (default: all the data every step)")
      .option("--out <dir>", "write summary.csv, draws.csv, fit.json, elbo.svg and elbo.png to DIR")
      .option("--json", "print the result as JSON on stdout")
      .option("--checkpoint <file>", "save a checkpoint to FILE every 500 steps")
      .option("--resume <file>", "resume from a checkpoint written by --checkpoint")
      .option("--quiet", "no progress output")
      .option("--verbose", "progress also shows each discrete latent's gradient-variance estimate (method bbvi)"),
  ).action(async (file: string, opts: FitCommandOptions) => setExit(await fitCommand(file, opts, io, io.isTTY ?? false)));

  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => undefined });
  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exit = 0;
  const program = buildProgram(io, (c) => (exit = c));
  try {
    if (argv.length === 0) {
      io.out(program.helpInformation());
      return 0;
    }
    await program.parseAsync([...argv], { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      const message = e.message.replace(/^error: /, "");
      io.err(
        renderDiagnostic(
          makeDiagnostic("PPL4002", "error", message, undefined, { hint: "run `vippl help` or `vippl <command> --help` for the commands and their options" }),
          undefined,
          { color: io.color },
        ) + "\n",
      );
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(renderDiagnostic(makeDiagnostic("PPL4002", "error", e.message, undefined, { hint: e.hint }), undefined, { color: io.color }) + "\n");
      return 2;
    }
    io.err(renderDiagnostic(internalError(e), undefined, { color: io.color }) + "\n");
    if (process.env.VIPPL_DEBUG) io.err(String((e as Error).stack) + "\n");
    return 70;
  }
}
