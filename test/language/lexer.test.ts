/** The lexer: token kinds, keywords against identifiers, numbers, operators, comments, errors. */
import { describe, expect, it } from "vitest";
import { lex } from "../../language/lexer.js";
import { KEYWORDS } from "../../language/tokens.js";

const kinds = (text: string): string[] => lex({ name: "t.ppl", text }).tokens.map((t) => t.tokenType.name);
const images = (text: string): string[] => lex({ name: "t.ppl", text }).tokens.map((t) => t.image);
const diags = (text: string) => lex({ name: "t.ppl", text }).diagnostics;

describe("lexer", () => {
  it("lexes a small model", () => {
    const text = 'import { MLP } from "stdlib/nn"\nmodel M(K: int = 3) { data y: real<lower=0>[K]; y ~ Normal(0, 1) }';
    expect(diags(text)).toEqual([]);
    expect(images(text)).toEqual([
      "import", "{", "MLP", "}", "from", '"stdlib/nn"',
      "model", "M", "(", "K", ":", "int", "=", "3", ")", "{",
      "data", "y", ":", "real", "<", "lower", "=", "0", ">", "[", "K", "]", ";",
      "y", "~", "Normal", "(", "0", ",", "1", ")", "}",
    ]);
  });

  it("tells keywords from identifiers that start with one", () => {
    expect(kinds("in int input integer models model_x for format real realistic")).toEqual([
      "In", "Int", "Identifier", "Identifier", "Identifier", "Identifier", "For", "Identifier", "Real", "Identifier",
    ]);
    expect(kinds("positive_ordered ordered cholesky_cov cholesky_corr cov_matrix simplex bool")).toEqual([
      "PositiveOrdered", "Ordered", "CholeskyCov", "CholeskyCorr", "CovMatrix", "Simplex", "Bool",
    ]);
    for (const k of KEYWORDS) expect(kinds(k)).not.toEqual(["Identifier"]);
    // `lower` and `upper` are ordinary identifiers.
    expect(kinds("lower upper")).toEqual(["Identifier", "Identifier"]);
  });

  it("lexes every number form of the grammar", () => {
    expect(images("3 3.0 0.5 .5 1e-3 2.5E+4 10e5")).toEqual(["3", "3.0", "0.5", ".5", "1e-3", "2.5E+4", "10e5"]);
    expect(kinds("3 .5 1e-3")).toEqual(["NumberLiteral", "NumberLiteral", "NumberLiteral"]);
  });

  it("lexes ranges without eating the dots into numbers", () => {
    expect(images("0..N")).toEqual(["0", "..", "N"]);
    expect(images("1..2")).toEqual(["1", "..", "2"]);
    expect(images("1.5..x")).toEqual(["1.5", "..", "x"]);
  });

  it("lexes multi-character operators before their prefixes", () => {
    expect(images("a->b <= >= == != && || < > = ! - + * / % @ ^ ~ ? :")).toEqual([
      "a", "->", "b", "<=", ">=", "==", "!=", "&&", "||", "<", ">", "=", "!", "-", "+", "*", "/", "%", "@", "^", "~", "?", ":",
    ]);
    expect(images("x--y")).toEqual(["x", "-", "-", "y"]);
  });

  it("skips comments and whitespace, newlines included", () => {
    expect(images("a // line comment\n/* block\n comment */ b /**/ c /* * / ** */ d\r\n\te")).toEqual(["a", "b", "c", "d", "e"]);
    expect(diags("a // x\n b")).toEqual([]);
  });

  it("reports one diagnostic per run of bad characters", () => {
    const ds = diags("model M { $$$ x # y }");
    expect(ds.map((d) => d.code)).toEqual(["PPL1001", "PPL1001"]);
    expect(ds[0]!.message).toContain("'$$$'");
    expect(ds[0]!.span).toMatchObject({ start: 10, end: 13, line: 1, column: 11 });
    expect(ds[1]!.message).toContain("'#'");
    expect(ds[1]!.hint).toContain("//");
  });

  it("points at the right line and column", () => {
    const ds = diags("model M {\n  latent x: real\n    $ \n}");
    expect(ds).toHaveLength(1);
    expect(ds[0]!.span).toMatchObject({ line: 3, column: 5, endLine: 3, endColumn: 6 });
  });

  it("reports non-ASCII names with a hint", () => {
    const ds = diags("latent σ: real");
    expect(ds[0]!.code).toBe("PPL1001");
    expect(ds[0]!.hint).toContain("ASCII");
  });

  it("reports an unterminated block comment with its own code", () => {
    const ds = diags("model M {\n  /* never closed\n}\n");
    expect(ds.map((d) => d.code)).toEqual(["PPL1002"]);
    expect(ds[0]!.span).toMatchObject({ line: 2, column: 3 });
  });

  it("reports an unterminated string with its own code, keeping a string token", () => {
    const r = lex({ name: "t", text: 'import { A } from "stdlib/nn\nmodel M {}' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PPL1003"]);
    expect(r.tokens.map((t) => t.image)).toContain('"stdlib/nn');
    expect(r.tokens.map((t) => t.image)).toContain("model");
  });

  it("lexes strings with escapes", () => {
    expect(images('"a\\"b" "c\\\\"')).toEqual(['"a\\"b"', '"c\\\\"']);
  });

  it("handles empty and whitespace-only input", () => {
    expect(lex({ name: "e", text: "" }).tokens).toEqual([]);
    expect(lex({ name: "e", text: " \n\t\r\n" }).tokens).toEqual([]);
  });
});
