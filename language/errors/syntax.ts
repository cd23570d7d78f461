/**
 * PPL1xxx: lexing and parsing diagnostics, one constructor per kind. Every one says what to do.
 *
 *   PPL1001  unexpected character(s)
 *   PPL1002  unterminated block comment
 *   PPL1003  unterminated string
 *   PPL1004  nesting too deep for the parser
 *   PPL1005  number literal too large
 *   PPL1006  source file too large to parse
 *   PPL1010  a specific token was expected (missing `)`, `:`, ...)
 *   PPL1011  none of a construct's alternatives fits (not a statement / expression / type)
 *   PPL1012  a construct that needs at least one item got none (a network type without `->`)
 *   PPL1013  something other than `import` or `model` at the top level
 *   PPL1020  a bound other than `lower` / `upper`
 *   PPL1021  the same bound given twice
 *   PPL1022  `let` with neither a type nor an initial value
 *   PPL1099  too many errors (a note; the rest are not shown)
 */
import { makeDiagnostic, type Diagnostic } from "../diagnostics.js";
import type { Span } from "../span.js";

const show = (text: string): string => {
  const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
  return JSON.stringify(shown).slice(1, -1);
};

export function unexpectedCharacters(text: string, span: Span): Diagnostic {
  const plural = [...text].length > 1;
  const hint = /^#/.test(text)
    ? "comments start with `//` (to the end of the line) or are written `/* ... */`"
    : /[^\x00-\x7f]/.test(text) && /\p{L}/u.test(text)
      ? "names are ASCII: letters, digits and `_`, not starting with a digit"
      : `remove ${plural ? "them" : "it"}; a .ppl file holds names, numbers, strings in imports and the operators of docs/language.md`;
  return makeDiagnostic("PPL1001", "error", `unexpected character${plural ? "s" : ""} '${show(text)}'`, span, { hint });
}

export function unterminatedBlockComment(span: Span): Diagnostic {
  return makeDiagnostic("PPL1002", "error", "unterminated block comment", span, {
    hint: "close the comment with '*/'",
  });
}

export function unterminatedString(span: Span): Diagnostic {
  return makeDiagnostic("PPL1003", "error", "unterminated string", span, {
    hint: "close the string with '\"' on the same line",
  });
}

export function nestedTooDeeply(depth: number, limit: number, span: Span): Diagnostic {
  return makeDiagnostic(
    "PPL1004",
    "error",
    `expression nested too deeply (${depth} levels; the limit is ${limit})`,
    span,
    { hint: "split the expression with `let` declarations, or remove redundant brackets" },
  );
}

export function numberTooLarge(text: string, span: Span): Diagnostic {
  return makeDiagnostic("PPL1005", "error", `number '${show(text)}' is too large`, span, {
    hint: "use a number below about 1.8e308",
  });
}

export function fileTooLarge(length: number, limit: number, span: Span): Diagnostic {
  const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return makeDiagnostic("PPL1006", "error", `source file too large to parse (${mb(length)}; the limit is ${mb(limit)})`, span, {
    hint: "split the model, or move constants into a data file: data is passed at fit time, not written in the model",
  });
}

/** What the parser was inside when it failed: picks a more useful hint. */
export type SyntaxContext = "statement" | "expression" | "type" | "bounds" | "import" | "model" | "other";

const contextHints: Record<SyntaxContext, string> = {
  statement:
    "a statement is a declaration (`data N: int`, `latent mu: real`, `param w: real[K]`, `let t = ...`), " +
    "a sample `x ~ Normal(0, 1)`, an assignment `theta[i] = ...`, `for i in 0..N { ... }`, `guide { ... }` or `factor(...)`",
  expression: "an expression is a number, `true`/`false`, a name, a call `f(x)`, an index `x[i]`, `[a, b]` or `( ... )` combined with operators",
  type: "a type is a base type with optional bounds and sizes, `real<lower=0>[N]`, or a network, `MLP(10 -> 1)`",
  bounds: "bounds are written `<lower=..., upper=...>`",
  import: 'an import reads `import { Name, Other } from "module"`',
  model: "a model reads `model Name(arg: type = value) { statements }`",
  other: "check the syntax near here against docs/language.md",
};

export function expectedToken(message: string, span: Span, context: SyntaxContext): Diagnostic {
  return makeDiagnostic("PPL1010", "error", message, span, {
    hint: `add the missing token or remove what is in the way; ${contextHints[context]}`,
  });
}

export function noViableAlternative(message: string, span: Span, context: SyntaxContext): Diagnostic {
  return makeDiagnostic("PPL1011", "error", message, span, { hint: contextHints[context] });
}

export function expectedAtLeastOne(message: string, span: Span, context: SyntaxContext): Diagnostic {
  return makeDiagnostic("PPL1012", "error", message, span, { hint: contextHints[context] });
}

export function strayTopLevel(message: string, span: Span): Diagnostic {
  return makeDiagnostic("PPL1013", "error", message, span, {
    hint: "only `import { ... } from \"...\"` lines and `model Name { ... }` blocks may appear at the top level; put statements inside a model",
  });
}

export function unknownBound(name: string, span: Span): Diagnostic {
  return makeDiagnostic("PPL1020", "error", `unknown bound '${show(name)}': a bound is 'lower' or 'upper'`, span, {
    hint: "write `<lower=...>`, `<upper=...>` or `<lower=..., upper=...>`",
  });
}

export function duplicateBound(name: string, span: Span, first: Span): Diagnostic {
  return makeDiagnostic("PPL1021", "error", `bound '${name}' is given twice`, span, {
    hint: `remove one of the two '${name}' bounds`,
    related: [{ message: `'${name}' first given here`, span: first }],
  });
}

export function letNeedsTypeOrValue(name: string, span: Span): Diagnostic {
  return makeDiagnostic("PPL1022", "error", `'let ${show(name)}' needs a type, an initial value or both`, span, {
    hint: `write \`let ${name} = <expression>\` or \`let ${name}: real[N]\` and assign its elements later`,
  });
}

export function tooManyErrors(span?: Span): Diagnostic {
  return makeDiagnostic("PPL1099", "note", "too many errors; the rest are not shown", span, {
    hint: "fix these first and run again to see the rest",
  });
}
