/**
 * The printed forms of a graph, for `vippl graph FILE [--dot | --json]`:
 *  - text: the model, its plates, each node with its distribution and source line, the
 *    dependency order and the Markov blanket of each latent, readable in a terminal;
 *  - DOT for Graphviz: latents as ellipses, observed shaded, data plain, lets dashed diamonds,
 *    params and networks as boxes, plates as labelled clusters;
 *  - JSON: a stable, serialisable schema for tools.
 */
import { printExpr, showDim, showType, type Dim, type Span } from "./lang.js";
import type { GraphCore, GraphIR, IrFactor, IrNode, IrPlate, NodeKind } from "./ir.js";
import type { BlanketMember, MarkovBlanket } from "./analysis/markov-blanket.js";

// ---------------------------------------------------------------------------------------------
// Shared pieces

export function formatFactor(f: IrFactor): string {
  if (f.kind === "potential") return `factor(${f.args.map(printExpr).join(", ")})`;
  return `${f.distribution ?? "?"}(${f.args.map(printExpr).join(", ")})`;
}

export function formatSize(p: IrPlate): string {
  const sym = showDim(p.size);
  if (p.concreteSize === null) return sym;
  return p.size.kind === "const" ? String(p.concreteSize) : `${sym} = ${p.concreteSize}`;
}

function nodeType(n: IrNode): string {
  if (n.network) {
    const layers = n.network.layers.map((d, i) => (n.network!.concreteLayers ? String(n.network!.concreteLayers[i]) : showDim(d))).join(" -> ");
    const opts = Object.entries(n.network.activations).map(([k, v]) => `${k}: ${v}`);
    return `${n.network.name}(${[layers, ...opts].join(", ")})`;
  }
  return showType(n.type);
}

const shapeJson = (n: IrNode): (number | string)[] => (n.shape.concrete ? [...n.shape.concrete] : n.shape.symbolic.map(dimJson));
const dimJson = (d: Dim): number | string => (d.kind === "const" ? d.value : showDim(d));
const pos = (s: Span) => ({ line: s.line, column: s.column });

