/**
 * Conjugacy: for each latent, is its prior in an exponential family CAVI can hold (Beta, Gamma,
 * Normal, Dirichlet, Categorical), and is every factor it appears in conjugate to it in that
 * argument slot (the pair registry in stdlib/conjugacy)? When not, the first factor that breaks
 * it, with a reason a user can act on.
 *
 * The analysis pattern-matches argument expressions. A latent may enter a slot
 *  - directly: `p`, `lambda[g]` (indexed by data), or gathered by a discrete latent `mu[z]`
 *    (a mixture: `z ~ Categorical(...)` selects the component; the discrete latent must be the
 *    first index);
 *  - as a precision in a Normal's sd: `1 / sqrt(tau)`, `tau ^ -0.5`, `pow(tau, -0.5)`,
 *    `sqrt(1 / tau)` (Normal is Stan-parameterised, so a Gamma on the sd itself is not conjugate),
 *    possibly times a constant: `1 / sqrt(c * tau)` (a Normal-Gamma prior, mean given precision
 *    with precision c tau);
 *  - in a linear predictor with data coefficients: `X @ w + b`, `alpha + beta * x` (Normal
 *    latents only; they form one Gaussian block in q).
 * `let`s with one initialiser are looked through. Statements inside `for` loops and `factor(...)`
 * terms are not analysed (their latents are reported as not conjugate, with that reason).
 */
import { conjugatePair, conjugatePriorFamily, type SlotForm } from "../../stdlib/index.js";
import { printExpr, type ConstraintSpec, type Expr, type Span } from "../lang.js";
import { isRandom, type GraphCore, type IrFactor, type IrNode } from "../ir.js";

/** How one argument of a factor depends on the latents. */
export type ArgForm =
  | { readonly kind: "const"; readonly expr: Expr }
  /** A latent (indexed by data, or gathered by the discrete `selector` on its first axis). */
  | {
      readonly kind: "use";
      readonly node: string;
      readonly expr: Expr;
      readonly precision: boolean;
      readonly selector: string | null;
      /** A precision's constant multiplier c in `1 / sqrt(c * tau)` (absent: 1). */
      readonly multiplier?: Expr;
    }
  /** A linear predictor in Normal latents with data coefficients. */
  | { readonly kind: "linear"; readonly nodes: readonly string[]; readonly expr: Expr };

/** A factor CAVI can update: its family, its target, and the form of each argument. */
export interface ConjugateFactor {
  readonly factor: string;
  readonly family: string;
  /** The `~` target: a latent node, or observed data. */
  readonly target: { readonly kind: "latent" | "observed"; readonly node: string };
  /** Forms in the signature's parameter order. */
  readonly args: readonly ArgForm[];
  /** The discrete latent that selects the component, for a mixture term. */
  readonly selector: string | null;
}

export interface LatentConjugacy {
  readonly node: string;
  readonly conjugate: boolean;
  /** The prior's family (null when the latent has no single `~` prior). */
  readonly family: string | null;
  /** When not conjugate: the factor that breaks it, and why. */
  readonly breaking: { readonly factor: string | null; readonly span: Span; readonly line: number; readonly reason: string } | null;
}

export interface Conjugacy {
  readonly latents: ReadonlyMap<string, LatentConjugacy>;
  /** Every model `~` factor whose arguments all have a recognised form. */
  readonly factors: ReadonlyMap<string, ConjugateFactor>;
  /** Normal latents grouped into Gaussian blocks (those sharing a linear predictor). */
  readonly blocks: readonly (readonly string[])[];
  /** Every random node is conjugate (and there is at least one): CAVI can fit the model. */
  readonly allConjugate: boolean;
}

/** Functions a constant (data-only) argument may use: CAVI evaluates them in float64. */
export const CONSTANT_FUNCTIONS: ReadonlySet<string> = new Set(["sqrt", "exp", "log", "pow", "square", "abs", "ones", "zeros", "fill", "rep"]);

