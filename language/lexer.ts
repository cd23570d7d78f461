/**
 * The lexer: one Chevrotain Lexer instance, and `lex`, which turns its errors and its
 * "unterminated" group into PPL1xxx diagnostics. Positions come from offsets through LineIndex,
 * so lines and columns agree with every other phase (Chevrotain's own line tracking is off).
 */
import { Lexer, type IToken } from "chevrotain";
import type { Diagnostic } from "./diagnostics.js";
import { LineIndex, type SourceFile } from "./span.js";
import { allTokens, UnterminatedBlockComment, UnterminatedString } from "./tokens.js";
import { unexpectedCharacters, unterminatedBlockComment, unterminatedString } from "./errors/syntax.js";

export const pplLexer = new Lexer([...allTokens], {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
});

export interface LexResult {
  /** The tokens the parser sees (no whitespace or comments). */
  readonly tokens: IToken[];
  readonly diagnostics: Diagnostic[];
  readonly lines: LineIndex;
}

export function lex(file: SourceFile, lines: LineIndex = new LineIndex(file.text)): LexResult {
  const text = file.text;
  const result = pplLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of result.errors) {
    const start = e.offset;
    const end = Math.min(text.length, e.offset + Math.max(1, e.length));
    diagnostics.push(unexpectedCharacters(text.slice(start, end), lines.span(start, end)));
  }
  for (const t of result.groups["unterminated"] ?? []) {
    if (t.tokenType === UnterminatedBlockComment) {
      diagnostics.push(unterminatedBlockComment(lines.span(t.startOffset, Math.min(t.startOffset + 2, text.length))));
    }
  }
  for (const t of result.tokens) {
    if (t.tokenType === UnterminatedString) {
      diagnostics.push(unterminatedString(lines.span(t.startOffset, t.startOffset + t.image.length)));
    }
  }
  diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
  return { tokens: result.tokens, diagnostics, lines };
}
