/**
 * The front-end pipeline: parse -> typecheck (against the stdlib's signatures) -> lower. It
 * stops at the first phase that reports errors, keeps every diagnostic so far (warnings carry
 * through), and turns anything unexpected into the one internal-error diagnostic.
 */
import { hasErrors, internalError, parse, typecheck, type Diagnostic, type PhaseResult, type Program, type SourceFile, type TypedModel } from "./lang.js";
import { stdlibSignatures } from "../stdlib/index.js";
import type { GraphIR } from "./ir.js";
import { lower } from "./lower.js";

export interface CompileOptions {
  /** The model to compile when the file has several (the last one by default). */
  readonly model?: string;
  /** Compile-time argument values, overriding the defaults. */
  readonly args?: Readonly<Record<string, number | boolean>>;
  /** Known data sizes, for concrete shapes and plate sizes. */
  readonly sizes?: ReadonlyMap<string, number>;
}

export interface Compiled {
  readonly program: Program;
  readonly typed: TypedModel;
  readonly graph: GraphIR;
}

export function compileSource(file: SourceFile, options: CompileOptions = {}): PhaseResult<Compiled> {
  const diagnostics: Diagnostic[] = [];
  try {
    const parsed = parse(file);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.value || hasErrors(parsed.diagnostics)) return { diagnostics };

    const checked = typecheck(parsed.value, stdlibSignatures(), {
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.args !== undefined ? { args: options.args } : {}),
    });
    diagnostics.push(...checked.diagnostics);
    if (!checked.value || hasErrors(checked.diagnostics)) return { diagnostics };

    const lowered = lower(checked.value, options.sizes);
    diagnostics.push(...lowered.diagnostics);
    if (!lowered.value || hasErrors(lowered.diagnostics)) return { diagnostics };

    return { value: { program: parsed.value, typed: checked.value, graph: lowered.value }, diagnostics };
  } catch (err) {
    return { diagnostics: [...diagnostics, internalError(err)] };
  }
}
