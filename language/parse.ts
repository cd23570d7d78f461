/**
 * The front door of the front end: source text -> AST, with every syntax error found in one run.
 *
 *   lex -> nesting guard -> parse (with recovery) -> CST-to-AST
 *
 * With syntax errors the AST is still returned, built from what recovery kept (constructs missing
 * a required part are left out), so tools can keep working; later phases should not run on it.
 * No value is returned when the input is too large (PPL1006), too deeply nested (PPL1004), or so
 * broken that the parser gave up after MAX_PARSE_ERRORS errors (PPL1099 note).
 */
import { EOF, type IRecognitionException, type IToken } from "chevrotain";
import type { Program } from "./ast.js";
import { internalError, sortDiagnostics, type Diagnostic, type PhaseResult } from "./diagnostics.js";
import { LineIndex, type SourceFile, type Span } from "./span.js";
import { lex } from "./lexer.js";
import { parseTokens, pplParser } from "./parser.js";
import { cstToAst } from "./cst-to-ast.js";
import * as T from "./tokens.js";
import {
  expectedAtLeastOne,
  expectedToken,
  fileTooLarge,
  nestedTooDeeply,
  noViableAlternative,
  strayTopLevel,
  tooManyErrors,
  type SyntaxContext,
} from "./errors/syntax.js";

/** Deepest bracket (or ternary) nesting handed to the recursive-descent parser. */
export const MAX_NESTING = 256;
/**
 * Longest source accepted (UTF-16 units). Real models are a few kilobytes; the concrete syntax
 * tree of a multi-megabyte file costs seconds and gigabytes, so it is refused up front.
 */
export const MAX_SOURCE_LENGTH = 512 * 1024;
/** At most this many errors are reported, then a note. */
export const MAX_ERRORS = 50;

export function parse(file: SourceFile): PhaseResult<Program> {
  const lines = new LineIndex(file.text.length > MAX_SOURCE_LENGTH ? "" : file.text);
  try {
    return parseWith(file, lines);
  } catch (err) {
    return { diagnostics: [internalError(err)] };
  }
}

function parseWith(file: SourceFile, lines: LineIndex): PhaseResult<Program> {
  if (file.text.length > MAX_SOURCE_LENGTH) {
    return { diagnostics: [fileTooLarge(file.text.length, MAX_SOURCE_LENGTH, lines.span(0, 0))] };
  }
  const lexed = lex(file, lines);
  const lexDiags = lexed.diagnostics;

  const tooDeep = checkNesting(lexed.tokens, lines);
  if (tooDeep) return { diagnostics: finish([...lexDiags, tooDeep]) };

  let cst;
  try {
    cst = parseTokens(lexed.tokens);
  } catch (err) {
    // A backstop: the guard above should keep the parser well within the stack.
    if (err instanceof RangeError) {
      return { diagnostics: finish([...lexDiags, nestedTooDeeply(MAX_NESTING + 1, MAX_NESTING, lines.span(0, 0))]) };
    }
    throw err;
  }
  // After an unterminated comment, "found end of file" errors only echo the lexer's diagnostic.
  const eofEchoes = lexDiags.some((d) => d.code === "PPL1002");
  const parseDiags = convertParseErrors(pplParser.errors, lines, file.text.length, eofEchoes);
  pplParser.input = []; // release the token vector

  // The parser gave up on hopeless input: report what it found, and no tree.
  if (!cst) {
    const last = parseDiags[parseDiags.length - 1]?.span ?? lines.span(0, 0);
    return { diagnostics: finish([...lexDiags, ...onePerLine(lexDiags, parseDiags)], tooManyErrors(last)) };
  }

  const { program, diagnostics: astDiags } = cstToAst(cst, file.text);
  return { value: program, diagnostics: finish([...lexDiags, ...onePerLine(lexDiags, [...parseDiags, ...astDiags])]) };
}

/** One error per line: after the first, the rest of a broken line is mostly recovery noise. */
function onePerLine(lexDiags: readonly Diagnostic[], later: readonly Diagnostic[]): Diagnostic[] {
  const busyLines = new Set<number>();
  for (const d of lexDiags) if (d.span) busyLines.add(d.span.line);
  const kept: Diagnostic[] = [];
  for (const d of later) {
    const line = d.span?.line ?? -1;
    if (busyLines.has(line)) continue;
    busyLines.add(line);
    kept.push(d);
  }
  return kept;
}

/** Sorts and caps the diagnostics; `gaveUp` is the note to add when parsing stopped early. */
function finish(ds: Diagnostic[], gaveUp?: Diagnostic): Diagnostic[] {
  const sorted = sortDiagnostics(ds);
  const errors = sorted.filter((d) => d.severity === "error");
  if (errors.length <= MAX_ERRORS && !gaveUp) return sorted;
  const shown = errors.slice(0, MAX_ERRORS);
  const last = shown[shown.length - 1]?.span ?? gaveUp?.span;
  return [...shown, tooManyErrors(last)];
}

// ---------------------------------------------------------------------------------------------
// Nesting guard

