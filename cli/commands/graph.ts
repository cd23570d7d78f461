/**
 * `vippl graph FILE [--dot | --json]`: the compiled graph, as text, Graphviz DOT or JSON, with the
 * method `auto` would choose for it and why (or why none applies).
 */
import { hasErrors } from "../../language/index.js";
import { formatGraphDot, formatGraphJson, formatGraphText, type GraphIR } from "../../compiler/index.js";
import { graphFeatures, resolveMethod } from "../../inference/index.js";
import { frontEnd } from "../pipeline.js";
import { printDiagnostics, type Io } from "../io.js";
import type { CommonOptions } from "../main.js";

export function graphCommand(path: string, opts: CommonOptions & { dot?: boolean; json?: boolean }, io: Io): number {
  const r = frontEnd(path, opts);
  printDiagnostics(io, r.diagnostics, r.file);
  if (!r.value || hasErrors(r.diagnostics)) return 1;
  const g = r.value.graph;
  const choice = autoChoice(g);
  if (opts.dot) io.out(formatGraphDot(g));
  else if (opts.json) io.out(JSON.stringify({ ...formatGraphJson(g), method: choice }, null, 2) + "\n");
  else io.out(formatGraphText(g) + `\nmethod\n  auto: ${choice.name ?? "none"}: ${choice.reason}\n`);
  return 0;
}

/** What `method: "auto"` picks for this graph, and why. */
function autoChoice(g: GraphIR): { name: string | null; reason: string } {
  const r = resolveMethod("auto", graphFeatures(g));
  if (r.method) return { name: r.method.name, reason: r.reason.replace(/^auto: /, "") };
  return { name: null, reason: r.diagnostics.map((d) => d.message + (d.hint ? ` (${d.hint})` : "")).join("; ") };
}
