/**
 * PPL2xxx: names, types, shapes, networks and guides: the type checker's diagnostics. One
 * constructor per kind of mistake, each with a hint that says what to do. Shape errors live in
 * this band too (the checker finds them; PPL3xxx is left to lowering and the data check).
 */
import { makeDiagnostic, type Diagnostic, type RelatedInfo } from "../diagnostics.js";
import type { Span } from "../span.js";
import { listNames } from "../suggest.js";

const err = (code: string, message: string, span: Span | undefined, hint?: string, related?: readonly RelatedInfo[]): Diagnostic =>
  makeDiagnostic(code, "error", message, span, { ...(hint !== undefined ? { hint } : {}), ...(related ? { related } : {}) });
const warn = (code: string, message: string, span: Span | undefined, hint?: string, related?: readonly RelatedInfo[]): Diagnostic =>
  makeDiagnostic(code, "warning", message, span, { ...(hint !== undefined ? { hint } : {}), ...(related ? { related } : {}) });

const didYouMean = (s: string | undefined): string | undefined => (s === undefined ? undefined : `did you mean '${s}'?`);

/** Every code this file can produce, with what it means (docs and tests read this). */
export const TYPE_ERROR_CODES: Readonly<Record<string, string>> = {
  PPL2001: "undeclared name",
  PPL2002: "duplicate declaration",
  PPL2003: "unknown distribution",
  PPL2004: "name used before its declaration",
  PPL2005: "wrong number of arguments to a distribution",
  PPL2006: "distribution argument of the wrong element type (int expected)",
  PPL2007: "distribution argument violates its constraint (a constant)",
  PPL2008: "distribution argument not known to satisfy its constraint (warning)",
  PPL2009: "latent's declared constraint is not within its prior's support",
  PPL2010: "sample target's element type does not fit the distribution (int/real/bool)",
  PPL2011: "latent without a prior",
  PPL2012: "`~` on something that is not random (a let, param, argument or loop variable)",
  PPL2013: "target of `~` or `=` is not a declared name or an index of one",
  PPL2014: "assignment to something other than a let",
  PPL2015: "let with neither a type nor a value",
  PPL2016: "typed let never assigned",
  PPL2017: "size mismatch between operands",
  PPL2018: "sample target's shape does not match the distribution's",
  PPL2019: "matrix product with mismatched or missing axes",
  PPL2020: "too many indices",
  PPL2021: "index is not an int",
  PPL2022: "distribution argument with the wrong event rank",
  PPL2023: "operand of the wrong kind (bool where a number is needed, or the reverse)",
  PPL2024: "loop bound is not an int",
  PPL2025: "unknown network type",
  PPL2026: "layer size is not a positive int",
  PPL2027: "unknown network option",
  PPL2028: "invalid network option value",
  PPL2029: "wrong number of layers",
  PPL2030: "guide samples something that is not a model latent",
  PPL2031: "guide leaves latents out",
  PPL2032: "guide distribution's support does not fit the latent",
  PPL2033: "unknown module",
  PPL2034: "name not exported by the module",
  PPL2035: "invalid size expression",
  PPL2036: "factor of a non-numeric value",
  PPL2037: "unknown function",
  PPL2038: "wrong number of arguments to a function",
  PPL2039: "invalid function argument",
  PPL2040: "model not found",
  PPL2041: "invalid compile-time argument value",
  PPL2042: "statement not allowed here",
  PPL2043: "network used as a value, or a value called as a function",
  PPL2044: "index out of range",
  PPL2045: "value does not fit the declared type",
  PPL2046: "network input size mismatch",
  PPL2047: "invalid declared type (bounds or rank)",
  PPL2048: "statement nested too deeply to check",
};

// ---------------------------------------------------------------------------------------------
// Names

