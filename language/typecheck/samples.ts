/**
 * `target ~ Dist(args)`: the distribution's signature (arity, each argument's element type, event
 * rank and constraint), its shape (the broadcast batch shape of the arguments, then the event
 * shape), and the target against it: element type, shape, and, for a latent, its declared
 * constraint inside the support (in the model) or the support inside the declared constraint (in
 * the guide, whose draws must be valid values of the latent).
 */
import type { Expr, Identifier, SampleStmt } from "../ast.js";
import type { BoundRef, DistributionSignature, ParamSignature } from "../signatures.js";
import { showDim, showType, UNKNOWN_DIM, type Dim, type TensorT } from "../types.js";
import * as E from "../errors/types.js";
import { nearestName } from "../suggest.js";
import {
  REAL_RANGE,
  UNKNOWN_BOUND,
  constantViolation,
  declarationFor,
  describeRange,
  num,
  rangeOf,
  rangeWithin,
  symBound,
  type Bound,
  type BoundResolver,
  type Range,
} from "./constraints.js";
import type { Checked, Checker } from "./context.js";
import { checkExpr } from "./expressions.js";
import type { Sym } from "./scope.js";
import { broadcastShapes, broadcastsInto, offsetDim } from "./shapes.js";
import { showDistCall, showExpr } from "./show.js";
import { evalSizeOrUndefined } from "./sizes.js";

/** The declared name under a target: `y` in `y`, `y[i]`, `y[i][j]`; null for anything else. */
export function targetRoot(e: Expr): Identifier | null {
  if (e.kind === "Identifier") return e;
  if (e.kind === "Index") return targetRoot(e.object);
  return null;
}

const dimsText = (shape: readonly Dim[]): string => (shape.length ? `[${shape.map(showDim).join(", ")}]` : "");

export interface SampleContext {
  /** `~` statements of the guide, by latent name (filled when checking the guide). */
  readonly guideSamples: Map<string, SampleStmt[]>;
  /** Latents suggested for a guide target that is not one (a typo): not reported again as missing. */
  readonly suggestedLatents: Set<string>;
}

