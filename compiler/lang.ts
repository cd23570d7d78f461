/**
 * The one place compiler/ reaches into language/, through its public surface; the rest of
 * compiler/ imports "./lang.js".
 */
export * from "../language/index.js";