export function undeclaredName(name: string, span: Span, suggestion: string | undefined): Diagnostic {
  return err("PPL2001", `'${name}' is not declared`, span, didYouMean(suggestion) ?? `declare it first, e.g. \`data ${name}: real\` or \`latent ${name}: real\``);
}

export function duplicateDeclaration(name: string, span: Span, first: Span): Diagnostic {
  return err("PPL2002", `'${name}' is already declared`, span, "rename one of them; every name in a model is declared once", [
    { message: `'${name}' is first declared here`, span: first },
  ]);
}

export function unknownDistribution(name: string, span: Span, suggestion: string | undefined, known: readonly string[]): Diagnostic {
  return err("PPL2003", `unknown distribution '${name}'`, span, didYouMean(suggestion) ?? `known distributions include ${listNames(known, 10)}`);
}

export function useBeforeDeclaration(name: string, span: Span, declSpan: Span): Diagnostic {
  return err("PPL2004", `'${name}' is used before its declaration on line ${declSpan.line}`, span, `move the declaration of '${name}' above this line`, [
    { message: `'${name}' is declared here`, span: declSpan },
  ]);
}

export function unknownFunction(name: string, span: Span, suggestion: string | undefined): Diagnostic {
  return err("PPL2037", `unknown function '${name}'`, span, didYouMean(suggestion) ?? "see the list of built-in functions in docs/language.md");
}

export function unknownModule(module: string, span: Span, suggestion: string | undefined, known: readonly string[]): Diagnostic {
  return err("PPL2033", `unknown module "${module}"`, span, suggestion ? `did you mean "${suggestion}"?` : `the modules are ${known.map((m) => `"${m}"`).join(", ")}`);
}

export function notExported(name: string, module: string, span: Span, exports: readonly string[]): Diagnostic {
  return err("PPL2034", `module "${module}" has no export '${name}'`, span, exports.length ? `it exports ${listNames(exports, 12)}` : "it exports nothing");
}

export function modelNotFound(name: string | undefined, suggestion: string | undefined, models: readonly string[], span: Span | undefined): Diagnostic {
  if (name === undefined) return err("PPL2040", "the file declares no model", span, "add `model Name { ... }`");
  return err("PPL2040", `no model named '${name}' in this file`, span, didYouMean(suggestion) ?? (models.length ? `the file declares ${listNames(models)}` : "add `model Name { ... }`"));
}

// ---------------------------------------------------------------------------------------------
// Compile-time arguments

export function argWithoutValue(name: string, span: Span): Diagnostic {
  return err("PPL2041", `compile-time argument '${name}' has no value`, span, `give it a default (\`${name}: int = 3\`) or pass a value for '${name}' when compiling`);
}

export function argValueInvalid(name: string, span: Span, why: string): Diagnostic {
  return err("PPL2041", `compile-time argument '${name}' ${why}`, span, "compile-time arguments are constants: numbers or booleans, fixed when the model is compiled");
}

export function unknownArgOverride(name: string, model: string, span: Span | undefined, suggestion: string | undefined, args: readonly string[]): Diagnostic {
  return err("PPL2041", `model '${model}' has no argument '${name}'`, span, didYouMean(suggestion) ?? (args.length ? `its arguments are ${listNames(args)}` : "it takes no arguments"));
}

// ---------------------------------------------------------------------------------------------
// Distributions and `~`

export function distributionArity(dist: string, doc: string, expected: number, got: number, span: Span): Diagnostic {
  return err("PPL2005", `${dist} takes ${expected} argument${expected === 1 ? "" : "s"} but ${got} ${got === 1 ? "was" : "were"} given`, span, `use ${doc}`);
}

export function argumentNotInt(param: string, dist: string, got: string, span: Span): Diagnostic {
  return err("PPL2006", `argument '${param}' of ${dist} must be an int, got ${got}`, span, "pass an int: an int literal, int data or an int compile-time argument");
}

