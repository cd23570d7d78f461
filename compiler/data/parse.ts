/**
 * Data files as text -> named values, with positions for diagnostics. Pure (no file system), so
 * it runs in a browser too; load.ts reads files from disk in Node.
 *
 * JSON: an object of name -> number | boolean | nested arrays of them. Parsed by a small
 * position-tracking parser (rather than JSON.parse) so a syntax error points at its line and
 * column, and every top-level name keeps its place in the file. As Python's `json.dump` writes
 * them, the non-standard tokens `NaN`, `Infinity` and `-Infinity` are accepted; the data check
 * then reports them as non-finite values.
 *
 * CSV (and TSV, by extension): a table with a header row; each column becomes a vector named by
 * its header. Columns named `X.0, X.1, …` or `X[0], X[1], …` are gathered into one matrix `X` of
 * shape [rows, k] (the indices must run 0..k-1; their order in the file does not matter). Cells:
 * numbers; `true`/`false`; an empty cell is a missing value (null); `NA`/`NaN` is NaN. A CSV holds
 * no scalars: integer sizes like `N` that are missing are taken from the data's shapes (see
 * check.ts).
 *
 * Names starting with `_` (`_seed`, `_truth`) are metadata: kept here, ignored by the check.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { type Diagnostic, LineIndex, type PhaseResult, type SourceFile, type Span } from "../lang.js";
import { dataNotObject, malformedCsv, malformedJson } from "./errors.js";

export type DataFormat = "json" | "csv" | "tsv";

export interface LoadedData {
  /** Name -> value, as the data check takes them. */
  readonly values: Record<string, unknown>;
  /** The data file, for diagnostics that point into it. */
  readonly file: SourceFile;
  readonly format: DataFormat;
  /** Where each top-level name appears in the file (a JSON key, a CSV header cell). */
  readonly locations: ReadonlyMap<string, Span>;
}

/** The format a file name implies; `undefined` for an unknown extension. */
export function dataFormatOf(name: string): DataFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(name);
  const ext = m?.[1]?.toLowerCase();
  return ext === "json" ? "json" : ext === "csv" ? "csv" : ext === "tsv" ? "tsv" : undefined;
}

