/**
 * The one place compiler/ reaches into language/. Everything the compiler needs from the front
 * end is re-exported here, so the rest of compiler/ imports "./lang.js" and the layer rule
 * (cross folders only through index.ts) is kept in a single line.
 */
// TEMPORARY until language/index.ts lands: then this becomes `export * from "../language/index.js"`.
export * from "../language/ast.js";
export * from "../language/span.js";
export * from "../language/diagnostics.js";
export * from "../language/signatures.js";
export * from "../language/typed.js";
export * from "../language/types.js";
export { printExpr } from "../language/printer.js";
export { parse } from "../language/parse.js";
export { typecheck, type TypecheckOptions } from "../language/typecheck.js";