export function checkSample(s: SampleStmt, ck: Checker, sc: SampleContext): void {
  const root = targetRoot(s.target);
  let target: Checked | null = null;
  let sym: Sym | undefined;
  if (!root) {
    ck.report(E.badTarget("~", s.target.span));
    checkExpr(s.target, ck);
  } else if (ck.inGuide) {
    sym = guideTarget(root, ck, sc);
    if (sym) target = checkExpr(s.target, ck);
  } else {
    target = checkExpr(s.target, ck);
    sym = ck.scope.lookup(root.name);
    if (sym && !sym.declared) sym = undefined;
    if (sym && sym.role !== "latent" && sym.role !== "data") {
      ck.report(E.sampleNotRandom(root.name, sym.role, s.target.span));
      sym = undefined;
      target = null;
    }
  }

  const sig = ck.signatures.distributions.get(s.dist.name.name);
  const args = s.dist.args.map((a) => checkExpr(a, ck));
  if (sym) {
    if (ck.inGuide) sc.guideSamples.get(sym.name)?.push(s) ?? sc.guideSamples.set(sym.name, [s]);
    else sym.samples.push(s);
  }
  if (!sig) {
    const known = [...ck.signatures.distributions.keys()];
    ck.report(E.unknownDistribution(s.dist.name.name, s.dist.name.span, nearestName(s.dist.name.name, known), known));
    return;
  }
  ck.distributions.set(s, sig);
  const doc = sig.doc ?? `${sig.name}(${sig.params.map((p) => p.name).join(", ")})`;
  if (args.length !== sig.params.length) {
    ck.report(E.distributionArity(sig.name, doc.split(":")[0]!.trim(), sig.params.length, args.length, s.dist.span));
    return;
  }
  const resolve = makeResolver(s, sig, args, ck);
  const networkTarget = target?.type.kind === "network";

  // Arguments: element type, event rank, constraint.
  const tensors: (TensorT | null)[] = [];
  let argsOk = true;
  sig.params.forEach((p, i) => {
    const t = checkArgument(p, sig, s.dist.args[i]!, args[i]!, resolve, ck, networkTarget);
    if (!t) argsOk = false;
    tensors.push(t);
  });
  if (!argsOk || !target || !sym) return;

  const supportRange = rangeOf(sig.support, resolve);
  if (target.type.kind === "network") {
    checkNetworkPrior(s, sym, sig, supportRange, ck);
    return;
  }
  if (target.type.kind !== "tensor") return;
  const tt = target.type;

  // The distribution's shape: the arguments' batch shapes broadcast, then the event shape.
  let batch: readonly Dim[] = [];
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    const p = sig.params[i]!;
    const part = t.shape.slice(0, t.shape.length - p.eventRank);
    const r = broadcastShapes(batch, part);
    if (!r.ok) {
      const j = firstContributor(tensors, sig, r.mismatch.dimA);
      ck.report(
        E.sizeMismatch(
          showExpr(s.dist.args[j] ?? s.dist.args[0]!),
          r.mismatch.axisA,
          showDim(r.mismatch.dimA),
          showExpr(s.dist.args[i]!),
          r.mismatch.axisB,
          showDim(r.mismatch.dimB),
          s.dist.span,
        ),
      );
      return;
    }
    batch = r.shape;
  }
  const eventFrom = sig.eventRank === 0 ? -1 : sig.params.findIndex((p) => (sig.eventShapeFrom ? p.name === sig.eventShapeFrom : p.eventRank === sig.eventRank));
  const event: Dim[] =
    sig.eventRank === 0 ? [] : eventFrom >= 0 ? [...tensors[eventFrom]!.shape.slice(-sig.eventRank)] : new Array<Dim>(sig.eventRank).fill(UNKNOWN_DIM);
  const distShape = [...batch, ...event];
  const distElem = sig.discrete ? "int" : "real";
  const what = `${showExpr(s.target)}`;

  // Element types.
  if (sig.discrete && tt.elem === "real") {
    ck.report(
      E.targetElementMismatch(what, showType(tt), sig.name, `a discrete distribution (it gives ${describeRange(supportRange)})`, s.target.span, `declare '${sym.name}' as int, e.g. \`${sym.role} ${sym.name}: ${declarationFor({ ...supportRange }, dimsText(symShape(sym)))}\``),
    );
    return;
  }
  if (sig.discrete && tt.elem === "bool" && rangeWithin(supportRange, { lo: num(0), hi: num(1), discrete: true, structure: null }) !== "yes") {
    ck.report(E.targetElementMismatch(what, showType(tt), sig.name, `a distribution over ${describeRange(supportRange)}`, s.target.span, `declare '${sym.name}' as int`));
    return;
  }
  if (!sig.discrete && (tt.elem === "bool" || (tt.elem === "int" && (sym.role === "latent" || ck.inGuide)))) {
    ck.report(
      E.targetElementMismatch(what, showType(tt), sig.name, "a continuous distribution (it gives reals)", s.target.span, sym.role === "latent" ? `declare '${sym.name}' as real, or give it a discrete distribution such as ${discreteExamples(ck)}` : `declare '${sym.name}' as real`),
    );
    return;
  }

  // Shapes: the distribution's values must broadcast into the target.
  if (!broadcastsInto(distShape, tt.shape)) {
    ck.report(E.sampleShapeMismatch(what, showType(tt), showDistCall(s.dist), `${distElem}${dimsText(distShape) || " scalars"}`, s.span));
    return;
  }

  // Constraints: the latent's declared set against the support.
  if (sym.role !== "latent") return;
  if (!ck.inGuide) {
    if (rangeWithin(target.range, supportRange) === "no") {
      const declared = declarationFor(target.range, dimsText(symShape(sym)));
      ck.report(E.latentOutsideSupport(sym.name, declared, sig.name, describeRange(supportRange), declarationFor(supportRange, dimsText(symShape(sym))), s.target.span, sym.span));
    }
  } else if (rangeWithin(supportRange, target.range) === "no") {
    ck.report(E.guideSupportMismatch(sym.name, describeRange(target.range), sig.name, describeRange(supportRange), s.dist.name.span, alternatives(target.range, sig, ck)));
  }
}

const symShape = (sym: Sym): readonly Dim[] => (sym.type.kind === "tensor" ? sym.type.shape : []);

function firstContributor(tensors: readonly (TensorT | null)[], sig: DistributionSignature, dim: Dim): number {
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (t && t.shape.slice(0, t.shape.length - sig.params[i]!.eventRank).some((d) => showDim(d) === showDim(dim))) return i;
  }
  return 0;
}

function discreteExamples(ck: Checker): string {
  const names = [...ck.signatures.distributions.values()].filter((d) => d.discrete).map((d) => d.name);
  return names.slice(0, 3).join(" or ") || "a discrete distribution";
}

/** Distributions whose values fit a latent's range, for a guide hint. */
function alternatives(range: Range, sig: DistributionSignature, ck: Checker): string[] {
  const out: string[] = [];
  for (const d of ck.signatures.distributions.values()) {
    if (d.discrete !== sig.discrete || d.eventRank !== sig.eventRank) continue;
    if (rangeWithin(rangeOf(d.support), range) === "yes") out.push(d.name);
  }
  return out.sort((a, b) => Number(ck.signatures.distributions.get(b)!.reparameterizable) - Number(ck.signatures.distributions.get(a)!.reparameterizable));
}

/** A guide's `~` target must be a latent of the model. */
function guideTarget(root: Identifier, ck: Checker, sc: SampleContext): Sym | undefined {
  const sym = ck.scope.lookup(root.name);
  const latents = ck.modelScope.symbols().filter((x) => x.role === "latent").map((x) => x.name);
  const suggestion = nearestName(root.name, latents);
  const bad = !sym || sym.role !== "latent" || sym.scope !== "model";
  if (bad && suggestion) sc.suggestedLatents.add(suggestion);
  if (!sym) {
    ck.report(E.guideTargetNotLatent(root.name, undefined, root.span, suggestion));
    return undefined;
  }
  if (sym.role !== "latent" || sym.scope !== "model") {
    const what = sym.scope === "guide" ? `a ${sym.role} of the guide` : sym.role === "arg" ? "a compile-time argument" : sym.role === "loop" ? "a loop variable" : `a ${sym.role}`;
    ck.report(E.guideTargetNotLatent(root.name, what, root.span, suggestion));
    return undefined;
  }
  return sym;
}

