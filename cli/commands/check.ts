/** `vippl check FILE...`: parse, type-check and lower each model, and check its data when there is some. */
import { hasErrors, summariseDiagnostics, type Diagnostic } from "../../language/index.js";
import type { GraphIR } from "../../compiler/index.js";
import { frontEnd } from "../pipeline.js";
import { printDiagnostics, type Io } from "../io.js";
import type { CommonOptions } from "../main.js";

export function checkCommand(files: readonly string[], opts: CommonOptions, io: Io): number {
  let failed = false;
  for (const path of files) {
    const r = frontEnd(path, opts);
    printDiagnostics(io, r.diagnostics, r.file);
    const errs = hasErrors(r.diagnostics);
    failed ||= errs;
    const what = r.value ? describe(r.value.graph) : "";
    const data = r.value?.dataPath ? `, data ${r.value.dataPath} checked` : r.value ? ", no data file" : "";
    io.out(`${path}: ${errs ? `failed (${summariseDiagnostics(r.diagnostics)})` : `ok${what}${data}${warnings(r.diagnostics)}`}\n`);
  }
  return failed ? 1 : 0;
}

function warnings(ds: readonly Diagnostic[]): string {
  const w = ds.filter((d) => d.severity === "warning").length;
  return w ? ` (${w} warning${w === 1 ? "" : "s"})` : "";
}

function describe(graph: GraphIR): string {
  const nodes = [...graph.nodes.values()];
  const count = (role: string) => nodes.filter((n) => (n.kind === "network" ? n.role : n.kind) === role && !n.inGuide).length;
  const nets = nodes.filter((n) => n.kind === "network").map((n) => n.name);
  const parts = [
    ["latent", count("latent")],
    ["observed", count("observed")],
    ["deterministic", count("deterministic")],
    ["param", count("param")],
  ]
    .filter(([, n]) => (n as number) > 0)
    .map(([k, n]) => `${n} ${k}`);
  return ` (model ${graph.model}: ${parts.join(", ")}${nets.length ? `; network${nets.length > 1 ? "s" : ""} ${nets.join(", ")}` : ""})`;
}
