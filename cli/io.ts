/**
 * What the commands share: reading a model file, finding its data, printing diagnostics.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { makeDiagnostic, renderDiagnostics, type Diagnostic } from "../language/index.js";
import type { SourceFile } from "../language/index.js";

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  /** stderr is a terminal (a progress bar is drawn only then). */
  readonly isTTY?: boolean;
}

export function readSource(path: string): { file?: SourceFile; diagnostics: Diagnostic[] } {
  try {
    if (!existsSync(path)) {
      return { diagnostics: [makeDiagnostic("PPL4001", "error", `cannot read '${path}': no such file`, undefined, { hint: "check the path; models are .ppl files, e.g. examples/eight_schools.ppl" })] };
    }
    if (statSync(path).isDirectory()) {
      return { diagnostics: [makeDiagnostic("PPL4001", "error", `cannot read '${path}': it is a directory`, undefined, { hint: "pass a .ppl file, e.g. examples/eight_schools.ppl" })] };
    }
    return { file: { name: path, text: readFileSync(path, "utf8") }, diagnostics: [] };
  } catch (e) {
    return { diagnostics: [makeDiagnostic("PPL4001", "error", `cannot read '${path}': ${(e as Error).message}`, undefined, { hint: "check the path and its permissions" })] };
  }
}

/**
 * The data file for a model: the one given, else `<model>.data.json` (or `.data.csv`) beside it.
 * Returns undefined when none is given and none sits beside the model.
 */
export function findDataFile(modelPath: string, given: string | undefined): string | undefined {
  if (given) return given;
  const stem = basename(modelPath, extname(modelPath));
  for (const ext of [".data.json", ".data.csv"]) {
    const candidate = join(dirname(modelPath), stem + ext);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], file?: SourceFile): void {
  if (diagnostics.length === 0) return;
  io.err(renderDiagnostics(diagnostics, file, { color: io.color }) + "\n\n");
}