const factorText = (f: IrFactor): string => `${f.targetExpr ? printExpr(f.targetExpr) : "?"} ~ ${f.distribution}(${f.args.map(printExpr).join(", ")})`;

export function conjugacy(g: GraphCore): Conjugacy {
  const a = new Analyser(g);
  return a.run();
}

/** Is the declared constraint the family's own support (no truncation)? */
function ownSupport(family: string, c: ConstraintSpec): boolean {
  switch (c.kind) {
    case "real":
      return family === "Normal";
    case "positive":
    case "nonnegative":
      return family === "Gamma";
    case "greater_than":
      return family === "Gamma" && c.lower === 0;
    case "unit_interval":
      return family === "Beta";
    case "interval":
      return family === "Beta" && c.lower === 0 && c.upper === 1;
    case "simplex":
      return family === "Dirichlet";
    case "integer":
      return family === "Categorical";
    default:
      return false;
  }
}

class Analyser {
  private readonly breaks = new Map<string, { factor: string | null; span: Span; reason: string }>();
  private readonly factors = new Map<string, ConjugateFactor>();
  private readonly family = new Map<string, string | null>();
  private readonly unions = new Map<string, string>();

  constructor(private readonly g: GraphCore) {}

  run(): Conjugacy {
    const randoms = [...this.g.nodes.values()].filter(isRandom);
    for (const n of randoms) this.family.set(n.id, this.priorFamily(n));
    for (const f of this.g.factors.values()) this.checkFactor(f);
    this.checkBlocks();
    const latents = new Map<string, LatentConjugacy>();
    for (const n of randoms) {
      const b = this.breaks.get(n.id);
      latents.set(n.id, {
        node: n.id,
        conjugate: !b,
        family: this.family.get(n.id) ?? null,
        breaking: b ? { factor: b.factor, span: b.span, line: b.span.line, reason: b.reason } : null,
      });
    }
    const blocks = new Map<string, string[]>();
    for (const n of randoms) {
      if (this.family.get(n.id) !== "Normal") continue;
      const r = this.find(n.id);
      blocks.set(r, [...(blocks.get(r) ?? []), n.id]);
    }
    return {
      latents,
      factors: this.factors,
      blocks: [...blocks.values()],
      allConjugate: randoms.length > 0 && [...latents.values()].every((l) => l.conjugate),
    };
  }

  private breakNode(node: string, factor: IrFactor | null, reason: string, span?: Span): void {
    if (this.breaks.has(node)) return;
    this.breaks.set(node, { factor: factor?.id ?? null, span: span ?? factor?.span ?? this.g.nodes.get(node)!.span, reason });
  }

  /** The prior's family when CAVI can hold it; breaks the node (and returns the family or null) otherwise. */
  private priorFamily(n: IrNode): string | null {
    if (n.kind === "network") {
      this.breakNode(n.id, null, `'${n.name}' is a Bayesian network: its weights have no closed-form update`);
      return null;
    }
    const priors = n.factors.map((id) => this.g.factors.get(id)!).filter((f) => f.kind === "sample");
    if (priors.length !== 1) {
      this.breakNode(n.id, priors[1] ?? null, priors.length === 0 ? `'${n.name}' has no \`~\` prior (an implicit flat prior is not an exponential family)` : `'${n.name}' has ${priors.length} \`~\` statements; CAVI needs exactly one prior`);
      return priors[0]?.distribution ?? null;
    }
    const f = priors[0]!;
    const fam = f.distribution!;
    if (conjugatePriorFamily(fam) && !ownSupport(fam, n.constraint)) {
      this.breakNode(n.id, f, `${factorText(f)} (line ${f.span.line}): '${n.name}' is declared ${n.constraint.kind}, which truncates the ${fam} prior; CAVI needs the prior's own support`);
      return fam;
    }
    if (!conjugatePriorFamily(fam)) {
      const child = this.firstChild(n.id);
      const where = child ? ` to the ${child.slot} slot of ${factorText(child.factor)} (line ${child.factor.span.line})` : "";
      this.breakNode(n.id, child?.factor ?? f, `${factorText(f)}: ${fam} is not conjugate${where}; CAVI updates Beta, Gamma, Normal, Dirichlet and Categorical latents`, child?.factor.span ?? f.span);
    }
    return fam;
  }

