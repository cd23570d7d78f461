/**
 * Source positions. Offsets are 0-based UTF-16 indices into the source text (end exclusive);
 * lines and columns are 1-based, as editors show them.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A source file: its name (as shown in diagnostics) and its text. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

export const NO_SPAN: Span = { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

/** The smallest span covering both. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return {
    start: first.start,
    end: last.end,
    line: first.line,
    column: first.column,
    endLine: last.endLine,
    endColumn: last.endColumn,
  };
}

/** Line starts of a text, for turning offsets into positions. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1 };
  }
  span(start: number, end: number): Span {
    const s = this.position(start);
    const e = this.position(end);
    return { start, end, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }
  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const s = this.starts[line - 1];
    if (s === undefined) return "";
    const next = this.starts[line];
    let e = next === undefined ? this.text.length : next - 1;
    if (e > s && this.text.charCodeAt(e - 1) === 13) e--;
    return this.text.slice(s, e);
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
