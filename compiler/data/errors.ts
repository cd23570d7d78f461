/**
 * Diagnostics of loading and checking data (PPL3101-3199), before any fitting. One constructor
 * per kind, each naming the variable, pointing at its `data` declaration in the model (or into
 * the data file for syntax errors) and saying what to do.
 */
import { makeDiagnostic, type Diagnostic, type RelatedInfo, type SourceFile, type Span } from "../lang.js";

export const DATA_CODES = {
  dataFileUnreadable: "PPL3101",
  malformedJson: "PPL3102",
  malformedCsv: "PPL3103",
  dataNotObject: "PPL3104",
  unsupportedValue: "PPL3105",
  missingData: "PPL3106",
  extraData: "PPL3107",
  shapeMismatch: "PPL3108",
  raggedData: "PPL3109",
  constraintViolation: "PPL3110",
  notInteger: "PPL3111",
  notBoolean: "PPL3112",
  notFinite: "PPL3113",
  badSize: "PPL3114",
} as const;

/** Where the variable's value sits in the data file, when known. */
export interface DataSite {
  readonly file: SourceFile;
  readonly span: Span;
}

const seeData = (name: string, site: DataSite | undefined): RelatedInfo[] =>
  site ? [{ message: `'${name}' in ${site.file.name}`, span: site.span, file: site.file }] : [];

const andMore = (count: number, what = "element"): string => (count > 1 ? ` (and ${count - 1} more ${what}${count > 2 ? "s" : ""})` : "");

/** The file does not exist or cannot be read. */
export function dataFileUnreadable(path: string, reason: "missing" | "directory" | "other", detail?: string): Diagnostic {
  const message =
    reason === "missing"
      ? `data file '${path}' not found`
      : reason === "directory"
        ? `data file '${path}' is a directory`
        : `cannot read data file '${path}'${detail ? `: ${detail}` : ""}`;
  return makeDiagnostic(DATA_CODES.dataFileUnreadable, "error", message, undefined, {
    hint: "give the path of a .json or .csv file (relative paths are taken from the current directory)",
    // Names the data file in the rendered diagnostic (there is no text to show).
    file: { name: path, text: "" },
  });
}

/** A JSON syntax error, pointing at its line and column in the data file. */
export function malformedJson(file: SourceFile, span: Span, detail: string): Diagnostic {
  return makeDiagnostic(DATA_CODES.malformedJson, "error", `malformed JSON in ${file.name}: ${detail}`, span, {
    file,
    hint: 'the data must be one JSON object of names to numbers, booleans or nested arrays: {"N": 3, "y": [1.5, 2, 0.3]}',
  });
}

/** A CSV syntax error, a cell that is not a number, or columns that cannot be gathered. */
export function malformedCsv(file: SourceFile, span: Span, detail: string): Diagnostic {
  return makeDiagnostic(DATA_CODES.malformedCsv, "error", `malformed CSV in ${file.name}: ${detail}`, span, {
    file,
    hint: "a CSV needs a header row of names and one number per cell; columns X.0, X.1, … (or X[0], X[1], …) form a matrix X",
  });
}

/** The JSON is valid but is not an object of named values. */
export function dataNotObject(file: SourceFile, what: string): Diagnostic {
  return makeDiagnostic(DATA_CODES.dataNotObject, "error", `the data in ${file.name} is ${what}, not an object of named values`, undefined, {
    file,
    hint: 'wrap the values in an object keyed by the names the model declares: {"N": 3, "y": [1, 2, 3]}',
  });
}

/** The data passed through the API is not an object. */
export function dataArgumentNotObject(what: string): Diagnostic {
  return makeDiagnostic(DATA_CODES.dataNotObject, "error", `the data is ${what}, not an object of named values`, undefined, {
    hint: "pass an object keyed by the names the model declares: { N: 3, y: [1, 2, 3] }",
  });
}

/** A string, an object or (for `real`) a boolean where a number is expected. */
export function unsupportedValue(name: string, where: string, got: string, expected: string, decl: Span, count: number, site?: DataSite): Diagnostic {
  return makeDiagnostic(DATA_CODES.unsupportedValue, "error", `data '${name}': ${where} is ${got}, not ${expected}${andMore(count)}`, decl, {
    related: seeData(name, site),
    hint: got.startsWith("the string") ? "write numbers without quotes" : `give '${name}' as ${expected === "a number" ? "numbers (or nested arrays of numbers)" : expected}`,
  });
}

/** A declared data variable is not in the data. */
export function missingData(name: string, declared: string, decl: Span, typo?: string): Diagnostic {
  return makeDiagnostic(DATA_CODES.missingData, "error", `data '${name}' is declared but missing from the data`, decl, {
    hint: typo
      ? `the data has '${typo}': did you mean '${name}'?`
      : `add '${name}' (${declared}) to the data, or remove the declaration if the model does not use it`,
  });
}

/**
 * A name in the data that the model does not declare as data (a warning: it is ignored). With a
 * likely typo it points at the declaration meant, with a note at the name in the data file;
 * otherwise at the name in the data file.
 */