export function argumentViolatesConstraint(param: string, dist: string, must: string, reason: string, span: Span): Diagnostic {
  return err("PPL2007", `argument '${param}' of ${dist} must be ${must}, ${reason}`, span, `change the value so that it is ${must}`);
}

export function argumentConstraintWeak(param: string, dist: string, must: string, is: string, span: Span, hint: string): Diagnostic {
  return warn("PPL2008", `argument '${param}' of ${dist} must be ${must}, but this value is only known to be ${is}`, span, hint);
}

export function argumentEventRank(param: string, dist: string, rank: number, got: string, span: Span): Diagnostic {
  const what = rank === 1 ? "a vector" : rank === 2 ? "a matrix" : `a tensor of rank ${rank}`;
  return err("PPL2022", `argument '${param}' of ${dist} must be ${what}, got ${got}`, span, rank === 1 ? `pass a vector, e.g. \`rep(2.0, K)\` or a \`real[K]\` name` : `pass ${what}`);
}

export function latentOutsideSupport(name: string, declared: string, dist: string, support: string, suggestion: string, span: Span, declSpan: Span): Diagnostic {
  return err("PPL2009", `'${name}' is declared ${declared}, but its prior ${dist} only gives values that are ${support}`, span, `declare it as \`latent ${name}: ${suggestion}\``, [
    { message: `'${name}' is declared here`, span: declSpan },
  ]);
}

export function targetElementMismatch(what: string, type: string, dist: string, distKind: string, span: Span, hint: string): Diagnostic {
  return err("PPL2010", `${what} is ${type} but ${dist} is ${distKind}`, span, hint);
}

export function latentWithoutPrior(name: string, span: Span, network: boolean): Diagnostic {
  return err(
    "PPL2011",
    network ? `latent network '${name}' has no prior on its weights` : `latent '${name}' has no prior`,
    span,
    network ? `add \`${name} ~ Normal(0, 1)\` (a prior on every weight), or declare it \`param\` to point-estimate the weights` : `add \`${name} ~ Normal(0, 1)\` (or another prior), or declare it \`data\` if it is observed`,
  );
}

export function sampleNotRandom(name: string, role: string, span: Span): Diagnostic {
  const hint =
    role === "let"
      ? `'${name}' is a deterministic let; put the distribution on the variables it is computed from, or declare '${name}' as a latent`
      : role === "param"
        ? `'${name}' is a param (a point estimate without a prior); declare it \`latent\` to give it a prior`
        : `only latents and data can be on the left of \`~\``;
  return err("PPL2012", `cannot sample '${name}': it is ${role === "arg" ? "a compile-time argument" : role === "loop" ? "a loop variable" : role === "data" ? "data" : `a ${role}`}`, span, hint);
}

export function badTarget(op: "~" | "=", span: Span): Diagnostic {
  return op === "~"
    ? err("PPL2013", "the left of `~` must be a declared name or an index of one", span, "write `x ~ ...` or `x[i] ~ ...`; put computations on the right-hand side")
    : err("PPL2013", "the left of `=` must be a declared let or an index of one", span, "write `theta = ...` or `theta[j] = ...`");
}

export function sampleShapeMismatch(target: string, targetType: string, dist: string, distType: string, span: Span, related?: readonly RelatedInfo[]): Diagnostic {
  return err("PPL2018", `${target} is ${targetType} but ${dist} gives ${distType}`, span, "the distribution's arguments must broadcast to the target's shape; index the arguments or the target so their sizes agree", related);
}

// ---------------------------------------------------------------------------------------------
// Declarations and assignment

export function assignToNonLet(name: string, role: string, span: Span, declSpan: Span): Diagnostic {
  return err("PPL2014", `cannot assign to '${name}': it is ${role === "arg" ? "a compile-time argument" : role === "loop" ? "a loop variable" : `a ${role}`}`, span, role === "latent" ? `give '${name}' a distribution with \`${name} ~ ...\`, or compute a new value with \`let\`` : role === "data" ? `data is given at fit time; compute a new value with \`let new_${name} = ...\`` : `only a \`let\` can be assigned; declare a new \`let\``, [
    { message: `'${name}' is declared here`, span: declSpan },
  ]);
}

