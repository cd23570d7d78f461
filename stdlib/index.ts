/** The stdlib's public surface. */
export * from "./constraints.js";
export * from "./bijectors/index.js";
export * from "./kl/index.js";
export * from "./info/index.js";
export * from "./distributions/index.js";
export * from "./nn/index.js";
export { INFO_FUNCTIONS, MATH_FUNCTIONS, stdlibModules } from "./modules.js";
export { stdlibSignatures, type StdlibSignatures } from "./signatures.js";
export * from "./tensor/index.js";
export * from "./expfam/index.js";
export * from "./conjugacy/index.js";
