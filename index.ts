/**
 * vippl's public TypeScript API.
 *
 *     import { compile } from "vippl";
 *     const model = compile(source);            // throws a PplError carrying every diagnostic
 *     model.checkData(data);                    // throws a PplError if the data do not fit
 *     console.log(model.graphText());
 */
import {
  buildLogJoint,
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
import { PplError, hasErrors, makeDiagnostic, type Diagnostic, type Program, type SourceFile, type TypedModel } from "./language/index.js";
import { fit as fitLogJoint, FitResult, type FitOptions, type MinibatchSource, type SavedFit } from "./inference/index.js";
import { initBackend } from "./stdlib/index.js";

export interface CompileOptions {
  /** The file name shown in diagnostics (default "model.ppl"). */
  readonly file?: string;
  /** Which model of the source, when it has several (default: the last one). */
  readonly model?: string;
  /** Compile-time argument values, overriding the defaults. */
  readonly args?: Readonly<Record<string, number | boolean>>;
}

/** A checked, lowered model, ready to fit. */
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

  /**
   * Fits the model to data (a plain object, or data already checked with `checkData`):
   * `await model.fit(data, { method: "auto", seed: 1 })`. Throws a PplError carrying diagnostics
   * for a mistake in the data or the options, or when the fit goes non-finite for good.
   * The result holds the model's log joint (for draws of deterministics): `fit.dispose()` frees it.
   */
  async fit(data: Record<string, unknown> | BoundData, options: FitOptions = {}): Promise<FitResult> {
    await initBackend();
    const bound = isBoundData(data) ? data : this.checkData(data);
    const graph = this.graphFor(bound);
    const seed = typeof options.seed === "number" && Number.isFinite(options.seed) ? Math.abs(Math.trunc(options.seed)) : 0;
    const built = buildLogJoint(graph, this.typed, bound, { seed });
    if (!built.value || hasErrors(built.diagnostics)) throw new PplError(built.diagnostics, this.source);
    const lj = built.value;
    let minibatch: MinibatchSource | undefined;
    if (options.batchSize !== undefined) {
      const plates = [...graph.plates.values()].filter((p) => p.concreteSize !== null && p.parent === null);
      const plate = options.plate !== undefined ? plates.find((p) => p.name === options.plate || p.id === options.plate) : plates.sort((a, b) => b.concreteSize! - a.concreteSize!)[0];
      if (plate) minibatch = { plate: plate.name, size: plate.concreteSize!, select: (indices) => lj.setMinibatch(indices ? { plate: plate.id, indices } : null) };
      else if (options.plate !== undefined) {
        lj.dispose();
        throw new PplError([badPlate(options.plate, plates.map((p) => p.name))], this.source);
      }
    }
    try {
      return await fitLogJoint({ logJoint: lj, name: this.name, ownsLogJoint: true, graph, data: bound, ...(minibatch ? { minibatch } : {}) }, options);
    } catch (e) {
      lj.dispose();
      if (e instanceof PplError) throw new PplError(e.diagnostics, e.file ?? this.source);
      throw e;
    }
  }

  /** A fit saved with `fit.save()`, loaded back against this model and data (checked to match). */
  async loadFit(saved: SavedFit | string, data: Record<string, unknown> | BoundData): Promise<FitResult> {
    await initBackend();
    const bound = isBoundData(data) ? data : this.checkData(data);
    const built = buildLogJoint(this.graphFor(bound), this.typed, bound);
    if (!built.value || hasErrors(built.diagnostics)) throw new PplError(built.diagnostics, this.source);
    try {
      return FitResult.load(saved, built.value, true);
    } catch (e) {
      built.value.dispose();
      if (e instanceof PplError) throw new PplError(e.diagnostics, e.file ?? this.source);
      throw e;
    }
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

function isBoundData(d: unknown): d is BoundData {
  return typeof d === "object" && d !== null && (d as BoundData).variables instanceof Map && (d as BoundData).sizes instanceof Map;
}

function badPlate(name: string, plates: readonly string[]): Diagnostic {
  return makeDiagnostic("PPL4104", "error", `fit option 'plate' must name a top-level plate of this model, got '${name}'`, undefined, {
    hint: plates.length > 0 ? `plates: ${plates.map((p) => `'${p}'`).join(", ")}` : "this model has no plate to subsample",
  });
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
export { FitResult, METHODS, OPTION_NAMES, DEFAULT_OPTIONS, type FitOptions, type SummaryRow, type SavedFit, type ProgressInfo, type FitDiagnostics } from "./inference/index.js";
