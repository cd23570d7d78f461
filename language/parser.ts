/**
 * The grammar of docs/language.md as a Chevrotain CstParser: pure (no semantic actions), with
 * error recovery on, one shared instance. The CST is turned into the AST by cst-to-ast.ts.
 *
 * Shapes chosen so that nothing recurses per item of a flat sequence:
 * - all binary levels and the ternary are one rule, `unary ((op | ? expression :) unary)*`, with
 *   the operators under one label in order; the visitor applies precedence and associativity;
 * - prefix operators and `^` are `op* atom (^ op* atom)*`, folded to the right by the
 *   visitor (`-x^2` is `-(x^2)`, `2^3^2` is `2^(3^2)`, `2^-x^2` is `2^-(x^2)`);
 *   the ternary is folded to the right (`a ? b : c ? d : e`);
 * - statements are alternatives of `block` directly (no `statement` wrapper node).
 * Recursion happens only through brackets (and ternary then-branches), which parse.ts bounds
 * before the parser runs.
 */
import {
  CstParser,
  EOF,
  tokenLabel,
  type CstNode,
  type IParserErrorMessageProvider,
  type IOrAlt,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import * as T from "./tokens.js";

// ---------------------------------------------------------------------------------------------
// Error messages

const describeToken = (tok: IToken | undefined): string => {
  if (!tok || tok.tokenType === EOF) return "end of file";
  const image = tok.image.length > 30 ? `${tok.image.slice(0, 30)}…` : tok.image;
  const shown = `'${image.replace(/[\x00-\x1f\x7f]/g, "?")}'`;
  return T.KEYWORDS.has(tok.image) ? `keyword ${shown}` : shown;
};

const labelOf = (t: TokenType): string => (t === EOF ? "end of file" : tokenLabel(t));

/** Human descriptions of what a rule expects, for "no alternative fits" errors. */
const ruleExpectations: Record<string, string> = {
  statement: "a statement (a declaration, `x ~ Dist(...)`, `for`, `guide` or `factor`)",
  atom: "an expression",
  unary: "an expression",
  type: "a type (such as `real`, `int<lower=0>[N]` or `MLP(10 -> 1)`)",
  indexArg: "an index or a slice",
  exprStmt: "'~' (a sample) or '=' (an assignment) after the expression",
  block: "a statement (a declaration, `x ~ Dist(...)`, `for`, `guide` or `factor`)",
};

const uniq = (xs: string[]): string[] => [...new Set(xs)];
const orList = (xs: string[]): string =>
  xs.length <= 1 ? (xs[0] ?? "something else") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;

export const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (expected === EOF && (ruleName === "file" || ruleName === "")) {
      return `expected \`import\` or \`model\` but found ${describeToken(actual)}`;
    }
    if (expected === T.Identifier && ruleName === "distCall") {
      return `expected a distribution such as \`Normal(0, 1)\` after '~' but found ${describeToken(actual)}`;
    }
    if (expected === T.RBrace && ruleName === "block") {
      return `expected ${ruleExpectations["statement"]} or '}' but found ${describeToken(actual)}`;
    }
    return `expected ${labelOf(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected \`import\` or \`model\` but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const what =
      ruleExpectations[ruleName] ??
      orList(uniq(expectedPathsPerAlt.flat().map((path) => (path[0] ? labelOf(path[0]) : "end of input"))));
    return `expected ${what} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const what = orList(uniq(expectedIterationPaths.map((path) => (path[0] ? labelOf(path[0]) : "end of input"))));
    const extra = ruleName === "networkType" ? " (a network needs at least two layer sizes, `MLP(10 -> 1)`)" : "";
    return `expected ${what}${extra} but found ${describeToken(actual[0])}`;
  },
};

// ---------------------------------------------------------------------------------------------
// The grammar

export class PplParser extends CstParser {
  constructor() {
    super([...T.allTokens], {
      recoveryEnabled: true,
      maxLookahead: 1,
      errorMessageProvider,
      nodeLocationTracking: "none",
    });
    this.performSelfAnalysis();
  }

