/** The public surface of language/: text -> tokens -> CST -> AST -> typed AST, and diagnostics. */
export * from "./span.js";
export * from "./diagnostics.js";
export * from "./ast.js";
export * from "./signatures.js";
export * from "./types.js";
export * from "./typed.js";
export { parse, MAX_NESTING, MAX_SOURCE_LENGTH, MAX_ERRORS } from "./parse.js";
export { lex, type LexResult } from "./lexer.js";
export { printProgram, printStatement, printExpr, printType, formatNumber } from "./printer.js";
export { typecheck, type TypecheckOptions } from "./typecheck.js";
export { foldNumbers } from "./typecheck/expressions.js";
export { combineDims } from "./typecheck/shapes.js";
export { BUILTINS, type Builtin } from "./builtins.js";
export { editDistance, nearestName, listNames } from "./suggest.js";
export { TYPE_ERROR_CODES } from "./errors/types.js";
