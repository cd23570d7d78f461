/**
 * Diagnostics: the one shape every phase reports problems in, and the one renderer.
 *
 * Codes come in bands: PPL1xxx lexing/parsing, PPL2xxx names and types, PPL3xxx lowering and
 * shapes (and data checks), PPL4xxx inference set-up, PPL5xxx numerics at run time, PPL9xxx
 * internal errors. Each band keeps its constructors in its own file (one function per error
 * kind); this file holds only the shape, the renderer and the internal-error path.
 */
import { LineIndex, type SourceFile, type Span } from "./span.js";

export type Severity = "error" | "warning" | "note";

export interface RelatedInfo {
  readonly message: string;
  readonly span: Span;
  /** Defaults to the diagnostic's own file. */
  readonly file?: SourceFile;
}

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Absent only for problems with no place in a source (a bad CLI option, say). */
  readonly span?: Span;
  readonly related?: readonly RelatedInfo[];
  /** What to do about it. */
  readonly hint?: string;
  /** The file the span points into, when it differs from the one being rendered (data files). */
  readonly file?: SourceFile;
}

/** What every phase returns: a value when it could make one, and what it found. */
export interface PhaseResult<T> {
  readonly value?: T;
  readonly diagnostics: readonly Diagnostic[];
}

export function makeDiagnostic(
  code: string,
  severity: Severity,
  message: string,
  span?: Span,
  extra: { hint?: string; related?: readonly RelatedInfo[]; file?: SourceFile } = {},
): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, severity, message };
  if (span) d.span = span;
  if (extra.hint !== undefined) d.hint = extra.hint;
  if (extra.related && extra.related.length > 0) d.related = extra.related;
  if (extra.file) d.file = extra.file;
  return d;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

/** Diagnostics sorted by position (stable), errors and warnings interleaved as they occur in the file. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.span?.start ?? -1) - (b.d.span?.start ?? -1) || a.i - b.i)
    .map((x) => x.d);
}

/** Thrown by the public API when a phase reports errors; carries every diagnostic. */
export class PplError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  readonly file: SourceFile | undefined;
  constructor(diagnostics: readonly Diagnostic[], file?: SourceFile) {
    const errs = diagnostics.filter((d) => d.severity === "error");
    const first = errs[0] ?? diagnostics[0];
    super(
      first
        ? `${first.code}: ${first.message}${errs.length > 1 ? ` (and ${errs.length - 1} more error${errs.length > 2 ? "s" : ""})` : ""}`
        : "vippl error",
    );
    this.name = "PplError";
    this.diagnostics = diagnostics;
    this.file = file;
  }
  /** Every diagnostic rendered against the source, as the CLI prints them. */
  render(options: RenderOptions = {}): string {
    return renderDiagnostics(this.diagnostics, this.file, options);
  }
}

/**
 * A compiler bug, never a user mistake: one path for all of them, which says "please report".
 */
export function internalError(err: unknown, span?: Span): Diagnostic {
  const detail = err instanceof Error ? err.message : String(err);
  return makeDiagnostic("PPL9001", "error", `internal compiler error: ${detail}`, span, {
    hint: "this is a bug in vippl, not in your model; please report it with the model that triggered it",
  });
}

export interface RenderOptions {
  /** ANSI colours (the CLI turns them on for terminals). */
  readonly color?: boolean;
}

const ansi = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  blue: (s: string) => `\x1b[34m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
};
const plain = { bold: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, blue: (s: string) => s, cyan: (s: string) => s };

/** Lines longer than this are shown as a window around the caret. */
const MAX_SHOWN_LINE = 120;

/**
 * Renders one diagnostic:
 *
 *     error[PPL2003]: unknown distribution 'Normall'
 *       --> model.ppl:12:5
 *        |
 *     12 |   x ~ Normall(0, 1)
 *        |       ^^^^^^^
 *        = help: did you mean 'Normal'?
 */
export function renderDiagnostic(d: Diagnostic, file?: SourceFile, options: RenderOptions = {}): string {
  const c = options.color ? ansi : plain;
  const sevColor = d.severity === "error" ? c.red : d.severity === "warning" ? c.yellow : c.cyan;
  const out: string[] = [c.bold(`${sevColor(`${d.severity}[${d.code}]`)}: ${d.message}`)];
  const src = d.file ?? file;
  // One gutter width for the whole diagnostic, so every `|` and `=` lines up.
  const lines = [d.span?.line ?? 0, ...(d.related ?? []).map((r) => r.span.line)];
  const gutter = String(Math.max(...lines, 1)).length;
  if (d.span && src) out.push(...snippet(src, d.span, c, gutter));
  else if (src && !d.span) out.push(`  ${c.blue("-->")} ${src.name}`);
  for (const r of d.related ?? []) {
    const rf = r.file ?? src;
    out.push(`  ${c.cyan("note")}: ${r.message}`);
    if (rf) out.push(...snippet(rf, r.span, c, gutter));
  }
  if (d.hint) out.push(`${" ".repeat(gutter)} ${c.blue("=")} ${c.bold("help")}: ${d.hint}`);
  return out.join("\n");
}

function snippet(src: SourceFile, span: Span, c: typeof plain, gutter: number): string[] {
  const index = new LineIndex(src.text);
  const line = Math.min(Math.max(span.line, 1), index.lineCount);
  const pad = " ".repeat(Math.max(gutter, String(line).length));
  let text = index.lineText(line);
  let col = Math.max(1, span.column);
  // Width of the caret: to the end of the span on this line, at least one.
  let width = span.endLine === span.line ? Math.max(1, span.endColumn - span.column) : Math.max(1, text.length - col + 1);
  let prefix = "";
  if (text.length > MAX_SHOWN_LINE) {
    const from = Math.max(0, col - 1 - 40);
    const to = Math.min(text.length, from + MAX_SHOWN_LINE);
    prefix = from > 0 ? "..." : "";
    text = prefix + text.slice(from, to) + (to < text.length ? "..." : "");
    col = col - from + prefix.length;
    width = Math.min(width, MAX_SHOWN_LINE - (col - 1 - prefix.length));
  }
  // Tabs keep their width in the caret line so the caret lines up under the source.
  const before = text.slice(0, col - 1).replace(/[^\t]/g, " ");
  const shown = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "?");
  return [
    `${pad}${c.blue("-->")} ${src.name}:${span.line}:${span.column}`,
    `${pad} ${c.blue("|")}`,
    `${c.blue(String(line).padStart(pad.length))} ${c.blue("|")} ${shown}`,
    `${pad} ${c.blue("|")} ${before}${c.red("^".repeat(Math.max(1, width)))}`,
  ];
}

export function renderDiagnostics(ds: readonly Diagnostic[], file?: SourceFile, options: RenderOptions = {}): string {
  return sortDiagnostics(ds)
    .map((d) => renderDiagnostic(d, file, options))
    .join("\n\n");
}

/** "3 errors, 1 warning" */
export function summariseDiagnostics(ds: readonly Diagnostic[]): string {
  const e = ds.filter((d) => d.severity === "error").length;
  const w = ds.filter((d) => d.severity === "warning").length;
  const parts: string[] = [];
  if (e) parts.push(`${e} error${e === 1 ? "" : "s"}`);
  if (w) parts.push(`${w} warning${w === 1 ? "" : "s"}`);
  return parts.join(", ") || "no problems";
}