/** By extension, else by content: a text whose first non-blank character is `{` is JSON. */
function sniffFormat(file: SourceFile): DataFormat {
  return dataFormatOf(file.name) ?? (/^\s*\{/.test(file.text) ? "json" : "csv");
}

/** Parses a data file's text into named values; a syntax error is a diagnostic pointing into the file. */
export function parseData(file: SourceFile, format: DataFormat = sniffFormat(file)): PhaseResult<LoadedData> {
  return format === "json" ? parseJsonData(file) : parseCsvData(file, format === "tsv" ? "\t" : ",");
}

/**
 * Where each top-level name sits in a data file, for diagnostics that want to show the data's
 * side too. Empty when the file does not parse.
 */
export function locateNames(file: SourceFile): ReadonlyMap<string, Span> {
  return parseData(file).value?.locations ?? new Map();
}

// ---------------------------------------------------------------------------------------------
// JSON

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A recursive-descent JSON parser that records the spans of the top-level keys. */
class JsonParser {
  pos = 0;
  readonly keys = new Map<string, [number, number]>();
  constructor(private readonly text: string) {}

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(at, message);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else break;
    }
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return "the end of the file";
    const ch = this.text[this.pos]!;
    return `'${ch}'`;
  }

  value(depth: number): unknown {
    this.ws();
    const t = this.text;
    if (this.pos >= t.length) this.fail("unexpected end of the file: expected a value");
    const c = t[this.pos]!;
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) {
      if (t.startsWith("-Infinity", this.pos)) {
        this.pos += 9;
        return -Infinity;
      }
      NUMBER_RE.lastIndex = this.pos;
      const m = NUMBER_RE.exec(t);
      if (!m) this.fail(`malformed number`);
      this.pos += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", NaN],
      ["Infinity", Infinity],
    ] as const) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    if (c === "'") this.fail("strings and names must be in double quotes");
    return this.fail(`unexpected ${this.describeHere()}: expected a value (a number, true, false, null, an array or an object)`);
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++; // opening quote
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        try {
          return JSON.parse(t.slice(start, this.pos)) as string;
        } catch {
          return this.fail("invalid escape in a string", start);
        }
      }
      if (c === 92) this.pos += 2;
      else if (c < 32) this.fail("a string may not contain a line break or control character; is a closing quote missing?");
      else this.pos++;
    }
    return this.fail("unterminated string: missing closing quote", start);
  }

  array(depth: number): unknown[] {
    this.pos++; // [
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.ws();
        if (this.text[this.pos] === "]") this.fail("trailing comma before ']'", this.pos - 1);
        continue;
      }
      if (c === "]") {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or ']' after an array element, found ${this.describeHere()}`);
    }
  }

  object(depth: number): Record<string, unknown> {
    this.pos++; // {
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail(`expected a name in double quotes, found ${this.describeHere()}`);
      const keyStart = this.pos;
      const key = this.string();
      if (depth === 0 && !this.keys.has(key)) this.keys.set(key, [keyStart, this.pos]);
      this.ws();
      if (this.text[this.pos] !== ":") this.fail(`expected ':' after the name "${key}", found ${this.describeHere()}`);
      this.pos++;
      // defineProperty: a key "__proto__" must be data, not the prototype.
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.ws();
        if (this.text[this.pos] === "}") this.fail("trailing comma before '}'", this.pos - 1);
        continue;
      }
      if (c === "}") {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or '}' after the value of "${key}", found ${this.describeHere()}`);
    }
  }

  document(): unknown {
    const v = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the data`);
    return v;
  }
}

function parseJsonData(file: SourceFile): PhaseResult<LoadedData> {
  const index = new LineIndex(file.text);
  let value: unknown;
  let keys: Map<string, [number, number]> | undefined;
  try {
    // Fast path: the engine's parser. Ours runs only when it fails (to locate the error, or to
    // accept NaN/Infinity), and lazily to locate the top-level names for diagnostics.
    value = JSON.parse(file.text);
  } catch {
    const parser = new JsonParser(file.text);
    try {
      value = parser.document();
      keys = parser.keys;
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      const at = Math.min(e.offset, file.text.length);
      return { diagnostics: [malformedJson(file, index.span(at, Math.min(at + 1, file.text.length)), e.message)] };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
    return { diagnostics: [dataNotObject(file, what)] };
  }
  let locations: Map<string, Span> | undefined;
  const loaded: LoadedData = {
    values: value as Record<string, unknown>,
    file,
    format: "json",
    get locations(): ReadonlyMap<string, Span> {
      if (!locations) {
        if (!keys) {
          const parser = new JsonParser(file.text);
          parser.document();
          keys = parser.keys;
        }
        locations = new Map([...keys].map(([k, [s, e]]) => [k, index.span(s, e)]));
      }
      return locations;
    },
  };
  return { value: loaded, diagnostics: [] };
}

// ---------------------------------------------------------------------------------------------
// CSV

interface CsvError {
  readonly code?: string;
  readonly message: string;
  readonly lines?: number;
}

/** `X.3` or `X[3]`: a column of matrix X. */
const GATHER_RE = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.(\d+)|\[(\d+)\])$/;

function parseCell(raw: string): number | boolean | null | undefined {
  const s = raw.trim();
  if (s === "") return null;
  if (s === "true" || s === "TRUE" || s === "True") return true;
  if (s === "false" || s === "FALSE" || s === "False") return false;
  if (s === "NA" || s === "NaN" || s === "nan") return NaN;
  if (s === "Inf" || s === "inf" || s === "Infinity") return Infinity;
  if (s === "-Inf" || s === "-inf" || s === "-Infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function parseCsvData(file: SourceFile, delimiter: string): PhaseResult<LoadedData> {
  const index = new LineIndex(file.text);
  const starts = [0];
  for (let i = 0; i < file.text.length; i++) if (file.text.charCodeAt(i) === 10) starts.push(i + 1);
  const lineSpan = (line: number): Span => {
    const l = Math.min(Math.max(1, line), index.lineCount);
    const start = starts[l - 1]!;
    return index.span(start, start + index.lineText(l).length);
  };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(file.text, { delimiter, info: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (e) {
    const err = e as CsvError;
    return { diagnostics: [malformedCsv(file, lineSpan(err.lines ?? 1), err.message.replace(/^[^:]*:\s*/, ""))] };
  }
  if (records.length === 0) return { diagnostics: [malformedCsv(file, lineSpan(1), "the file is empty: expected a header row")] };

  const header = records[0]!.record;
  const headerLine = records[0]!.info.lines;
  const headerText = index.lineText(headerLine);
  const headerStart = lineSpan(headerLine).start;
  const cellSpan = (col: number): Span => {
    // The header cell's place on its line (names are rarely quoted; fall back to the line).
    let from = 0;
    for (let c = 0; c < col; c++) {
      const next = headerText.indexOf(delimiter, from);
      if (next < 0) return lineSpan(headerLine);
      from = next + 1;
    }
    const end = headerText.indexOf(delimiter, from);
    return index.span(headerStart + from, headerStart + (end < 0 ? headerText.length : end));
  };

  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, number>();
  header.forEach((h, col) => {
    if (h === "") diagnostics.push(malformedCsv(file, cellSpan(col), `column ${col + 1} has no name in the header row`));
    else if (seen.has(h)) diagnostics.push(malformedCsv(file, cellSpan(col), `the header names column '${h}' twice`));
    seen.set(h, col);
  });
  if (diagnostics.length) return { diagnostics };

  // Parse every cell, column by column.
  const columns: (number | boolean | null)[][] = header.map(() => []);
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    for (let col = 0; col < record.length; col++) {
      const v = parseCell(record[col]!);
      if (v === undefined) {
        if (diagnostics.length < 10) {
          diagnostics.push(
            malformedCsv(file, lineSpan(info.lines), `the value '${record[col]}' in column '${header[col]}' (row ${r}) is not a number`),
          );
        }
        columns[col]!.push(null);
      } else columns[col]!.push(v);
    }
  }
  if (diagnostics.length) return { diagnostics };

  // Gather X.0, X.1, ... into a matrix; plain columns become vectors.
  const values: Record<string, unknown> = {};
  const locations = new Map<string, Span>();
  const groups = new Map<string, { col: number; k: number }[]>();
  header.forEach((h, col) => {
    const m = GATHER_RE.exec(h);
    if (!m) {
      values[h] = columns[col];
      locations.set(h, cellSpan(col));
      return;
    }
    const base = m[1]!;
    const k = Number(m[2] ?? m[3]);
    const g = groups.get(base) ?? [];
    g.push({ col, k });
    groups.set(base, g);
  });
  for (const [base, g] of groups) {
    const first = g.reduce((a, b) => (a.col < b.col ? a : b));
    if (base in values) {
      diagnostics.push(malformedCsv(file, cellSpan(first.col), `'${base}' is both a column and the name of columns ${header[first.col]}, …`));
      continue;
    }
    g.sort((a, b) => a.k - b.k);
    const gap = g.findIndex((x, i) => x.k !== i);
    if (gap >= 0) {
      const dup = gap > 0 && g[gap]!.k === g[gap - 1]!.k;
      diagnostics.push(
        malformedCsv(
          file,
          cellSpan(g[gap]!.col),
          dup
            ? `column index ${g[gap]!.k} of '${base}' appears twice`
            : `the columns of '${base}' must be numbered 0 to ${g.length - 1}, but index ${gap} is missing`,
        ),
      );
      continue;
    }
    const rows = records.length - 1;
    const matrix: (number | boolean | null)[][] = [];
    for (let r = 0; r < rows; r++) matrix.push(g.map(({ col }) => columns[col]![r]!));
    values[base] = matrix;
    locations.set(base, cellSpan(first.col));
  }
  if (diagnostics.length) return { diagnostics };
  return { value: { values, file, format: delimiter === "\t" ? "tsv" : "csv", locations }, diagnostics: [] };
}