function definitionText(g: GraphCore, n: IrNode): string[] {
  return n.definitions.map((id) => {
    const d = g.definitions.get(id) ?? g.guide?.definitions.get(id);
    if (!d) return "";
    return d.targetExpr ? `${printExpr(d.targetExpr)} = ${printExpr(d.expr)}` : `= ${printExpr(d.expr)}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Text

export interface TextFormatOptions {
  /** Include the Markov blankets (default true). */
  readonly blankets?: boolean;
  /** Include the per-latent conjugacy lines (default true). */
  readonly conjugacy?: boolean;
}

export function formatGraphText(g: GraphIR, options: TextFormatOptions = {}): string {
  const out: string[] = [];
  out.push(`model ${g.model}`);

  out.push("", "plates");
  if (g.plates.size === 0) out.push("  (none)");
  const plates = [...g.plates.values()];
  const pw = Math.max(0, ...plates.map((p) => p.id.length));
  for (const p of plates) {
    const how = p.origin === "for" ? `for ${p.indexVars.join(", ")}` : "vectorised";
    const members = [...p.nodes, ...p.guideNodes];
    out.push(`  ${p.id.padEnd(pw)}  size ${formatSize(p)}  (${how}, line ${p.span.line})  ${members.length ? members.join(", ") : "(no nodes)"}`);
  }

  out.push("", "nodes");
  const nodes = [...g.nodes.values()];
  const nw = Math.max(0, ...nodes.map((n) => n.name.length));
  const types = new Map(nodes.map((n) => [n.id, nodeType(n)]));
  const tw = Math.max(0, ...[...types.values()].map((t) => t.length));
  for (const n of nodes) {
    const extras: string[] = [];
    if (n.plates.length) extras.push(`plates ${n.plates.join(", ")}`);
    if (n.parents.length) extras.push(`parents ${n.parents.join(", ")}`);
    if (n.discrete && n.kind === "latent") extras.push("discrete");
    out.push(`  ${n.kind.padEnd(13)}  ${n.name.padEnd(nw)}  ${types.get(n.id)!.padEnd(tw)}${extras.length ? `  ${extras.join("; ")}` : ""}`.trimEnd());
    const indent = " ".repeat(2 + 13 + 2);
    for (const fid of n.factors) {
      const f = g.factors.get(fid)!;
      const target = f.targetExpr ? printExpr(f.targetExpr) : n.name;
      const where = f.plates.length ? `  [${f.plates.join(", ")}]` : "";
      out.push(`${indent}${target} ~ ${formatFactor(f)}${where}  (line ${f.span.line})`);
    }
    for (const [i, text] of definitionText(g, n).entries()) {
      const d = g.definitions.get(n.definitions[i]!)!;
      out.push(`${indent}${d.targetExpr ? "" : `${n.name} `}${text}  (line ${d.span.line})`);
    }
  }
  const potentials = [...g.factors.values()].filter((f) => f.kind === "potential");
  if (potentials.length) {
    out.push("", "potentials");
    for (const f of potentials) out.push(`  ${formatFactor(f)}  uses ${f.parents.join(", ") || "nothing"}  (line ${f.span.line})`);
  }

  if (g.guide) {
    const guide = g.guide;
    out.push("", `guide (line ${guide.span.line})`);
    for (const n of guide.nodes.values()) {
      out.push(`  ${n.kind.padEnd(13)}  ${n.name}  ${nodeType(n)}`);
      for (const text of definitionText(g, n)) out.push(`${" ".repeat(17)}${n.name} ${text}`);
    }
    for (const f of guide.factors.values()) {
      const target = f.targetExpr ? printExpr(f.targetExpr) : "?";
      out.push(`  ${target} ~ ${formatFactor(f)}${f.plates.length ? `  [${f.plates.join(", ")}]` : ""}  (line ${f.span.line})`);
    }
  }

  out.push("", "dependency order");
  out.push(`  ${g.analyses.order.nodes.join(", ")}`);

  if (options.blankets !== false) {
    out.push("", "markov blankets");
    const blankets = [...g.analyses.markovBlankets.values()];
    if (blankets.length === 0) out.push("  (no latents)");
    for (const b of blankets) out.push(...blanketText(g, b));
  }
  if (options.conjugacy !== false) out.push("", ...conjugacyText(g));
  if (options.blankets !== false && g.analyses.markovBlankets.size > 0) out.push("", ...estimatorText(g));
  return out.join("\n") + "\n";
}

/** Greedy word wrap to lines of at most `width` characters (a longer word stays whole). */
function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/**
 * The gradient estimator black-box VI gives each latent: reparameterised for continuous ones (a
 * Gaussian in unconstrained space through the constraint's bijector), score-function for discrete
 * ones, Rao-Blackwellised over the latent's Markov blanket (per element for a local latent).
 */
export function latentEstimator(g: GraphCore, id: string): { estimator: "reparam" | "score"; why: string } {
  const n = g.nodes.get(id)!;
  if (!n.discrete) return { estimator: "reparam", why: "continuous: reparameterised gradients through its bijector" };
  const b = (g as GraphIR).analyses?.markovBlankets.get(id);
  const scope = b && b.local ? `per element over ${n.name}[i]'s Markov blanket` : "over its Markov blanket";
  return { estimator: "score", why: `discrete: score-function gradients with control variates, Rao-Blackwellised ${scope}` };
}

function estimatorText(g: GraphIR): string[] {
  const ids = [...g.analyses.markovBlankets.keys()];
  const w = Math.max(...ids.map((k) => g.nodes.get(k)!.name.length));
  return ["estimators (method bbvi)", ...ids.map((id) => `  ${g.nodes.get(id)!.name.padEnd(w)}  ${latentEstimator(g, id).why}`)];
}

/** Per latent: conjugate (and its exponential family) or, when not, which factor breaks it and why. */
function conjugacyText(g: GraphIR): string[] {
  const c = g.analyses.conjugacy;
  const out = ["conjugacy"];
  if (c.latents.size === 0) return [...out, "  (no latents)"];
  const w = Math.max(...[...c.latents.keys()].map((k) => k.length));
  for (const l of c.latents.values()) {
    if (l.conjugate) {
      out.push(`  ${l.node.padEnd(w)}  conjugate (${l.family})`);
      continue;
    }
    const indent = " ".repeat(w + 6);
    const lines = wrapWords(l.breaking!.reason, 96);
    out.push(`  ${l.node.padEnd(w)}  not conjugate: ${lines[0]}`, ...lines.slice(1).map((x) => `${indent}${x}`));
  }
  out.push(c.allConjugate ? "  every latent is conjugate: CAVI updates them in closed form" : "  not every latent is conjugate: CAVI does not apply");
  return out;
}

function blanketText(g: GraphCore, b: MarkovBlanket): string[] {
  const member = (m: BlanketMember) => (b.local && m.scope === "element" ? `${m.node}[i]` : m.node);
  const list = (ms: readonly BlanketMember[]) => (ms.length ? ms.map(member).join(", ") : "-");
  const head = b.local ? `  ${b.node}[i]  (one element i of plate${b.plates.length > 1 ? "s" : ""} ${b.plates.join(", ")})` : `  ${b.node}`;
  const factors = b.factors.map((fb) => {
    const f = g.factors.get(fb.factor)!;
    return `${fb.role} ${formatFactor(f)}${b.local && fb.scope === "element" ? "[i]" : ""} (line ${f.span.line})`;
  });
  return [
    head,
    `      parents: ${list(b.parents)}; children: ${list(b.children)}${b.through.length ? ` (through ${b.through.join(", ")})` : ""}; co-parents: ${list(b.coParents)}`,
    `      factors: ${factors.join(", ") || "-"}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// DOT

const q = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

function dotAttributes(n: IrNode): Record<string, string> {
  switch (n.kind) {
    case "latent":
      return { shape: "ellipse" };
    case "observed":
      return { shape: "ellipse", style: "filled", fillcolor: "gray80" };
    case "data":
      return { shape: "plaintext" };
    case "deterministic":
      return { shape: "diamond", style: "dashed" };
    case "param":
      return { shape: "box" };
    case "network":
      return n.network?.stochastic ? { shape: "box3d", style: "dashed" } : { shape: "box3d" };
  }
}

function dotNode(g: GraphCore, n: IrNode, id: string): string {
  const lines = [n.name, nodeType(n)];
  for (const fid of n.factors) {
    const f = g.factors.get(fid);
    if (f) lines.push(`~ ${formatFactor(f)}`);
  }
  const attrs = { ...dotAttributes(n), label: lines.join("\n") };
  return `${q(id)} [${Object.entries(attrs)
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(", ")}];`;
}

export function formatGraphDot(g: GraphIR): string {
  const out: string[] = [];
  out.push(`digraph ${q(g.model)} {`);
  out.push(`  graph [label=${q(g.model)}, labelloc="t", fontname="Helvetica", rankdir="TB"];`);
  out.push(`  node [fontname="Helvetica"];`);
  out.push(`  edge [fontname="Helvetica"];`);

  // Each node goes in its innermost plate's cluster; clusters nest like the plates.
  const innermost = (n: IrNode): string | null => {
    let best: string | null = null;
    let depth = -1;
    for (const p of n.plates) {
      let d = 0;
      for (let x = g.plates.get(p); x?.parent; x = g.plates.get(x.parent)) d++;
      if (d > depth) {
        depth = d;
        best = p;
      }
    }
    return best;
  };
  const byPlate = new Map<string | null, IrNode[]>();
  for (const n of g.nodes.values()) {
    const p = innermost(n);
    byPlate.set(p, [...(byPlate.get(p) ?? []), n]);
  }
  const plateIndex = new Map([...g.plates.keys()].map((id, i) => [id, i]));
  const emitPlate = (p: IrPlate, indent: string) => {
    out.push(`${indent}subgraph ${q(`cluster_${plateIndex.get(p.id)}_${p.id.replace(/[^A-Za-z0-9_]/g, "_")}`)} {`);
    out.push(`${indent}  label=${q(p.name === showDim(p.size) ? formatSize(p) : `${p.name}: ${formatSize(p)}`)};`);
    out.push(`${indent}  labeljust="r"; labelloc="b"; style="rounded";`);
    for (const n of byPlate.get(p.id) ?? []) out.push(`${indent}  ${dotNode(g, n, n.id)}`);
    for (const child of g.plates.values()) if (child.parent === p.id) emitPlate(child, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const n of byPlate.get(null) ?? []) out.push(`  ${dotNode(g, n, n.id)}`);
  for (const p of g.plates.values()) if (p.parent === null) emitPlate(p, "  ");

  for (const e of g.edges) {
    const style = e.kinds.includes("index") && e.kinds.length === 1 ? ` [style="dotted"]` : "";
    out.push(`  ${q(e.from)} -> ${q(e.to)}${style};`);
  }

  if (g.guide && g.guide.nodes.size > 0) {
    // The guide's own parameters, with dashed edges into the latents they parameterise.
    out.push(`  subgraph "cluster_guide" {`);
    out.push(`    label="guide"; style="dashed"; color="gray50";`);
    for (const n of g.guide.nodes.values()) out.push(`    ${dotNode(g, n, `guide:${n.id}`)}`);
    out.push("  }");
    for (const e of g.guide.edges) {
      const from = g.guide.nodes.has(e.from) ? `guide:${e.from}` : e.from;
      const to = g.guide.nodes.has(e.to) ? `guide:${e.to}` : e.to;
      out.push(`  ${q(from)} -> ${q(to)} [style="dashed", color="gray50"];`);
    }
  }
  out.push("}");
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// JSON

export interface GraphJsonDistribution {
  readonly name: string;
  readonly args: readonly string[];
  readonly text: string;
  readonly plates: readonly string[];
  readonly span: { readonly line: number; readonly column: number };
}

export interface GraphJsonNode {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
  readonly type: string;
  readonly shape: readonly (number | string)[];
  readonly plates: readonly string[];
  readonly parents: readonly string[];
  readonly discrete: boolean;
  /** The first `~` on the node (its prior, or its likelihood when observed); null if none. */
  readonly distribution: GraphJsonDistribution | null;
  /** Every `~` on the node. */
  readonly distributions: readonly GraphJsonDistribution[];
  /** A let's definitions, printed. */
  readonly definitions: readonly string[];
  readonly network: { readonly name: string; readonly layers: readonly (number | string)[]; readonly activations: Readonly<Record<string, string>>; readonly stochastic: boolean } | null;
  readonly span: { readonly line: number; readonly column: number };
}

export interface GraphJson {
  readonly model: string;
  readonly plates: readonly { readonly id: string; readonly name: string; readonly size: number | string; readonly symbol: string; readonly parent: string | null; readonly origin: string; readonly nodes: readonly string[] }[];
  readonly nodes: readonly GraphJsonNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kinds: readonly string[] }[];
  readonly order: readonly string[];
  readonly factorOrder: readonly string[];
  readonly markovBlankets: Readonly<Record<string, {
    readonly plates: readonly string[];
    readonly local: boolean;
    readonly parents: readonly BlanketMember[];
    readonly children: readonly BlanketMember[];
    readonly coParents: readonly BlanketMember[];
    readonly through: readonly string[];
    readonly blanket: readonly string[];
    readonly factors: readonly { readonly factor: string; readonly role: string; readonly scope: string; readonly distribution: string; readonly line: number }[];
  }>>;
  /** Per latent: conjugate, its prior's family, and when not, the factor that breaks it and why. */
  readonly conjugacy: Readonly<Record<string, { readonly conjugate: boolean; readonly family: string | null; readonly factor: string | null; readonly line: number | null; readonly reason: string | null }>>;
  readonly allConjugate: boolean;
  /** The gradient estimator black-box VI gives each latent, by name. */
  readonly estimators: Readonly<Record<string, "reparam" | "score">>;
  readonly guide: {
    readonly params: readonly string[];
    readonly nodes: readonly GraphJsonNode[];
    readonly factors: readonly { readonly id: string; readonly target: string | null; readonly distribution: GraphJsonDistribution }[];
  } | null;
}

function distJson(f: IrFactor): GraphJsonDistribution {
  return { name: f.distribution ?? "factor", args: f.args.map(printExpr), text: formatFactor(f), plates: [...f.plates], span: pos(f.span) };
}

function nodeJson(g: GraphCore, n: IrNode): GraphJsonNode {
  const dists = n.factors.map((id) => distJson(g.factors.get(id)!));
  return {
    id: n.id,
    name: n.name,
    kind: n.kind,
    type: nodeType(n),
    shape: shapeJson(n),
    plates: [...n.plates],
    parents: [...n.parents],
    discrete: n.discrete,
    distribution: dists[0] ?? null,
    distributions: dists,
    definitions: definitionText(g, n),
    network: n.network
      ? {
          name: n.network.name,
          layers: n.network.concreteLayers ? [...n.network.concreteLayers] : n.network.layers.map(dimJson),
          activations: { ...n.network.activations },
          stochastic: n.network.stochastic,
        }
      : null,
    span: pos(n.span),
  };
}

export function formatGraphJson(g: GraphIR): GraphJson {
  const blankets: Record<string, GraphJson["markovBlankets"][string]> = {};
  for (const b of g.analyses.markovBlankets.values()) {
    blankets[b.node] = {
      plates: [...b.plates],
      local: b.local,
      parents: b.parents.map((m) => ({ ...m })),
      children: b.children.map((m) => ({ ...m })),
      coParents: b.coParents.map((m) => ({ ...m })),
      through: [...b.through],
      blanket: [...b.blanket],
      factors: b.factors.map((fb) => {
        const f = g.factors.get(fb.factor)!;
        return { factor: fb.factor, role: fb.role, scope: fb.scope, distribution: formatFactor(f), line: f.span.line };
      }),
    };
  }
  return {
    model: g.model,
    plates: [...g.plates.values()].map((p) => ({
      id: p.id,
      name: p.name,
      size: p.concreteSize ?? showDim(p.size),
      symbol: showDim(p.size),
      parent: p.parent,
      origin: p.origin,
      nodes: [...p.nodes],
    })),
    nodes: [...g.nodes.values()].map((n) => nodeJson(g, n)),
    edges: g.edges.map((e) => ({ from: e.from, to: e.to, kinds: [...e.kinds] })),
    order: [...g.analyses.order.nodes],
    factorOrder: [...g.analyses.order.factors],
    markovBlankets: blankets,
    conjugacy: Object.fromEntries(
      [...g.analyses.conjugacy.latents.values()].map((l) => [
        l.node,
        { conjugate: l.conjugate, family: l.family, factor: l.breaking?.factor ?? null, line: l.breaking?.line ?? null, reason: l.breaking?.reason ?? null },
      ]),
    ),
    allConjugate: g.analyses.conjugacy.allConjugate,
    estimators: Object.fromEntries([...g.analyses.markovBlankets.keys()].map((id) => [g.nodes.get(id)!.name, latentEstimator(g, id).estimator])),
    guide: g.guide
      ? {
          params: [...g.guide.params],
          nodes: [...g.guide.nodes.values()].map((n) => nodeJson(g, n)),
          factors: [...g.guide.factors.values()].map((f) => ({ id: f.id, target: f.target, distribution: distJson(f) })),
        }
      : null,
  };
}