/** Resolves a support's symbolic bounds in this call: Binomial's `n`, Categorical's `size(probs) - 1`. */
function makeResolver(s: SampleStmt, sig: DistributionSignature, args: readonly Checked[], ck: Checker): BoundResolver {
  return (ref: Exclude<BoundRef, number>): Bound => {
    const name = "param" in ref ? ref.param : ref.sizeOf;
    const i = sig.params.findIndex((p) => p.name === name);
    const c = args[i];
    if (i < 0 || !c || c.type.kind !== "tensor") return UNKNOWN_BOUND;
    if ("param" in ref) {
      if (typeof c.value === "number") return num(c.value);
      if (c.type.shape.length === 0 && c.type.elem === "int") {
        const d = evalSizeOrUndefined(s.dist.args[i]!, ck, { quiet: true });
        if (d) return symBound(d);
      }
      return UNKNOWN_BOUND;
    }
    const last = c.type.shape[c.type.shape.length - 1];
    return last ? symBound(offsetDim(last, ref.offset)) : UNKNOWN_BOUND;
  };
}

function checkArgument(
  p: ParamSignature,
  sig: DistributionSignature,
  e: Expr,
  c: Checked,
  resolve: BoundResolver,
  ck: Checker,
  networkTarget: boolean,
): TensorT | null {
  const t = ck.tensor(c, e);
  if (!t) return null;
  const required = rangeOf(p.constraint, resolve);
  const wantsInt = p.integer === true || p.constraint.kind === "integer";
  if (wantsInt && t.elem === "real") {
    ck.report(E.argumentNotInt(p.name, sig.name, c.value !== undefined ? `the real ${showExpr(e)}` : showType(t), e.span));
    return null;
  }
  if (t.shape.length < p.eventRank) {
    ck.report(E.argumentEventRank(p.name, sig.name, p.eventRank, t.shape.length === 0 ? `the scalar ${showExpr(e)}` : showType(t), e.span));
    return null;
  }
  if (networkTarget && t.shape.length > 0) {
    ck.report(E.sampleShapeMismatch(`the prior of a network's weights`, "one distribution for every weight", showExpr(e), showType(t), e.span));
    return null;
  }
  const must = describeRange(required);
  if (c.value !== undefined) {
    const why = constantViolation(c.value, p.constraint, resolve);
    if (why) {
      ck.report(E.argumentViolatesConstraint(p.name, sig.name, must, why, e.span));
      return null;
    }
    return t;
  }
  if (rangeWithin(c.range, required) === "no") {
    ck.report(E.argumentConstraintWeak(p.name, sig.name, must, describeRange(c.range), e.span, weakHint(e, required, ck)));
  }
  return t;
}

/** What to do about an argument not known to satisfy its constraint: declare the name tighter, or transform it. */
function weakHint(e: Expr, required: Range, ck: Checker): string {
  const root = targetRoot(e);
  const sym = root ? ck.scope.lookup(root.name) : undefined;
  if (sym && sym.type.kind === "tensor" && sym.role !== "arg" && sym.role !== "loop") {
    const decl = declarationFor({ ...required, discrete: sym.type.elem === "int" }, dimsText(sym.type.shape));
    return `declare it as \`${sym.role} ${sym.name}: ${decl}\``;
  }
  const lo = required.lo.kind === "num" ? required.lo.value : undefined;
  const hi = required.hi.kind === "num" ? required.hi.value : undefined;
  if (required.structure === "simplex") return "normalise it, e.g. `softmax(x)`";
  if (lo === 0 && hi === 1) return "map it into [0, 1], e.g. `sigmoid(x)`";
  if (lo === 0 && hi === undefined) return "make it positive, e.g. `exp(x)` or `softplus(x)`";
  return `make sure it is ${describeRange(required)}`;
}

/** `f ~ Normal(0, 1)` on a latent network: the same scalar prior on every weight, over the reals. */
function checkNetworkPrior(s: SampleStmt, sym: Sym, sig: DistributionSignature, support: Range, ck: Checker): void {
  if (sig.discrete || sig.eventRank !== 0 || rangeWithin(REAL_RANGE, support) !== "yes") {
    ck.report(
      E.targetElementMismatch(
        `'${sym.name}'`,
        "a network whose weights are real numbers",
        sig.name,
        sig.discrete ? "a discrete distribution" : `a distribution over values that are ${describeRange(support)}`,
        s.dist.name.span,
        "give the weights a prior over all reals, e.g. `Normal(0, 1)`",
      ),
    );
  }
}
