/**
 * Logit forms: `x ~ Bernoulli(sigmoid(e))` is evaluated as `x ~ BernoulliLogit(e)`, and
 * `k ~ Categorical(softmax(e))` as `k ~ CategoricalLogit(e)`, whether the link is an explicit
 * call or the output activation of a network (`param decoder: MLP(..., out: sigmoid)`). The two
 * forms are the same density, but in float32 sigmoid(e) rounds to exactly 1 once e > 17 (and to 0
 * below -104), so log(1 - p) is -Infinity for a pixel the decoder is merely confident about; the
 * logit form computes log p = -softplus(-e) and log(1 - p) = -softplus(e), finite everywhere.
 *
 * A registry keyed by the distribution (STYLE.md convention 4): one row per distribution with a
 * logit twin.
 */
import { distributionRegistry } from "../../stdlib/index.js";
import type { CallExpr, DistributionSignature, Expr, SymbolInfo, TypedModel } from "../lang.js";
import type { NetworkInfo } from "../ir.js";
import { outputActivation } from "./networks.js";

interface LogitForm {
  /** Functions (and network output activations) that map the logits to the argument. */
  readonly links: readonly string[];
  /** The distribution that takes the logits. */
  readonly logits: string;
}

export const LOGIT_FORMS: ReadonlyMap<string, LogitForm> = new Map([
  ["Bernoulli", { links: ["sigmoid", "inv_logit"], logits: "BernoulliLogit" }],
  ["Categorical", { links: ["softmax"], logits: "CategoricalLogit" }],
]);

/** Where the logits come from: an expression to evaluate, or a network applied without its output activation. */
export type LogitSource = { readonly kind: "expr"; readonly expr: Expr } | { readonly kind: "network"; readonly call: CallExpr; readonly sym: SymbolInfo };

export interface LogitRewrite {
  readonly signature: DistributionSignature;
  readonly source: LogitSource;
}

/**
 * The logit form of a `~` statement's distribution, or null when it has none: the distribution
 * has a logit twin and its one argument is the link applied to something.
 */
export function logitRewrite(sig: DistributionSignature, args: readonly Expr[], typed: TypedModel, networkOf: (sym: SymbolInfo) => NetworkInfo | null): LogitRewrite | null {
  const form = LOGIT_FORMS.get(sig.name);
  const twin = form ? distributionRegistry.get(form.logits) : undefined;
  if (!form || !twin || args.length !== 1) return null;
  const arg = args[0]!;
  if (arg.kind !== "Call" || arg.args.length !== 1) return null;
  const sym = typed.references.get(arg.callee);
  if (sym && sym.type.kind === "network") {
    const info = networkOf(sym);
    if (!info || !form.links.includes(outputActivation(info))) return null;
    return { signature: twin as DistributionSignature, source: { kind: "network", call: arg, sym } };
  }
  if (sym || !form.links.includes(arg.callee.name)) return null;
  return { signature: twin as DistributionSignature, source: { kind: "expr", expr: arg.args[0]! } };
}
