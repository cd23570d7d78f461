/**
 * vippl's public TypeScript API.
 *
 *     import { compile } from "vippl";
 *     const model = compile(source);            // throws a PplError carrying every diagnostic
 *     model.checkData(data);                    // throws a PplError if the data do not fit
 *     console.log(model.graphText());
 */
import {
  checkData,
  compileSource,
  formatGraphDot,
  formatGraphJson,
  formatGraphText,
  lower,
  type BoundData,
  type GraphIR,
  type GraphJson,
} from "./compiler/index.js";
import { PplError, hasErrors, type Diagnostic, type Program, type SourceFile, type TypedModel } from "./language/index.js";

export interface CompileOptions {
  /** The file name shown in diagnostics (default "model.ppl"). */
  readonly file?: string;
  /** Which model of the source, when it has several (default: the last one). */
  readonly model?: string;
  /** Compile-time argument values, overriding the defaults. */
  readonly args?: Readonly<Record<string, number | boolean>>;
}

/** A checked, lowered model. Inference (`fit`) arrives with the backends. */
export class CompiledModel {
  /** Warnings from compilation (errors throw instead). */
  readonly warnings: readonly Diagnostic[];
  constructor(
    readonly source: SourceFile,
    readonly program: Program,
    readonly typed: TypedModel,
    readonly graph: GraphIR,
    diagnostics: readonly Diagnostic[],
  ) {
    this.warnings = diagnostics.filter((d) => d.severity !== "error");
  }

  get name(): string {
    return this.graph.model;
  }

  /**
   * Checks data against the `data` declarations (names, shapes, constraints, integers, NaN) and
   * returns it bound to the model's sizes; throws a PplError naming every problem.
   */
  checkData(data: Record<string, unknown>): BoundData {
    const r = checkData(this.typed, data);
    if (!r.value || hasErrors(r.diagnostics)) throw new PplError(r.diagnostics, this.source);
    return r.value;
  }

  /** The graph with the data's sizes filled in (plates with concrete sizes). */
  graphFor(data: BoundData): GraphIR {
    const r = lower(this.typed, data.sizes);
    if (!r.value) throw new PplError(r.diagnostics, this.source);
    return r.value;
  }

  graphText(): string {
    return formatGraphText(this.graph);
  }
  graphDot(): string {
    return formatGraphDot(this.graph);
  }
  graphJson(): GraphJson {
    return formatGraphJson(this.graph);
  }
}

/** Parses, type-checks and lowers a model; throws a PplError carrying every diagnostic. */
export function compile(source: string, options: CompileOptions = {}): CompiledModel {
  const file: SourceFile = { name: options.file ?? "model.ppl", text: source };
  const r = compileSource(file, {
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.args !== undefined ? { args: options.args } : {}),
  });
  if (!r.value || hasErrors(r.diagnostics)) throw new PplError(r.diagnostics, file);
  return new CompiledModel(file, r.value.program, r.value.typed, r.value.graph, r.diagnostics);
}

export { PplError, renderDiagnostics, renderDiagnostic, type Diagnostic, type Severity, type SourceFile, type Span } from "./language/index.js";
export type { GraphIR, GraphJson, BoundData } from "./compiler/index.js";