export function letWithoutTypeOrValue(name: string, span: Span): Diagnostic {
  return err("PPL2015", `let '${name}' has neither a type nor a value`, span, `write \`let ${name} = <expression>\`, or \`let ${name}: real[N]\` and assign its elements`);
}

export function letNeverDefined(name: string, span: Span): Diagnostic {
  return err("PPL2016", `let '${name}' is declared but never assigned`, span, `assign it (\`${name}[i] = ...\` in a loop, or \`${name} = ...\`), or remove it`);
}

export function valueDoesNotFit(what: string, got: string, expected: string, span: Span): Diagnostic {
  return err("PPL2045", `${what} is ${got} but ${expected} is expected`, span, "make the value's type and shape match the declaration");
}

export function misplaced(what: string, where: string, span: Span, hint: string): Diagnostic {
  return err("PPL2042", `${what} is not allowed ${where}`, span, hint);
}

export function badDeclaredType(message: string, span: Span, hint: string): Diagnostic {
  return err("PPL2047", message, span, hint);
}

// ---------------------------------------------------------------------------------------------
// Expressions and shapes

export function sizeMismatch(a: string, axisA: number, dimA: string, b: string, axisB: number, dimB: string, span: Span): Diagnostic {
  const sameAxis = axisA === axisB;
  return err(
    "PPL2017",
    `size mismatch: ${a} has ${dimA} along axis ${axisA} but ${b} has ${dimB}${sameAxis ? "" : ` along axis ${axisB}`}`,
    span,
    "operands broadcast from the last axis: each pair of sizes must be equal or 1",
  );
}

export function matmulMismatch(message: string, span: Span): Diagnostic {
  return err("PPL2019", message, span, "`A @ B` needs A's last size to equal B's first (for a vector) or second-to-last size");
}

export function tooManyIndices(what: string, rank: number, given: number, span: Span): Diagnostic {
  return err("PPL2020", `${what} has ${rank} ax${rank === 1 ? "is" : "es"} but ${given} ind${given === 1 ? "ex is" : "ices are"} given`, span, rank === 0 ? "a scalar cannot be indexed" : `use at most ${rank} ind${rank === 1 ? "ex" : "ices"}`);
}

export function nonIntIndex(got: string, span: Span): Diagnostic {
  return err("PPL2021", `an index must be an int, got ${got}`, span, "index with an int (a literal, a loop variable or int data); indices are 0-based");
}

export function indexOutOfRange(index: number, size: number, span: Span): Diagnostic {
  return err("PPL2044", `index ${index} is out of range for an axis of size ${size}`, span, `indices are 0-based: use 0 to ${size - 1}`);
}

export function operandKind(message: string, span: Span, hint: string): Diagnostic {
  return err("PPL2023", message, span, hint);
}

export function loopBoundNotInt(got: string, span: Span): Diagnostic {
  return err("PPL2024", `a loop bound must be an int, got ${got}`, span, "loop over int ranges: `for i in 0..N`");
}

export function badSize(message: string, span: Span): Diagnostic {
  return err("PPL2035", message, span, "sizes are int literals, int compile-time arguments, int data, and + - * / of them");
}

export function factorNotNumeric(got: string, span: Span): Diagnostic {
  return err("PPL2036", `factor needs a real value, got ${got}`, span, "factor adds a log density: pass a real expression (a tensor is summed)");
}

export function functionArity(name: string, doc: string, got: number, span: Span): Diagnostic {
  return err("PPL2038", `${name} does not take ${got} argument${got === 1 ? "" : "s"}`, span, `use ${doc}`);
}

export function functionArgument(message: string, span: Span, hint: string): Diagnostic {
  return err("PPL2039", message, span, hint);
}

