/**
 * The front end as the commands run it: read the model, compile it, find and check its data,
 * and lower again with the data's sizes so the graph shows concrete plate sizes.
 */
import { hasErrors, type Diagnostic } from "../language/index.js";
import type { SourceFile } from "../language/index.js";
import { checkData, compileSource, loadDataFile, lower, type GraphIR } from "../compiler/index.js";
import { findDataFile, readSource } from "./io.js";
import type { CommonOptions } from "./main.js";

export interface FrontEndResult {
  readonly file?: SourceFile;
  readonly diagnostics: readonly Diagnostic[];
  readonly value?: { graph: GraphIR; dataPath?: string };
}

export function frontEnd(path: string, opts: CommonOptions): FrontEndResult {
  const src = readSource(path);
  if (!src.file) return { diagnostics: src.diagnostics };
  const file = src.file;
  const compiled = compileSource(file, { ...(opts.model ? { model: opts.model } : {}), ...(opts.arg ? { args: opts.arg } : {}) });
  const diagnostics: Diagnostic[] = [...compiled.diagnostics];
  if (!compiled.value || hasErrors(diagnostics)) return { file, diagnostics };
  let graph = compiled.value.graph;
  const dataPath = opts.data === false ? undefined : findDataFile(path, opts.data);
  if (!dataPath) return { file, diagnostics, value: { graph } };

  const loaded = loadDataFile(dataPath);
  diagnostics.push(...loaded.diagnostics);
  if (!loaded.value) return { file, diagnostics };
  const bound = checkData(compiled.value.typed, loaded.value.values, loaded.value.file);
  diagnostics.push(...bound.diagnostics);
  if (!bound.value || hasErrors(bound.diagnostics)) return { file, diagnostics };
  const sized = lower(compiled.value.typed, bound.value.sizes);
  diagnostics.push(...sized.diagnostics);
  if (sized.value) graph = sized.value;
  return { file, diagnostics, value: { graph, dataPath } };
}
