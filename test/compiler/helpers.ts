/** Builders for hand-made IR graphs, and a compile helper for the examples. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  attachAnalyses,
  buildGraph,
  compileSource,
  type Compiled,
  type DefinitionInput,
  type FactorInput,
  type GraphIR,
  type GraphInput,
  type NodeInput,
  type NodeKind,
  type PlateInput,
} from "../../compiler/index.js";
import { renderDiagnostics, type Diagnostic, type PhaseResult } from "../../language/diagnostics.js";
import type { Span } from "../../language/span.js";
import type { Expr } from "../../language/ast.js";
import type { Dim } from "../../language/types.js";

export const ROOT = join(import.meta.dirname, "..", "..");

let line = 0;
/** A distinct span per call, so spans can be told apart. */
export function span(): Span {
  line++;
  return { start: line * 10, end: line * 10 + 5, line, column: 1, endLine: line, endColumn: 6 };
}

export const ident = (name: string): Expr => ({ kind: "Identifier", name, span: span() });
export const sym = (name: string): Dim => ({ kind: "sym", name });

export interface NodeOpts {
  shape?: Dim[];
  plates?: string[];
  axisPlates?: (string | null)[];
  discrete?: boolean;
  stochastic?: boolean;
}

export function node(id: string, kind: NodeKind, o: NodeOpts = {}): NodeInput {
  const shape = o.shape ?? [];
  return {
    id,
    name: id,
    kind,
    role: kind === "latent" ? "latent" : kind === "deterministic" ? "let" : kind === "param" || kind === "network" ? (o.stochastic ? "latent" : "param") : "data",
    type: kind === "network" ? { kind: "network", name: "MLP", layers: [{ kind: "const", value: 2 }, { kind: "const", value: 1 }], activations: {} } : { kind: "tensor", elem: o.discrete ? "int" : "real", shape, constraint: { kind: "real" } },
    shape: { symbolic: shape, concrete: null },
    constraint: { kind: "real" },
    plates: o.plates ?? [],
    axisPlates: o.axisPlates ?? shape.map((_, i) => o.plates?.[i] ?? null),
    discrete: o.discrete ?? false,
    network: kind === "network" ? { name: "MLP", layers: [{ kind: "const", value: 2 }, { kind: "const", value: 1 }], concreteLayers: [2, 1], activations: { hidden: "relu" }, stochastic: o.stochastic ?? false } : null,
    inGuide: false,
    span: span(),
  };
}

/** A use: a node id, or [id, elementwise plates]. */
export type UseSpec = string | [string, string[]] | [string, string[], "arg" | "index" | "network" | "term"];

function uses(list: readonly UseSpec[]) {
  return list.map((u) => {
    const [n, ew, edge] = typeof u === "string" ? [u, [], "arg" as const] : [u[0], u[1], u[2] ?? ("arg" as const)];
    return { node: n, edge, elementwise: ew, span: span() };
  });
}

export function factor(id: string, target: string | null, dist: string, args: readonly UseSpec[], plates: string[] = []): FactorInput {
  const s = span();
  return {
    id,
    kind: target === null ? "potential" : "sample",
    target,
    targetExpr: target === null ? null : ident(target),
    distribution: target === null ? null : dist,
    signature: null,
    args: args.map((a) => ident(typeof a === "string" ? a : a[0])),
    plates,
    targetAxes: [],
    uses: uses(args),
    discrete: false,
    span: s,
    stmt: target === null ? { kind: "Factor", value: ident("e"), span: s } : { kind: "Sample", target: ident(target), dist: { kind: "DistCall", name: { kind: "Identifier", name: dist, span: s }, args: [], span: s }, span: s },
  };
}

export function def(id: string, nodeId: string, list: readonly UseSpec[], plates: string[] = []): DefinitionInput {
  return { id, node: nodeId, kind: "init", targetExpr: null, expr: ident("e"), plates, targetAxes: [], uses: uses(list).map((u) => ({ ...u, edge: u.edge === "arg" ? "term" : u.edge })), span: span() };
}

export function plate(id: string, size: string | number, parent: string | null = null): PlateInput {
  return {
    id,
    name: id.split("/").pop()!,
    size: typeof size === "number" ? { kind: "const", value: size } : sym(size),
    concreteSize: typeof size === "number" ? size : null,
    parent,
    origin: "vectorised",
    span: span(),
    indexVars: [],
  };
}

export function graph(input: Omit<GraphInput, "span" | "model"> & { model?: string }): GraphIR {
  return attachAnalyses(buildGraph({ model: "Test", span: span(), ...input }));
}

export function exampleSource(name: string) {
  return { name: `${name}.ppl`, text: readFileSync(join(ROOT, "examples", `${name}.ppl`), "utf8") };
}

/** The value of a phase, failing the test with the rendered diagnostics when there is none. */
export function ok<T>(r: PhaseResult<T>, file?: { name: string; text: string }): T {
  if (!r.value) expect.fail(renderDiagnostics(r.diagnostics, file));
  return r.value;
}

export function compileExample(name: string, sizes?: ReadonlyMap<string, number>): Compiled {
  const file = exampleSource(name);
  return ok(compileSource(file, sizes ? { sizes } : {}), file);
}

export function compileText(text: string, sizes?: ReadonlyMap<string, number>): PhaseResult<Compiled> {
  return compileSource({ name: "test.ppl", text }, sizes ? { sizes } : {});
}

export const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);
