/** `vippl graph FILE [--dot | --json]`: the compiled graph, as text, Graphviz DOT or JSON. */
import { hasErrors } from "../../language/index.js";
import { formatGraphDot, formatGraphJson, formatGraphText } from "../../compiler/index.js";
import { frontEnd } from "../pipeline.js";
import { printDiagnostics, type Io } from "../io.js";
import type { CommonOptions } from "../main.js";

export function graphCommand(path: string, opts: CommonOptions & { dot?: boolean; json?: boolean }, io: Io): number {
  const r = frontEnd(path, opts);
  printDiagnostics(io, r.diagnostics, r.file);
  if (!r.value || hasErrors(r.diagnostics)) return 1;
  const g = r.value.graph;
  io.out(opts.dot ? formatGraphDot(g) : opts.json ? JSON.stringify(formatGraphJson(g), null, 2) + "\n" : formatGraphText(g));
  return 0;
}
