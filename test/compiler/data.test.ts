import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkData, DATA_CODES, loadDataFile, parseData, type BoundData } from "../../compiler/data/index.js";
import { renderDiagnostic, type Diagnostic, type PhaseResult } from "../../language/diagnostics.js";
import { parse } from "../../language/parse.js";
import type { TypedModel } from "../../language/typed.js";
import { typecheck } from "../../language/typecheck.js";
import { stdlibSignatures } from "../../stdlib/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const examples = join(here, "../../examples");
const benchData = join(here, "../../../shared/bench/data");
const tmp = mkdtempSync(join(tmpdir(), "vippl-data-"));

// ---------------------------------------------------------------------------------------------
// TypedModels through the real front end: parse, then type-check against the stdlib signatures.

function typedModel(text: string, args: Record<string, number> = {}): TypedModel {
  const parsed = parse({ name: "model.ppl", text });
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const typed = typecheck(parsed.value!, stdlibSignatures(), { args });
  expect(typed.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return typed.value!;
}

const example = (name: string) => typedModel(readFileSync(join(examples, `${name}.ppl`), "utf8"));
const errors = (r: PhaseResult<unknown>) => r.diagnostics.filter((d) => d.severity === "error");
const codes = (r: PhaseResult<unknown>) => r.diagnostics.map((d) => d.code);
const only = (r: PhaseResult<unknown>, code: string): Diagnostic => {
  const ds = r.diagnostics.filter((d) => d.code === code);
  expect(ds, JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`))).toHaveLength(1);
  return ds[0]!;
};
const ok = (r: PhaseResult<BoundData>): BoundData => {
  expect(errors(r).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.value!;
};

const EIGHT = example("eight_schools");
const EIGHT_DATA = { J: 8, y: [28, 8, -3, 7, -1, 1, 18, 12], sigma: [15, 10, 16, 11, 9, 11, 10, 18] };


// ---------------------------------------------------------------------------------------------

describe("good data", () => {
  it("binds eight schools", () => {
    const b = ok(checkData(EIGHT, EIGHT_DATA));
    const y = b.variables.get("y")!;
    expect(y.shape).toEqual([8]);
    expect(y.values).toBeInstanceOf(Float64Array);
    expect(Array.from(y.values)).toEqual(EIGHT_DATA.y);
    const J = b.variables.get("J")!;
    expect(J.values).toBeInstanceOf(Int32Array);
    expect(J.shape).toEqual([]);
    expect(b.sizes.get("J")).toBe(8);
    expect(b.sizes.has("scale")).toBe(false); // a real argument, not a size
  });

  const benchCases: [string, string][] = [
    ["eight_schools", "eight_schools"],
    ["linreg", "linreg"],
    ["coin", "coin"],
    ["logreg", "logreg"],
    ["gmm", "gmm"],
    ["normal_gamma", "normal_gamma"],
  ];
  for (const [model, data] of benchCases) {
    it.skipIf(!existsSync(join(benchData, `${data}.json`)))(`binds ../shared/bench/data/${data}.json to examples/${model}.ppl`, () => {
      const loaded = loadDataFile(join(benchData, `${data}.json`));
      expect(loaded.diagnostics).toEqual([]);
      const r = checkData(example(model), loaded.value!.values, loaded.value!.file);
      // `_seed`, `_truth` are metadata: no warnings either.
      expect(r.diagnostics).toEqual([]);
      expect(r.value).toBeDefined();
    });
  }

  for (const model of ["eight_schools", "linreg", "coin", "logreg", "gmm", "normal_gamma", "bnn", "vae", "cvae"]) {
    it(`binds examples/${model}.data.json`, () => {
      const loaded = loadDataFile(join(examples, `${model}.data.json`));
      expect(loaded.diagnostics).toEqual([]);
      const r = checkData(example(model), loaded.value!.values, loaded.value!.file);
      expect(r.diagnostics).toEqual([]);
    });
  }

  it("gives matrices row-major with their shape, and sizes for plates", () => {
    const b = ok(checkData(example("linreg"), { N: 3, D: 2, X: [[1, 2], [3, 4], [5, 6]], y: [1, 2, 3], sigma: 0.5 }));
    expect(b.variables.get("X")!.shape).toEqual([3, 2]);
    expect(Array.from(b.variables.get("X")!.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.variables.get("sigma")!.shape).toEqual([]);
    expect(Object.fromEntries(b.sizes)).toEqual({ N: 3, D: 2 });
  });

  it("includes integer arguments in the sizes, and evaluates bounds that use them", () => {
    const typed = example("cvae");
    const data = { N: 2, D: 3, x: [[0, 1, 1], [1, 0, 0]], label: [0, 9] };
    const b = ok(checkData(typed, data));
    expect(b.sizes.get("classes")).toBe(10);
    expect(b.sizes.get("latent_dim")).toBe(20);
    const r = checkData(typed, { ...data, label: [0, 10] });
    expect(only(r, DATA_CODES.constraintViolation).message).toBe("data 'label' must be an integer from 0 to 9, but label[1] = 10");
  });

  it("accepts booleans for int and bool, and 0/1 for bool", () => {
    const typed = typedModel("model M {\n  data N: int\n  data y: int<lower=0, upper=1>[N]\n  data b: bool[N]\n}");
    const b = ok(checkData(typed, { N: 3, y: [true, false, true], b: [0, 1, true] }));
    expect(Array.from(b.variables.get("y")!.values)).toEqual([1, 0, 1]);
    expect(Array.from(b.variables.get("b")!.values)).toEqual([0, 1, 1]);
    expect(b.variables.get("b")!.values).toBeInstanceOf(Int32Array);
  });

  it("resolves sizes from integer data and size expressions", () => {
    const typed = typedModel(
      "model M(P: int = 2) {\n  data N: int<lower=1>\n  data K: int\n  data D: int\n  data a: real[K-1]\n  data b: real[N*D]\n  data c: real[P, K]\n  data s: simplex[K]\n}",
    );
    const b = ok(
      checkData(typed, { N: 2, K: 3, D: 2, a: [1, 2], b: [1, 2, 3, 4], c: [[1, 2, 3], [4, 5, 6]], s: [0.2, 0.3, 0.5] }),
    );
    expect(b.variables.get("a")!.shape).toEqual([2]);
    expect(b.variables.get("b")!.shape).toEqual([4]);
    expect(b.sizes.get("K-1")).toBe(2);
    expect(b.sizes.get("N*D")).toBe(4);
    expect(b.sizes.get("P")).toBe(2);
  });

  it("takes a missing integer size from the data's shape", () => {
    const b = ok(checkData(EIGHT, { y: EIGHT_DATA.y, sigma: EIGHT_DATA.sigma }));
    expect(b.sizes.get("J")).toBe(8);
    expect(b.variables.get("J")!.inferredFrom).toBe("y");
    // ... and then the other variables must agree with it.
    const r = checkData(EIGHT, { y: EIGHT_DATA.y, sigma: EIGHT_DATA.sigma.slice(1) });
    expect(only(r, DATA_CODES.shapeMismatch).message).toBe(
      "data 'sigma' has 7 elements along its first axis but J = 8 (taken from the length of 'y', as 'J' is not in the data)",
    );
  });

  it("allows empty data along a size of 0", () => {
    const typed = typedModel("model M {\n  data N: int<lower=0>\n  data D: int\n  data X: real[N, D]\n}");
    const b = ok(checkData(typed, { N: 0, D: 2, X: [] }));
    expect(b.variables.get("X")!.shape).toEqual([0, 2]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("data diagnostics", () => {
  it("PPL3106: a missing variable, pointing at its declaration", () => {
    const r = checkData(EIGHT, { J: 8, y: EIGHT_DATA.y });
    const d = only(r, DATA_CODES.missingData);
    expect(d.message).toBe("data 'sigma' is declared but missing from the data");
    expect(d.hint).toContain("real<lower=0>[J]");
    expect(d.span!.line).toBe(6);
    expect(r.value).toBeUndefined();
  });

  it("PPL3106 + PPL3107: a typo is suggested both ways", () => {
    const r = checkData(EIGHT, { J: 8, y: EIGHT_DATA.y, sigmas: EIGHT_DATA.sigma });
    expect(only(r, DATA_CODES.missingData).hint).toBe("the data has 'sigmas': did you mean 'sigma'?");
    const w = only(r, DATA_CODES.extraData);
    expect(w.severity).toBe("warning");
    expect(w.message).toBe("'sigmas' is in the data but the model declares no data 'sigmas'; it is ignored");
    expect(w.hint).toBe("did you mean 'sigma'?");
  });

  it("PPL3107: extra variables are warnings; names starting with _ are metadata", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, weight: 3, _seed: 1, _truth: { mu: 1 } });
    expect(errors(r)).toEqual([]);
    expect(r.value).toBeDefined();
    const w = only(r, DATA_CODES.extraData);
    expect(w.message).toContain("'weight'");
    expect(w.hint).toMatch(/remove it from the data/);
  });

  it("PPL3107: a latent or an argument given as data", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, tau: 1, scale: 3 });
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs).toContain("'tau' is given in the data but is declared as 'latent', not 'data'; its value is ignored");
    expect(msgs).toContain("'scale' is given in the data but is declared as a compile-time argument, not 'data'; its value is ignored");
  });

  it("PPL3108: a wrong length names the size symbol, expected vs got", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, y: EIGHT_DATA.y.slice(0, 7) });
    const d = only(r, DATA_CODES.shapeMismatch);
    expect(d.message).toBe("data 'y' has 7 elements along its first axis but J = 8");
    expect(d.hint).toBe("'y' and 'J' in the data must agree: fix one of them");
    expect(d.span).toMatchObject({ line: 5, column: 16 }); // the `J` in `data y: real[J]`
  });

  it("PPL3108: the second axis, a literal size and a size expression", () => {
    const typed = typedModel("model M {\n  data K: int\n  data X: real[2, 3]\n  data a: real[K - 1]\n}");
    const r = checkData(typed, { K: 4, X: [[1, 2], [3, 4]], a: [1, 2] });
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs).toContain("data 'X' has 2 elements along its second axis but its declaration says 3");
    expect(msgs).toContain("data 'a' has 2 elements along its first axis but K - 1 = 3");
  });

  it("PPL3108: a transposed matrix is recognised", () => {
    const r = checkData(example("linreg"), { N: 3, D: 2, X: [[1, 2, 3], [4, 5, 6]], y: [1, 2, 3], sigma: 1 });
    const d = only(r, DATA_CODES.shapeMismatch);
    expect(d.message).toBe("data 'X' has 2 elements along its first axis but N = 3");
    expect(d.hint).toBe("'X' looks transposed: give it as N rows of D values");
  });

  it("PPL3108: the wrong number of axes", () => {
    const r1 = checkData(EIGHT, { ...EIGHT_DATA, y: 3 });
    expect(only(r1, DATA_CODES.shapeMismatch).message).toBe("data 'y' is declared real[J] (1 axis) but the data gives a single number");
    const r2 = checkData(EIGHT, { ...EIGHT_DATA, J: [8] });
    const d = only(r2, DATA_CODES.shapeMismatch);
    expect(d.message).toBe("data 'J' is declared int<lower=1> (a scalar) but the data gives an array of shape [1]");
    expect(d.hint).toBe("give 'J' as a plain number, not an array");
  });

  it("PPL3109: ragged nested arrays", () => {
    const r = checkData(example("linreg"), { N: 3, D: 2, X: [[1, 2], [3], [5, 6]], y: [1, 2, 3], sigma: 1 });
    expect(only(r, DATA_CODES.raggedData).message).toBe("data 'X' is ragged: X[1] has 1 element but X[0] has 2");
    const r2 = checkData(example("linreg"), { N: 2, D: 2, X: [[1, 2], 3], y: [1, 2], sigma: 1 });
    expect(only(r2, DATA_CODES.raggedData).message).toBe("data 'X' is ragged: X[1] is 3 but X[0] is an array of 2");
  });

  it("PPL3110: a value outside its declared constraint: which element, the value, the constraint in words", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, sigma: [15, 10, -16, 11, 9, 11, -1, 18] });
    const d = only(r, DATA_CODES.constraintViolation);
    expect(d.message).toBe("data 'sigma' must be non-negative, but sigma[2] = -16 (and 1 more element)");
    expect(d.span!.line).toBe(6);
    const r2 = checkData(EIGHT, { ...EIGHT_DATA, J: 0, y: [], sigma: [] });
    expect(only(r2, DATA_CODES.constraintViolation).message).toBe("data 'J' must be an integer of at least 1, but J = 0");
  });

  it("PPL3110: integer bounds from other data, and structured constraints", () => {
    const typed = typedModel("model M {\n  data K: int\n  data z: int<lower=0, upper=K-1>[3]\n  data w: simplex[2, K]\n  data o: ordered[K]\n}");
    const good = { K: 3, z: [0, 2, 1], w: [[0.2, 0.3, 0.5], [1, 0, 0]], o: [-1, 0, 1] };
    ok(checkData(typed, good));
    expect(only(checkData(typed, { ...good, z: [0, 3, 1] }), DATA_CODES.constraintViolation).message).toBe(
      "data 'z' must be an integer from 0 to 2, but z[1] = 3",
    );
    expect(only(checkData(typed, { ...good, w: [[0.2, 0.3, 0.5], [0.5, 0.4, 0]] }), DATA_CODES.constraintViolation).message).toMatch(
      /^data 'w' must be a simplex \(non-negative, summing to 1\), but w\[1\] sums to 0\.9/,
    );
    expect(only(checkData(typed, { ...good, o: [0, 0, 1] }), DATA_CODES.constraintViolation).message).toContain("o is not strictly increasing");
  });

  it("PPL3111: a non-integer for int", () => {
    const r = checkData(example("coin"), { N: 3, y: [0, 0.5, 1] });
    const d = only(r, DATA_CODES.notInteger);
    expect(d.message).toBe("data 'y' is declared int, but y[1] = 0.5 is not an integer");
    const r2 = checkData(example("coin"), { N: 1, y: [3e10] });
    expect(only(r2, DATA_CODES.notInteger).message).toContain("too large for a 32-bit integer");
    // A fractional size cannot size anything: no cascade of shape errors.
    const r3 = checkData(EIGHT, { ...EIGHT_DATA, J: 8.5 });
    expect(codes(r3)).toEqual([DATA_CODES.notInteger]);
  });

  it("PPL3112: a non-boolean for bool", () => {
    const typed = typedModel("model M {\n  data b: bool[3]\n}");
    const d = only(checkData(typed, { b: [true, 2, false] }), DATA_CODES.notBoolean);
    expect(d.message).toBe("data 'b' is declared bool, but b[1] is 2");
  });

  it("PPL3113: NaN, Infinity and null in numeric data", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, y: [28, NaN, -3, 7, -1, 1, null, 12] });
    expect(only(r, DATA_CODES.notFinite).message).toBe("data 'y': y[1] is NaN (and 1 more element)");
    const r2 = checkData(EIGHT, { ...EIGHT_DATA, y: [28, 8, null, 7, -1, 1, 18, Infinity] });
    expect(only(r2, DATA_CODES.notFinite).message).toBe("data 'y': y[2] is missing (null) (and 1 more element)");
  });

  it("PPL3105: strings and objects where numbers are expected", () => {
    const r = checkData(EIGHT, { ...EIGHT_DATA, y: ["28", 8, -3, 7, -1, 1, 18, 12] });
    const d = only(r, DATA_CODES.unsupportedValue);
    expect(d.message).toBe('data \'y\': y[0] is the string "28", not a number');
    expect(d.hint).toBe("write numbers without quotes");
    const r2 = checkData(EIGHT, { ...EIGHT_DATA, sigma: { a: 1 } });
    expect(only(r2, DATA_CODES.unsupportedValue).message).toBe("data 'sigma': sigma is an object, not an array of numbers");
  });

  it("PPL3114: a size expression that is not a non-negative integer", () => {
    const typed = typedModel("model M {\n  data N: int\n  data h: real[N / 2]\n  data g: real[N - 5]\n}");
    const r = checkData(typed, { N: 3, h: [1], g: [] });
    const msgs = r.diagnostics.filter((d) => d.code === DATA_CODES.badSize).map((d) => d.message);
    expect(msgs).toEqual(["the size N / 2 of data 'h' is 1.5, not a non-negative integer", "the size N - 5 of data 'g' is -2, not a non-negative integer"]);
  });

  it("PPL3104: data that is not an object", () => {
    expect(codes(checkData(EIGHT, [1, 2] as unknown as Record<string, unknown>))).toEqual([DATA_CODES.dataNotObject]);
  });

  it("reports every problem at once", () => {
    const r = checkData(EIGHT, { J: 8, y: [1, 2], sigma: [1, 2, 3, 4, 5, 6, 7, -8], extra: 1 });
    expect(codes(r).sort()).toEqual([DATA_CODES.extraData, DATA_CODES.shapeMismatch, DATA_CODES.constraintViolation].sort());
  });
});

// ---------------------------------------------------------------------------------------------

describe("loading data files", () => {
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };

  it("PPL3101: a missing file", () => {
    const r = loadDataFile(join(tmp, "nope.json"));
    expect(codes(r)).toEqual([DATA_CODES.dataFileUnreadable]);
    expect(r.diagnostics[0]!.message).toMatch(/not found/);
    expect(renderDiagnostic(r.diagnostics[0]!)).toContain(`--> ${join(tmp, "nope.json")}`);
    expect(codes(loadDataFile(tmp))).toEqual([DATA_CODES.dataFileUnreadable]);
  });

  it("PPL3102: malformed JSON points at the line and column inside the data file", () => {
    const p = write("bad.json", '{\n  "J": 8,\n  "y": [28, 8, -3,, 7]\n}\n');
    const r = loadDataFile(p);
    const d = only(r, DATA_CODES.malformedJson);
    expect(d.file!.name).toBe(p);
    expect(d.message).toMatch(/expected a value/);
    expect(d.span).toMatchObject({ line: 3, column: 19 });
    const shown = renderDiagnostic(d);
    expect(shown).toContain(`${p}:3:19`);
    expect(shown).toContain('3 |   "y": [28, 8, -3,, 7]');
    expect(shown).toContain("  |                   ^\n");
  });

  it.each([
    ['{"a": 1,}', 1, 8, /trailing comma/],
    ['{"a": 1', 1, 8, /expected ',' or '}'/],
    ["{'a': 1}", 1, 2, /double quotes/],
    ['{"a": [1, 2}', 1, 12, /expected ',' or ']'/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
    ['{"a": "x\n"}', 1, 9, /line break/],
    ["", 1, 1, /end of the file/],
  ])("PPL3102: %j", (text, line, column, pattern) => {
    const r = parseData({ name: "d.json", text });
    const d = only(r, DATA_CODES.malformedJson);
    expect(d.message).toMatch(pattern);
    expect(d.span).toMatchObject({ line, column });
  });

  it("PPL3104: JSON that is not an object", () => {
    const r = parseData({ name: "d.json", text: "[1, 2, 3]" });
    expect(only(r, DATA_CODES.dataNotObject).message).toBe("the data in d.json is an array, not an object of named values");
  });

  it("accepts NaN and Infinity tokens (as Python writes them) and reports them in the check", () => {
    const p = write("nan.json", '{"J": 8, "y": [28, NaN, -3, 7, -1, 1, 18, -Infinity], "sigma": [15, 10, 16, 11, 9, 11, 10, 18]}');
    const loaded = loadDataFile(p);
    expect(loaded.diagnostics).toEqual([]);
    const r = checkData(EIGHT, loaded.value!.values, loaded.value!.file);
    const d = only(r, DATA_CODES.notFinite);
    expect(d.message).toBe("data 'y': y[1] is NaN (and 1 more element)");
    // The model's declaration, and a note pointing at 'y' in the data file.
    expect(d.related![0]!.file!.name).toBe(p);
    expect(d.related![0]!.span).toMatchObject({ line: 1, column: 10 });
  });

  it("PPL3107 points into the data file", () => {
    const p = write("extra.json", '{"J": 8,\n "y": [28, 8, -3, 7, -1, 1, 18, 12],\n "sigma": [15, 10, 16, 11, 9, 11, 10, 18],\n "sigmaa": 1}');
    const loaded = loadDataFile(p);
    const d = only(checkData(EIGHT, loaded.value!.values, loaded.value!.file), DATA_CODES.extraData);
    // At the declaration meant, with a note at the name in the data file.
    expect(d.file).toBeUndefined();
    expect(d.span!.line).toBe(6);
    expect(d.related![0]!.file!.name).toBe(p);
    expect(d.related![0]!.span).toMatchObject({ line: 4, column: 2 });
    expect(d.hint).toBe("did you mean 'sigma'?");
    // Without a likely typo: at the name in the data file.
    const w = only(checkData(EIGHT, { ...loaded.value!.values, sigmaa: undefined, unrelated: 1 }, { name: p, text: '{"unrelated": 1}' }), DATA_CODES.extraData);
    expect(w.file!.name).toBe(p);
    expect(w.span).toMatchObject({ line: 1, column: 2 });
  });

  it("reads CSV columns as vectors and X.0, X[1] columns as a matrix", () => {
    const p = write("lin.csv", "y,X.0,X.1,X[2]\n1.5,1,2,3\n2.5,4,5,6\n");
    const loaded = loadDataFile(p);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.value!.values).toEqual({ y: [1.5, 2.5], X: [[1, 2, 3], [4, 5, 6]] });
    // N and D are not in a CSV: they come from the shapes.
    const b = ok(checkData(example("linreg"), { ...loaded.value!.values, sigma: 1 }));
    expect(b.sizes.get("N")).toBe(2);
    expect(b.sizes.get("D")).toBe(3);
  });

  it("reads TSV, booleans and missing cells", () => {
    const loaded = loadDataFile(write("t.tsv", "a\tb\n1\ttrue\n\tfalse\n"));
    expect(loaded.value!.values).toEqual({ a: [1, null], b: [true, false] });
  });

  it("PPL3103: malformed CSV", () => {
    const bad = (text: string) => only(parseData({ name: "d.csv", text }), DATA_CODES.malformedCsv);
    const cell = bad("a,b\n1,2\n3,x\n");
    expect(cell.message).toBe("malformed CSV in d.csv: the value 'x' in column 'b' (row 2) is not a number");
    expect(cell.span!.line).toBe(3);
    expect(bad("a,b\n1,2,3\n").span!.line).toBe(2);
    expect(bad("X.0,X.2\n1,2\n").message).toMatch(/numbered 0 to 1, but index 1 is missing/);
    expect(bad("a,a\n1,2\n").message).toMatch(/twice/);
    expect(bad("").message).toMatch(/empty/);
  });
});
