/**
 * The token vocabulary of `.ppl` files. Order matters: Chevrotain tries the patterns in the order
 * of `allTokens` and keeps the first match, so longer operators come before their prefixes
 * (`->` before `-`, `<=` before `<`), and keywords use `longer_alt: Identifier` so that `models`
 * or `integer` lex as identifiers. Every token has a `label`: the parser's error messages print
 * it ("expected ')' but found 'x'").
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

// ---------------------------------------------------------------------------------------------
// Trivia

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff\u2028\u2029]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** A `/*` that never closes: reported by the lexer, then dropped. */
export const UnterminatedBlockComment = createToken({
  name: "UnterminatedBlockComment",
  pattern: /\/\*[\s\S]*/,
  group: "unterminated",
  line_breaks: true,
});

// ---------------------------------------------------------------------------------------------
// Literals and names

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "an identifier" });

/** `3`, `3.0`, `.5`, `1e-3`, `2.5E+4`. No trailing point, so `0..N` lexes as `0`, `..`, `N`. */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: "a number",
});

export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  label: "a string",
});
/**
 * A string missing its closing quote (up to the end of the line). It is a StringLiteral by
 * category so the parser accepts it and only the lexer's diagnostic is reported.
 */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  categories: [StringLiteral],
  label: "a string",
});

// ---------------------------------------------------------------------------------------------
// Keywords

function keyword(word: string, categories: TokenType[] = []): TokenType {
  const name = word
    .split("_")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories, label: `'${word}'` });
}

/** `data`, `latent`, `param`: the declarations that need a type. */
export const DeclRoleKeyword = createToken({ name: "DeclRoleKeyword", pattern: Lexer.NA, label: "'data', 'latent' or 'param'" });
/** The tensor element kinds. */
export const BaseTypeKeyword = createToken({ name: "BaseTypeKeyword", pattern: Lexer.NA, label: "a type" });

export const Model = keyword("model");
export const Import = keyword("import");
export const From = keyword("from");
export const Data = keyword("data", [DeclRoleKeyword]);
export const Latent = keyword("latent", [DeclRoleKeyword]);
export const Param = keyword("param", [DeclRoleKeyword]);
export const Let = keyword("let");
export const For = keyword("for");
export const In = keyword("in");
export const Guide = keyword("guide");
export const Factor = keyword("factor");
export const True = keyword("true");
export const False = keyword("false");
export const Int = keyword("int", [BaseTypeKeyword]);
export const Real = keyword("real", [BaseTypeKeyword]);
export const Bool = keyword("bool", [BaseTypeKeyword]);
export const Simplex = keyword("simplex", [BaseTypeKeyword]);
export const Ordered = keyword("ordered", [BaseTypeKeyword]);
export const PositiveOrdered = keyword("positive_ordered", [BaseTypeKeyword]);
export const CovMatrix = keyword("cov_matrix", [BaseTypeKeyword]);
export const CholeskyCov = keyword("cholesky_cov", [BaseTypeKeyword]);
export const CholeskyCorr = keyword("cholesky_corr", [BaseTypeKeyword]);

/** Longest first, so a keyword that is a prefix of another (`in`, `int`) never wins early. */
export const keywordTokens: readonly TokenType[] = [
  Model, Import, From, Data, Latent, Param, Let, For, In, Guide, Factor, True, False,
  Int, Real, Bool, Simplex, Ordered, PositiveOrdered, CovMatrix, CholeskyCov, CholeskyCorr,
].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length);

export const KEYWORDS: ReadonlySet<string> = new Set(keywordTokens.map((t) => (t.PATTERN as RegExp).source));

// ---------------------------------------------------------------------------------------------
// Operators and punctuation

// Categories (no pattern of their own), so the grammar consumes "any binary operator" in one
// step and the CST keeps the operators in source order.

/** Every binary operator except `^`; the visitor knows their precedences. */
export const BinaryOp = createToken({ name: "BinaryOp", pattern: Lexer.NA, label: "a binary operator" });
/** `+ - * / % @`: the operators allowed in sizes and bounds. */
export const ArithmeticOp = createToken({ name: "ArithmeticOp", pattern: Lexer.NA, label: "an arithmetic operator" });
/** `- + !` in prefix position. */
export const UnaryOp = createToken({ name: "UnaryOp", pattern: Lexer.NA, label: "'-', '+' or '!'" });

const punct = (name: string, image: string, categories: TokenType[] = []): TokenType =>
  createToken({
    name,
    pattern: new RegExp(image.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")),
    label: `'${image}'`,
    categories,
  });

export const Arrow = punct("Arrow", "->");
export const DotDot = punct("DotDot", "..");
export const OrOr = punct("OrOr", "||", [BinaryOp]);
export const AndAnd = punct("AndAnd", "&&", [BinaryOp]);
export const EqEq = punct("EqEq", "==", [BinaryOp]);
export const NotEq = punct("NotEq", "!=", [BinaryOp]);
export const LtEq = punct("LtEq", "<=", [BinaryOp]);
export const GtEq = punct("GtEq", ">=", [BinaryOp]);
export const Lt = punct("Lt", "<", [BinaryOp]);
export const Gt = punct("Gt", ">", [BinaryOp]);
export const Equals = punct("Equals", "=");
export const Plus = punct("Plus", "+", [UnaryOp, BinaryOp, ArithmeticOp]);
export const Minus = punct("Minus", "-", [UnaryOp, BinaryOp, ArithmeticOp]);
export const Bang = punct("Bang", "!", [UnaryOp]);
export const Star = punct("Star", "*", [BinaryOp, ArithmeticOp]);
export const Slash = punct("Slash", "/", [BinaryOp, ArithmeticOp]);
export const Percent = punct("Percent", "%", [BinaryOp, ArithmeticOp]);
export const At = punct("At", "@", [BinaryOp, ArithmeticOp]);
export const Caret = punct("Caret", "^");
export const Tilde = punct("Tilde", "~");
export const Question = punct("Question", "?");
export const Colon = punct("Colon", ":");
export const Semicolon = punct("Semicolon", ";");
export const Comma = punct("Comma", ",");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");

/** In lexing order. */
export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  ...keywordTokens,
  Identifier,
  Arrow,
  DotDot,
  OrOr,
  AndAnd,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  Plus,
  Minus,
  Bang,
  Star,
  Slash,
  Percent,
  At,
  Caret,
  Tilde,
  Question,
  Colon,
  Semicolon,
  Comma,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  // Categories (no pattern) must be listed so the parser knows them.
  DeclRoleKeyword,
  BaseTypeKeyword,
  UnaryOp,
  BinaryOp,
  ArithmeticOp,
];

/** Tokens that carry no content, so error recovery may pretend a missing one was there. */
export const insertableTokens: ReadonlySet<TokenType> = new Set([
  Arrow, DotDot, Equals, Tilde, Colon, Comma, Gt, In, From, RParen, RBracket, RBrace, LParen, LBracket, LBrace,
]);
