/** The stdlib's public surface. */
export * from "./constraints.js";
export * from "./distributions/index.js";
export * from "./nn/index.js";
export { INFO_FUNCTIONS, MATH_FUNCTIONS, stdlibModules } from "./modules.js";
export { stdlibSignatures, type StdlibSignatures } from "./signatures.js";