  /** OR alternatives, built once: a fresh array of closures per call would cost a lot. */
  private readonly alts: Partial<Record<string, IOrAlt<unknown>[]>> = {};

  /** Only content-free punctuation may be invented by recovery, so the AST never holds a made-up name. */
  override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return T.insertableTokens.has(tokType);
  }

  // file := (import | model | ";")*
  public file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR((this.alts.file ??= [
        { ALT: () => this.SUBRULE(this.importDecl, { LABEL: "imports" }) },
        { ALT: () => this.SUBRULE(this.modelDecl, { LABEL: "models" }) },
        { ALT: () => this.CONSUME(T.Semicolon) },
      ]));
    });
  });

  public importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import, { LABEL: "keyword" });
    this.CONSUME(T.LBrace);
    this.CONSUME1(T.Identifier, { LABEL: "names" });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier, { LABEL: "names" });
    });
    this.CONSUME(T.RBrace);
    this.CONSUME(T.From);
    this.CONSUME(T.StringLiteral, { LABEL: "module" });
  });

  public modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.LParen, { LABEL: "argsOpen" });
      this.OPTION2(() => {
        this.SUBRULE1(this.modelArg, { LABEL: "args" });
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.modelArg, { LABEL: "args" });
        });
      });
      this.CONSUME(T.RParen);
    });
    this.SUBRULE(this.block, { LABEL: "body" });
  });

  public modelArg = this.RULE("modelArg", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type, { LABEL: "type" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: "default" });
    });
  });

  // block := "{" (stmt | ";")* "}"
  public block = this.RULE("block", () => {
    this.CONSUME(T.LBrace, { LABEL: "open" });
    this.MANY(() => {
      this.OR((this.alts.block ??= [
        { ALT: () => this.SUBRULE(this.declStmt, { LABEL: "statements" }) },
        { ALT: () => this.SUBRULE(this.letStmt, { LABEL: "statements" }) },
        { ALT: () => this.SUBRULE(this.forStmt, { LABEL: "statements" }) },
        { ALT: () => this.SUBRULE(this.guideStmt, { LABEL: "statements" }) },
        { ALT: () => this.SUBRULE(this.factorStmt, { LABEL: "statements" }) },
        { ALT: () => this.SUBRULE(this.exprStmt, { LABEL: "statements" }) },
        { ALT: () => this.CONSUME(T.Semicolon) },
      ]));
    });
    this.CONSUME(T.RBrace, { LABEL: "close" });
  });

  public declStmt = this.RULE("declStmt", () => {
    this.CONSUME(T.DeclRoleKeyword, { LABEL: "role" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type, { LABEL: "type" });
  });

  public letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type, { LABEL: "type" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: "init" });
    });
  });

  public forStmt = this.RULE("forStmt", () => {
    this.CONSUME(T.For, { LABEL: "keyword" });
    this.CONSUME(T.Identifier, { LABEL: "variable" });
    this.CONSUME(T.In);
    this.SUBRULE1(this.expression, { LABEL: "from" });
    this.CONSUME(T.DotDot);
    this.SUBRULE2(this.expression, { LABEL: "to" });
    this.SUBRULE(this.block, { LABEL: "body" });
  });

  public guideStmt = this.RULE("guideStmt", () => {
    this.CONSUME(T.Guide, { LABEL: "keyword" });
    this.SUBRULE(this.block, { LABEL: "body" });
  });

  public factorStmt = this.RULE("factorStmt", () => {
    this.CONSUME(T.Factor, { LABEL: "keyword" });
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression, { LABEL: "value" });
    this.CONSUME(T.RParen, { LABEL: "close" });
  });

  // expr "~" distCall | expr "=" expr
  public exprStmt = this.RULE("exprStmt", () => {
    this.SUBRULE1(this.expression, { LABEL: "target" });
    this.OR(
      (this.alts.exprStmt ??= [
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.SUBRULE(this.distCall, { LABEL: "dist" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Equals);
            this.SUBRULE2(this.expression, { LABEL: "value" });
          },
        },
      ]),
    );
  });

  public distCall = this.RULE("distCall", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE1(this.expression, { LABEL: "args" });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression, { LABEL: "args" });
      });
    });
    this.CONSUME(T.RParen, { LABEL: "close" });
  });

  // -------------------------------------------------------------------------------------------
  // Types

  public type = this.RULE("type", () => {
    this.OR((this.alts.type ??= [
      { ALT: () => this.SUBRULE(this.tensorType, { LABEL: "tensor" }) },
      {
        // Only `Name(` starts a network type; anything else is reported as "expected a type".
        GATE: () => this.LA(2).tokenType === T.LParen,
        ALT: () => this.SUBRULE(this.networkType, { LABEL: "network" }),
      },
    ]));
  });

  public tensorType = this.RULE("tensorType", () => {
    this.CONSUME(T.BaseTypeKeyword, { LABEL: "base" });
    this.OPTION(() => this.SUBRULE(this.bounds, { LABEL: "bounds" }));
    this.OPTION2(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE1(this.additive, { LABEL: "dims" });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.additive, { LABEL: "dims" });
      });
      this.CONSUME(T.RBracket, { LABEL: "close" });
    });
  });

  public bounds = this.RULE("bounds", () => {
    this.CONSUME(T.Lt, { LABEL: "open" });
    this.SUBRULE1(this.bound, { LABEL: "items" });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.bound, { LABEL: "items" });
    });
    this.CONSUME(T.Gt, { LABEL: "close" });
  });

  // ("lower" | "upper") "=" addExpr; the name is checked by the visitor
  public bound = this.RULE("bound", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.additive, { LABEL: "value" });
  });

  public networkType = this.RULE("networkType", () => {
    this.CONSUME1(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LParen);
    this.SUBRULE1(this.additive, { LABEL: "layers" });
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE2(this.additive, { LABEL: "layers" });
    });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.namedArg, { LABEL: "options" });
    });
    this.CONSUME(T.RParen, { LABEL: "close" });
  });

  public namedArg = this.RULE("namedArg", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  // -------------------------------------------------------------------------------------------
  // Expressions, loosest first

  /**
   * unary ((op unary) | ("?" expression ":" unary))*: every binary level and the ternary in one
   * flat rule; the visitor applies precedence (the ternary is loosest and right-associative).
   * One rule instead of seven keeps the parser's work and stack use per operand low.
   */
  public expression = this.RULE("expression", () => {
    this.SUBRULE1(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.OR(
        (this.alts.expression ??= [
          {
            ALT: () => {
              this.CONSUME(T.BinaryOp, { LABEL: "ops" });
              this.SUBRULE2(this.unary, { LABEL: "operands" });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.Question, { LABEL: "question" });
              this.SUBRULE(this.expression, { LABEL: "thens" });
              this.CONSUME(T.Colon, { LABEL: "colon" });
              this.SUBRULE3(this.unary, { LABEL: "operands" });
            },
          },
        ]),
      );
    });
  });

  /** The additive level and tighter (type sizes, bounds, network layers): `>` is not an operator here. */
  public additive = this.RULE("additive", () => {
    this.SUBRULE1(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(T.ArithmeticOp, { LABEL: "ops" });
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  // op* atom ("^" op* atom)*
  public unary = this.RULE("unary", () => {
    this.MANY(() => this.CONSUME(T.UnaryOp, { LABEL: "ops" }));
    this.SUBRULE(this.atom, { LABEL: "base" });
    this.MANY2(() => {
      this.CONSUME(T.Caret, { LABEL: "carets" });
      this.SUBRULE(this.powerOperand, { LABEL: "exponents" });
    });
  });

  public powerOperand = this.RULE("powerOperand", () => {
    this.MANY(() => this.CONSUME(T.UnaryOp, { LABEL: "ops" }));
    this.SUBRULE(this.atom, { LABEL: "operand" });
  });

  public indexSuffix = this.RULE("indexSuffix", () => {
    this.CONSUME(T.LBracket, { LABEL: "open" });
    this.SUBRULE1(this.indexArg, { LABEL: "args" });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.indexArg, { LABEL: "args" });
    });
    this.CONSUME(T.RBracket, { LABEL: "close" });
  });

  // ":" expr? | expr (":" expr?)?
  public indexArg = this.RULE("indexArg", () => {
    this.OR((this.alts.indexArg ??= [
      {
        ALT: () => {
          this.CONSUME1(T.Colon, { LABEL: "colon" });
          this.OPTION1(() => this.SUBRULE1(this.expression, { LABEL: "end" }));
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: "start" });
          this.OPTION2(() => {
            this.CONSUME2(T.Colon, { LABEL: "colon" });
            this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: "end" }));
          });
        },
      },
    ]));
  });

  public atom = this.RULE("atom", () => {
    this.OR((this.alts.atom ??= [
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: "number" }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: "bool" }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: "bool" }) },
      {
        // a name, or a call `f(a, b)`
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: "name" });
          this.OPTION(() => {
            this.CONSUME1(T.LParen, { LABEL: "callOpen" });
            this.OPTION2(() => {
              this.SUBRULE1(this.expression, { LABEL: "args" });
              this.MANY(() => {
                this.CONSUME1(T.Comma, { LABEL: "argCommas" });
                this.SUBRULE2(this.expression, { LABEL: "args" });
              });
            });
            this.CONSUME1(T.RParen, { LABEL: "callClose" });
          });
        },
      },
      {
        // `[a, b, c]`
        ALT: () => {
          this.CONSUME(T.LBracket, { LABEL: "arrayOpen" });
          this.OPTION3(() => {
            this.SUBRULE3(this.expression, { LABEL: "elements" });
            this.MANY2(() => {
              this.CONSUME2(T.Comma, { LABEL: "elementCommas" });
              this.SUBRULE4(this.expression, { LABEL: "elements" });
            });
          });
          this.CONSUME(T.RBracket, { LABEL: "arrayClose" });
        },
      },
      {
        // `( expression )`
        ALT: () => {
          this.CONSUME2(T.LParen, { LABEL: "parenOpen" });
          this.SUBRULE5(this.expression, { LABEL: "inner" });
          this.CONSUME2(T.RParen, { LABEL: "parenClose" });
        },
      },
    ]));
    // postfix indexing `x[i]`, `X[i, :]`, `f(x)[0]`, in the same rule to save a stack frame per nesting level
    this.MANY3(() => this.SUBRULE(this.indexSuffix, { LABEL: "suffixes" }));
  });
}