const OPEN_PAREN = 1;
const OPEN_BRACKET = 2;
const OPEN_BRACE = 3;
const OPEN_QUESTION = 4;

/**
 * The parser recurses once per open bracket (and per ternary `?` awaiting its `:`), so the depth
 * is measured on the token stream first. A `?` closes at its `:` or with the bracket around it.
 */
function checkNesting(tokens: readonly IToken[], lines: LineIndex): Diagnostic | undefined {
  const stack: number[] = [];
  for (const t of tokens) {
    const tt = t.tokenType;
    let opened = 0;
    if (tt === T.LParen) opened = OPEN_PAREN;
    else if (tt === T.LBracket) opened = OPEN_BRACKET;
    else if (tt === T.LBrace) opened = OPEN_BRACE;
    else if (tt === T.Question) opened = OPEN_QUESTION;
    if (opened) {
      stack.push(opened);
      if (stack.length > MAX_NESTING) {
        let depth = stack.length;
        // Report how deep it goes, not just that the limit was passed.
        let d = depth;
        for (let i = tokens.indexOf(t) + 1; i < tokens.length; i++) {
          const u = tokens[i]!.tokenType;
          if (u === T.LParen || u === T.LBracket || u === T.LBrace || u === T.Question) d++;
          else if (u === T.RParen || u === T.RBracket || u === T.RBrace || u === T.Colon) d--;
          if (d > depth) depth = d;
        }
        return nestedTooDeeply(depth, MAX_NESTING, lines.span(t.startOffset, t.startOffset + t.image.length));
      }
      continue;
    }
    if (tt === T.Colon) {
      if (stack[stack.length - 1] === OPEN_QUESTION) stack.pop();
      continue;
    }
    let closes = 0;
    if (tt === T.RParen) closes = OPEN_PAREN;
    else if (tt === T.RBracket) closes = OPEN_BRACKET;
    else if (tt === T.RBrace) closes = OPEN_BRACE;
    if (closes) {
      const at = stack.lastIndexOf(closes);
      if (at >= 0) stack.length = at;
      else while (stack[stack.length - 1] === OPEN_QUESTION) stack.pop();
      continue;
    }
    if (tt === T.Semicolon) while (stack[stack.length - 1] === OPEN_QUESTION) stack.pop();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parser errors -> diagnostics

const real = (t: IToken | undefined): t is IToken =>
  t !== undefined && t.tokenType !== EOF && t.isInsertedInRecovery !== true && Number.isFinite(t.startOffset);

const EXPRESSION_RULES = new Set([
  "expression", "additive", "unary", "powerOperand", "indexSuffix", "indexArg", "atom",
]);

function contextOf(ruleStack: readonly string[]): SyntaxContext {
  for (let i = ruleStack.length - 1; i >= 0; i--) {
    const r = ruleStack[i]!;
    if (EXPRESSION_RULES.has(r)) return "expression";
    if (r === "bounds" || r === "bound") return "bounds";
    if (r === "type" || r === "tensorType" || r === "networkType" || r === "namedArg") return "type";
    if (r === "importDecl") return "import";
    if (r === "modelDecl" || r === "modelArg") return "model";
    if (r === "block" || r.endsWith("Stmt") || r === "distCall") {
      return "statement";
    }
  }
  return "other";
}

interface RecognitionError extends IRecognitionException {
  readonly previousToken?: IToken;
}

function convertParseErrors(
  errors: readonly IRecognitionException[],
  lines: LineIndex,
  textLength: number,
  dropAtEof: boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  for (const raw of errors) {
    const e = raw as RecognitionError;
    const ruleStack = e.context?.ruleStack ?? [];
    const tok = e.token;
    if (dropAtEof && (!tok || tok.tokenType === EOF)) continue;
    const prev = e.previousToken;
    const topLevel = e.name === "NotAllInputParsedException" || (ruleStack.length <= 1 && e.name === "MismatchedTokenException");
    let span: Span;
    if (real(tok)) {
      const tokEnd = tok.startOffset + tok.image.length;
      span = lines.span(tok.startOffset, tokEnd);
      // Something missing at the end of a line is shown there, not at the next line's first token.
      if (!topLevel && real(prev)) {
        const prevEnd = prev.startOffset + prev.image.length;
        if (prevEnd <= tok.startOffset && lines.position(prevEnd).line < span.line) span = lines.span(prevEnd, prevEnd);
      }
    } else if (real(prev)) {
      const prevEnd = prev.startOffset + prev.image.length;
      span = lines.span(prevEnd, prevEnd);
    } else {
      span = lines.span(textLength, textLength);
    }
    if (seen.has(span.start)) continue;
    seen.add(span.start);
    const context = contextOf(ruleStack);
    if (topLevel) out.push(strayTopLevel(e.message, span));
    else if (e.name === "NoViableAltException") out.push(noViableAlternative(e.message, span, context));
    else if (e.name === "EarlyExitException") out.push(expectedAtLeastOne(e.message, span, context));
    else out.push(expectedToken(e.message, span, context));
  }
  return out;
}