  private firstChild(node: string): { factor: IrFactor; slot: string } | undefined {
    for (const f of this.g.factors.values()) {
      if (f.target === node || f.kind !== "sample") continue;
      for (const [i, e] of f.args.entries()) if (this.mentions(e).has(node)) return { factor: f, slot: f.signature?.params[i]?.name ?? `#${i}` };
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  /** An expression with single-initialiser lets substituted (depth-limited). */
  private resolveLet(e: Expr, depth = 0): Expr {
    if (e.kind !== "Identifier" || depth > 20) return e;
    const n = this.g.nodes.get(e.name);
    if (!n || n.kind !== "deterministic" || n.definitions.length !== 1) return e;
    const d = this.g.definitions.get(n.definitions[0]!)!;
    if (d.kind !== "init" || d.plates.length > 0) return e;
    return this.resolveLet(d.expr, depth + 1);
  }

  /** Random nodes (and params) an expression reads, looking through lets. */
  mentions(e: Expr, out: Set<string> = new Set(), depth = 0): Set<string> {
    const visit = (x: Expr | { kind: "Slice"; start: Expr | null; end: Expr | null }): void => {
      switch (x.kind) {
        case "Identifier": {
          const n = this.g.nodes.get(x.name);
          if (!n) return;
          if (isRandom(n) || n.kind === "param" || n.kind === "network") out.add(n.id);
          else if (n.kind === "deterministic" && depth < 20) for (const d of n.definitions) this.mentions(this.g.definitions.get(d)!.expr, out, depth + 1);
          return;
        }
        case "Slice":
          if (x.start) visit(x.start);
          if (x.end) visit(x.end);
          return;
        case "Unary":
          return visit(x.operand);
        case "Binary":
          visit(x.left);
          return visit(x.right);
        case "Ternary":
          visit(x.cond);
          visit(x.then);
          return visit(x.otherwise);
        case "Call":
          x.args.forEach(visit);
          return;
        case "Index":
          visit(x.object);
          x.indices.forEach(visit);
          return;
        case "Array":
          x.elements.forEach(visit);
          return;
        default:
          return;
      }
    };
    visit(e);
    return out;
  }

  private isConst(e: Expr): boolean {
    return this.mentions(e).size === 0 && this.evaluable(e);
  }

  /** Built from what CAVI's float64 evaluator knows (no unknown functions, no ternaries). */
  private evaluable(e: Expr): boolean {
    switch (e.kind) {
      case "Number":
      case "Identifier":
        return true;
      case "Unary":
        return e.op !== "!" && this.evaluable(e.operand);
      case "Binary":
        return ["+", "-", "*", "/", "^", "@"].includes(e.op) && this.evaluable(e.left) && this.evaluable(e.right);
      case "Call":
        return CONSTANT_FUNCTIONS.has(e.callee.name) && e.args.every((x) => this.evaluable(x));
      case "Index":
        return this.evaluable(e.object) && e.indices.every((i) => (i.kind === "Slice" ? (!i.start || this.evaluable(i.start)) && (!i.end || this.evaluable(i.end)) : this.evaluable(i)));
      case "Array":
        return e.elements.every((x) => this.evaluable(x));
      default:
        return false;
    }
  }

  /** `node`, `node[data...]`, or `node[z, data...]` with z a discrete latent (possibly `z[data]`). */
  private matchUse(raw: Expr): { node: string; selector: string | null } | undefined {
    const e = this.resolveLet(raw);
    if (e.kind === "Identifier") {
      const n = this.g.nodes.get(e.name);
      return n && isRandom(n) && n.kind === "latent" ? { node: n.id, selector: null } : undefined;
    }
    if (e.kind !== "Index" || e.object.kind !== "Identifier") return undefined;
    const n = this.g.nodes.get(e.object.name);
    if (!n || n.kind !== "latent") return undefined;
    let selector: string | null = null;
    for (const [i, ix] of e.indices.entries()) {
      if (ix.kind === "Slice") {
        if ((ix.start && !this.isConst(ix.start)) || (ix.end && !this.isConst(ix.end))) return undefined;
        continue;
      }
      if (this.isConst(ix)) continue;
      if (i !== 0) return undefined;
      const z = ix.kind === "Identifier" ? ix : ix.kind === "Index" && ix.object.kind === "Identifier" && ix.indices.every((j) => j.kind !== "Slice" && this.isConst(j)) ? ix.object : null;
      const zn = z ? this.g.nodes.get(z.name) : undefined;
      if (!zn || zn.kind !== "latent" || !zn.discrete) return undefined;
      selector = zn.id;
    }
    return { node: n.id, selector };
  }

  /** `1 / sqrt(u)`, `u ^ -0.5`, `pow(u, -0.5)`, `sqrt(1 / u)`: the use u. */
  private matchPrecision(raw: Expr): Expr | undefined {
    const e = this.resolveLet(raw);
    const isNum = (x: Expr, v: number) => x.kind === "Number" ? x.value === v : x.kind === "Unary" && x.op === "-" && x.operand.kind === "Number" && x.operand.value === -v;
    const call = (x: Expr, name: string, n: number) => (x.kind === "Call" && x.callee.name === name && x.args.length === n ? x : undefined);
    if (e.kind === "Binary" && e.op === "/" && isNum(e.left, 1)) {
      const r = this.resolveLet(e.right);
      const s = call(r, "sqrt", 1);
      if (s) return s.args[0];
      if (r.kind === "Binary" && r.op === "^" && isNum(r.right, 0.5)) return r.left;
      return undefined;
    }
    if (e.kind === "Binary" && e.op === "^" && isNum(e.right, -0.5)) return e.left;
    const p = call(e, "pow", 2);
    if (p && isNum(p.args[1]!, -0.5)) return p.args[0];
    const s = call(e, "sqrt", 1);
    if (s) {
      const inner = this.resolveLet(s.args[0]!);
      if (inner.kind === "Binary" && inner.op === "/" && isNum(inner.left, 1)) return inner.right;
      return undefined;
    }
    return undefined;
  }

  /** A linear predictor: sums of constants and (constant-scaled or `@`-multiplied) latent uses. */
  private matchLinear(raw: Expr, nodes: Set<string>): boolean {
    const e = this.resolveLet(raw);
    if (this.isConst(e)) return true;
    if (e.kind === "Unary" && (e.op === "-" || e.op === "+")) return this.matchLinear(e.operand, nodes);
    if (e.kind === "Binary" && (e.op === "+" || e.op === "-")) return this.matchLinear(e.left, nodes) && this.matchLinear(e.right, nodes);
    const useOf = (x: Expr): boolean => {
      const u = this.matchUse(x);
      if (!u || u.selector) return false;
      nodes.add(u.node);
      return true;
    };
    if (e.kind === "Binary" && (e.op === "*" || e.op === "@")) {
      if (this.isConst(e.left)) return useOf(e.right) || this.matchLinear(e.right, nodes);
      if (this.isConst(e.right)) return useOf(e.left) || this.matchLinear(e.left, nodes);
      return false;
    }
    if (e.kind === "Binary" && e.op === "/" && this.isConst(e.right)) return useOf(e.left) || this.matchLinear(e.left, nodes);
    return useOf(e);
  }

  private classify(e: Expr, family: string): ArgForm | undefined {
    if (this.isConst(e)) return { kind: "const", expr: e };
    const u = this.matchUse(e);
    if (u) return { kind: "use", node: u.node, expr: e, precision: false, selector: u.selector };
    if (family === "Normal") {
      const inner = this.matchPrecision(e);
      const pu = inner ? this.matchUse(inner) : undefined;
      if (inner && pu) return { kind: "use", node: pu.node, expr: inner, precision: true, selector: pu.selector };
      // `c * tau` or `tau * c` with c constant: a precision scaled by c.
      const prod = inner ? this.resolveLet(inner) : undefined;
      if (prod && prod.kind === "Binary" && prod.op === "*") {
        for (const [c, u] of [[prod.left, prod.right], [prod.right, prod.left]] as const) {
          if (!this.isConst(c)) continue;
          const m = this.matchUse(u);
          if (m) return { kind: "use", node: m.node, expr: u, precision: true, selector: m.selector, multiplier: c };
        }
      }
    }
    const nodes = new Set<string>();
    if (this.matchLinear(e, nodes) && nodes.size > 0) return { kind: "linear", nodes: [...nodes], expr: e };
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Factors

  private checkFactor(f: IrFactor): void {
    const involved = new Set<string>();
    for (const e of f.args) this.mentions(e, involved);
    if (f.targetExpr) this.mentions(f.targetExpr, involved);
    if (f.target && this.g.nodes.get(f.target) && isRandom(this.g.nodes.get(f.target)!)) involved.add(f.target);
    const randoms = [...involved].filter((id) => { const n = this.g.nodes.get(id); return n && isRandom(n); });
    const text = f.kind === "potential" ? `factor(${f.args.map(printExpr).join(", ")})` : factorText(f);
    const breakAll = (reason: string) => randoms.forEach((id) => this.breakNode(id, f, reason));
    if (f.kind === "potential") return breakAll(`${text} (line ${f.span.line}) is a free potential, not an exponential-family term`);
    const loops = f.plates.filter((p) => this.g.plates.get(p)?.origin === "for");
    if (loops.length > 0) return breakAll(`${text} (line ${f.span.line}) sits in a \`for\` loop; CAVI analyses vectorised statements only (write it without the loop)`);
    if (!f.targetExpr || f.targetExpr.kind !== "Identifier") return breakAll(`${text} (line ${f.span.line}) targets part of a variable; CAVI needs a whole-variable target`);
    const params = [...involved].filter((id) => { const n = this.g.nodes.get(id); return n && !isRandom(n); });
    if (params.length > 0) return breakAll(`${text} (line ${f.span.line}) reads the param${params.length > 1 ? "s" : ""} ${params.join(", ")}, which CAVI cannot point-estimate`);
    const fam = f.distribution!;
    const sig = f.signature!;
    const targetNode = this.g.nodes.get(f.target!)!;
    const targetIsLatent = isRandom(targetNode);
    const forms: ArgForm[] = [];
    let ok = true;
    const seen = new Map<string, string>();
    let selector: string | null = null;
    let selectorExpr: string | null = null;
    for (const [i, e] of f.args.entries()) {
      const slot = sig.params[i]?.name ?? `#${i}`;
      const form = this.classify(e, fam);
      const here = this.mentions(e);
      if (!form) {
        ok = false;
        for (const id of here) {
          const n = this.g.nodes.get(id)!;
          if (!isRandom(n)) continue;
          this.breakNode(id, f, `'${id}' enters the ${slot} slot of ${text} (line ${f.span.line}) as \`${printExpr(e)}\`, which is not a form CAVI updates in closed form (a latent, \`mu[z]\`, \`1 / sqrt(tau)\` in a Normal's sd, possibly \`1 / sqrt(c * tau)\`, or a linear predictor \`X @ w + b\`)`);
        }
        forms.push({ kind: "const", expr: e });
        continue;
      }
      forms.push(form);
      const nodesHere = form.kind === "use" ? [form.node] : form.kind === "linear" ? [...form.nodes] : [];
      if (form.kind === "use" && form.selector) {
        const zText = printExpr((this.resolveLet(form.expr) as Extract<Expr, { kind: "Index" }>).indices[0] as Expr);
        if (selector && (selector !== form.selector || selectorExpr !== zText)) {
          ok = false;
          this.breakNode(form.selector, f, `${text} (line ${f.span.line}) is indexed by two different discrete latents; a mixture term needs one selector`);
        }
        selector = form.selector;
        selectorExpr = zText;
      }
      for (const id of nodesHere) {
        const prev = seen.get(id);
        if (prev) {
          ok = false;
          this.breakNode(id, f, `'${id}' appears in both the ${prev} and ${slot} slots of ${text} (line ${f.span.line}); a conjugate factor has it in one slot`);
          continue;
        }
        seen.set(id, slot);
        if (id === f.target) continue;
        const pf = this.family.get(id);
        if (!pf) continue; // already broken by its prior
        const want: SlotForm = form.kind === "linear" ? "linear" : form.kind === "use" && form.precision ? "precision" : "direct";
        const pair = conjugatePair(pf, fam, slot);
        if (!pair || !pair.forms.includes(want)) {
          ok = false;
          const how = want === "precision" ? " as a precision (1 / sqrt(.))" : want === "linear" ? " inside a linear predictor" : "";
          const hint = pf === "Gamma" && fam === "Normal" && slot === "scale" && want === "direct" ? " (a Gamma prior is conjugate to a Normal's precision: write the sd as `1 / sqrt(" + id + ")`)" : "";
          this.breakNode(id, f, `${factorText(this.priorOf(id)!)}: ${pf} is not conjugate to the ${fam} ${slot} slot${how} of ${text} (line ${f.span.line})${hint}`);
        }
      }
      // Anything else the argument reads (a discrete latent used as a value, say) breaks.
      for (const id of here) {
        if (nodesHere.includes(id) || (form.kind === "use" && form.selector === id)) continue;
        const n = this.g.nodes.get(id)!;
        if (isRandom(n)) {
          ok = false;
          this.breakNode(id, f, `'${id}' enters ${text} (line ${f.span.line}) in a way CAVI does not update in closed form`);
        }
      }
    }
    if (!ok) {
      if (targetIsLatent) this.breakNode(targetNode.id, f, `the arguments of ${text} (line ${f.span.line}) are not all in a form CAVI updates in closed form`);
      return;
    }
    for (const form of forms) if (form.kind === "linear") for (const id of form.nodes.slice(1)) this.union(form.nodes[0]!, id);
    this.factors.set(f.id, { factor: f.id, family: fam, target: { kind: targetIsLatent ? "latent" : "observed", node: targetNode.id }, args: forms, selector });
  }

  private priorOf(id: string): IrFactor | undefined {
    const n = this.g.nodes.get(id)!;
    return n.factors.map((x) => this.g.factors.get(x)!).find((f) => f.kind === "sample");
  }

  /** A Normal latent may not be a target whose mean reads its own Gaussian block (a cross term). */
  private checkBlocks(): void {
    for (const cf of this.factors.values()) {
      if (cf.family !== "Normal" || cf.target.kind !== "latent") continue;
      const loc = cf.args[0];
      const nodes = loc?.kind === "linear" ? loc.nodes : loc?.kind === "use" ? [loc.node] : [];
      for (const id of nodes) {
        if (this.family.get(id) === "Normal" && this.find(id) === this.find(cf.target.node)) {
          const f = this.g.factors.get(cf.factor)!;
          this.breakNode(cf.target.node, f, `${factorText(f)} (line ${f.span.line}) has '${cf.target.node}' in the same Gaussian block as its own mean; CAVI does not update this cross term`);
        }
      }
    }
  }

  private find(x: string): string {
    let r = x;
    while (this.unions.has(r) && this.unions.get(r) !== r) r = this.unions.get(r)!;
    return r;
  }

  private union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.unions.set(rb, ra);
  }
}