// ---------------------------------------------------------------------------------------------
// Networks

export function unknownNetwork(name: string, span: Span, suggestion: string | undefined, known: readonly string[]): Diagnostic {
  return err("PPL2025", `unknown network type '${name}'`, span, didYouMean(suggestion) ?? (known.length ? `the network types are ${listNames(known)}` : "no network types are available"));
}

export function badLayerSize(got: string, span: Span): Diagnostic {
  return err("PPL2026", `a layer size must be a positive int, got ${got}`, span, "write sizes as positive int literals, int compile-time arguments or int data");
}

export function wrongLayerCount(network: string, got: number, min: number, max: number | undefined, span: Span): Diagnostic {
  const want = max === undefined ? `at least ${min}` : min === max ? `exactly ${min}` : `${min} to ${max}`;
  return err("PPL2029", `${network} takes ${want} layer sizes, got ${got}`, span, `write the sizes as an arrow chain, input first: \`${network}(20 -> 400 -> 784)\``);
}

export function unknownNetworkOption(option: string, network: string, span: Span, suggestion: string | undefined, options: readonly string[]): Diagnostic {
  return err("PPL2027", `${network} has no option '${option}'`, span, didYouMean(suggestion) ?? (options.length ? `its options are ${listNames(options)}` : `${network} takes no options`));
}

export function badNetworkOptionValue(option: string, network: string, got: string, span: Span, suggestion: string | undefined, values: readonly string[] | undefined): Diagnostic {
  const list = values && values.length ? `the values are ${listNames(values, 12)}` : undefined;
  return err("PPL2028", `invalid value ${got} for option '${option}' of ${network}`, span, [didYouMean(suggestion), list].filter((x) => x !== undefined).join("; ") || "see the network's documentation");
}

export function networkAsValue(name: string, span: Span): Diagnostic {
  return err("PPL2043", `'${name}' is a network, not a value`, span, `apply it to an input: \`${name}(x)\``);
}

export function notAFunction(name: string, what: string, span: Span): Diagnostic {
  return err("PPL2043", `'${name}' is ${what}, not a function or a network`, span, "only built-in functions and network-typed names can be called");
}

export function networkInputSize(name: string, expected: string, got: string, span: Span): Diagnostic {
  return err("PPL2046", `network '${name}' takes inputs of size ${expected} along the last axis, got ${got}`, span, `the first size in the network's type is its input size; make it match, or reshape the input`);
}

// ---------------------------------------------------------------------------------------------
// Guides

export function guideTargetNotLatent(name: string, what: string | undefined, span: Span, suggestion: string | undefined): Diagnostic {
  const message = what === undefined ? `the guide samples '${name}', which the model does not declare` : `the guide samples '${name}', which is ${what}, not a latent of the model`;
  return err("PPL2030", message, span, didYouMean(suggestion) ?? "a guide's `~` statements are over the model's latents only");
}

export function guideMissesLatents(names: readonly string[], span: Span): Diagnostic {
  const list = listNames(names, 10);
  return err(
    "PPL2031",
    `the guide gives no distribution for ${names.length === 1 ? "latent" : "latents"} ${list}`,
    span,
    `add \`${names[0]} ~ ...\` to the guide for ${names.length === 1 ? "it" : "each"}, or remove the guide block to use the automatic mean-field guide`,
  );
}

export function guideSupportMismatch(name: string, declared: string, dist: string, gives: string, span: Span, alternatives: readonly string[]): Diagnostic {
  return err("PPL2032", `'${name}' is ${declared} but its guide ${dist} gives values that are ${gives}`, span, alternatives.length ? `use a distribution whose values fit, such as ${listNames(alternatives, 4)}` : "use a distribution whose values fit the latent's declaration");
}

export function statementTooDeep(span: Span): Diagnostic {
  return err("PPL2048", "this statement is nested too deeply to check", span, "split the expression into several `let`s, each a part of it");
}