/** Parse errors recorded before the parser gives up: beyond this, recovery only burns time. */
export const MAX_PARSE_ERRORS = 1000;

/** Thrown (and caught by parseTokens) when input is so broken that parsing stops early. */
export class TooManyParseErrors extends Error {
  constructor() {
    super("too many parse errors");
  }
}

// Count errors as recovery records them, and stop once there are more than anyone will read.
// SAVE_ERROR is Chevrotain's single entry point for recording a recognition error.
type SavesErrors = { SAVE_ERROR(e: IRecognitionException): IRecognitionException; savedErrors: number };
const originalSaveError = (CstParser.prototype as unknown as SavesErrors).SAVE_ERROR;
(PplParser.prototype as unknown as SavesErrors).SAVE_ERROR = function (this: SavesErrors, e: IRecognitionException) {
  const saved = originalSaveError.call(this, e);
  this.savedErrors = (this.savedErrors ?? 0) + 1;
  if (this.savedErrors > MAX_PARSE_ERRORS) throw new TooManyParseErrors();
  return saved;
};

/** The one parser instance: grammar analysis is done once, at module load. */
export const pplParser = new PplParser();

/**
 * Parses a token vector into a CST; errors are left in `pplParser.errors`. Returns undefined when
 * the parser gave up after MAX_PARSE_ERRORS errors.
 */
export function parseTokens(tokens: IToken[]): CstNode | undefined {
  pplParser.input = tokens;
  (pplParser as unknown as SavesErrors).savedErrors = 0;
  try {
    return pplParser.file();
  } catch (err) {
    if (err instanceof TooManyParseErrors) return undefined;
    throw err;
  }
}