export function extraData(name: string, opts: { role?: string; suggestion?: string; suggestionSpan?: Span; site?: DataSite }): Diagnostic {
  const { role, suggestion, suggestionSpan, site } = opts;
  const message = role
    ? `'${name}' is given in the data but is declared as ${role === "arg" ? "a compile-time argument" : `'${role}'`}, not 'data'; its value is ignored`
    : `'${name}' is in the data but the model declares no data '${name}'; it is ignored`;
  const hint =
    role === "arg"
      ? `pass compile-time arguments when compiling the model, not with the data`
      : role
        ? `to observe '${name}', declare it 'data ${name}: …' instead`
        : suggestion
          ? `did you mean '${suggestion}'?`
          : `remove it from the data, or start its name with '_' to mark it as metadata`;
  if (suggestion && suggestionSpan) {
    return makeDiagnostic(DATA_CODES.extraData, "warning", message, suggestionSpan, { hint, related: seeData(name, site) });
  }
  return makeDiagnostic(DATA_CODES.extraData, "warning", message, site?.span, { hint, ...(site ? { file: site.file } : {}) });
}

/** The data has a different number of axes than declared. */
export function rankMismatch(name: string, declared: string, declaredRank: number, gotShape: readonly number[], decl: Span, site?: DataSite): Diagnostic {
  const got = gotShape.length === 0 ? "a single number" : `an array of shape [${gotShape.join(", ")}]`;
  const axes = (n: number) => `${n} ax${n === 1 ? "is" : "es"}`;
  const hint =
    declaredRank === 0
      ? `give '${name}' as a plain number, not an array`
      : gotShape.length === 0
        ? `give '${name}' as ${declaredRank === 1 ? "an array" : "nested arrays"} (${declared})`
        : `give '${name}' as nested arrays with ${axes(declaredRank)}, outermost first`;
  return makeDiagnostic(
    DATA_CODES.shapeMismatch,
    "error",
    `data '${name}' is declared ${declared} (${declaredRank === 0 ? "a scalar" : axes(declaredRank)}) but the data gives ${got}`,
    decl,
    { related: seeData(name, site), hint },
  );
}

/** One axis has the wrong length: "y has 7 elements along its first axis but J = 8". */
export function sizeMismatch(name: string, axis: number, got: number, expected: string, decl: Span, hint: string, site?: DataSite): Diagnostic {
  return makeDiagnostic(
    DATA_CODES.shapeMismatch,
    "error",
    `data '${name}' has ${got} element${got === 1 ? "" : "s"} along its ${ordinal(axis)} axis but ${expected}`,
    decl,
    { related: seeData(name, site), hint },
  );
}

/** Nested arrays whose rows differ in length (or mix numbers and arrays). */
export function raggedData(name: string, detail: string, decl: Span, site?: DataSite): Diagnostic {
  return makeDiagnostic(DATA_CODES.raggedData, "error", `data '${name}' is ragged: ${detail}`, decl, {
    related: seeData(name, site),
    hint: "every row must have the same length: pad or split the data, or declare the sizes that fit it",
  });
}

/** A value outside the declared bounds or structure. */
export function constraintViolation(name: string, where: string, reason: string, described: string, decl: Span, count: number, site?: DataSite): Diagnostic {
  return makeDiagnostic(
    DATA_CODES.constraintViolation,
    "error",
    `data '${name}' must be ${described}, but ${where} ${reason}${andMore(count, where === name ? "value" : "element")}`,
    decl,
    { related: seeData(name, site), hint: `fix the data, or change the declaration of '${name}' if the bounds are wrong` },
  );
}

/** A fractional number (or one beyond 32-bit range) where `int` is declared. */
export function notInteger(name: string, where: string, value: number, decl: Span, count: number, site?: DataSite): Diagnostic {
  const big = Number.isInteger(value);
  return makeDiagnostic(
    DATA_CODES.notInteger,
    "error",
    big
      ? `data '${name}' is declared int, but ${where} = ${value} is too large for a 32-bit integer${andMore(count)}`
      : `data '${name}' is declared int, but ${where} = ${value} is not an integer${andMore(count)}`,
    decl,
    { related: seeData(name, site), hint: big ? `declare '${name}' real if it is a measurement, not a count` : `declare '${name}' real, or round the data` },
  );
}

/** A value other than true/false/0/1 where `bool` is declared. */
export function notBoolean(name: string, where: string, got: string, decl: Span, count: number, site?: DataSite): Diagnostic {
  return makeDiagnostic(DATA_CODES.notBoolean, "error", `data '${name}' is declared bool, but ${where} is ${got}${andMore(count)}`, decl, {
    related: seeData(name, site),
    hint: "give booleans as true/false (or 0/1)",
  });
}

/** NaN, ±Infinity or a missing value (null, an empty CSV cell) in numeric data. */
export function notFinite(name: string, where: string, got: string, decl: Span, count: number, site?: DataSite): Diagnostic {
  return makeDiagnostic(DATA_CODES.notFinite, "error", `data '${name}': ${where} is ${got}${andMore(count)}`, decl, {
    related: seeData(name, site),
    hint: "vippl needs every data value: drop the rows with missing values, or model them as latents",
  });
}

/** A size expression in a declaration that does not give a non-negative integer. */
export function badSize(name: string, expr: string, value: number, decl: Span): Diagnostic {
  return makeDiagnostic(
    DATA_CODES.badSize,
    "error",
    `the size ${expr} of data '${name}' is ${value}, not a non-negative integer`,
    decl,
    { hint: "sizes are computed from integer data and compile-time arguments; check the values they use" },
  );
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"];

export function ordinal(axis: number): string {
  return ORDINALS[axis] ?? `${axis + 1}th`;
}
