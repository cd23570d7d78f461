/**
 * IR invariants. The type checker and the lowerer stop bad programs, so a violation here is a
 * compiler bug: each one is an internal error (PPL93xx) that says "please report".
 */
import type { Diagnostic, Span } from "../lang.js";
import { invariantViolation } from "../errors.js";
import { isRandom, type GraphCore, type IrEdge, type IrNode } from "../ir.js";
import { topoSort } from "./toposort.js";

export function validateGraph(g: GraphCore): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (kind: Parameters<typeof invariantViolation>[0], detail: string, span?: Span) => out.push(invariantViolation(kind, detail, span));
  const guideNodes = g.guide?.nodes ?? new Map<string, IrNode>();
  const anyNode = (id: string) => g.nodes.get(id) ?? guideNodes.get(id);

  // Edges and references point at nodes that exist.
  const checkEdges = (edges: readonly IrEdge[], where: string) => {
    for (const e of edges) {
      if (!anyNode(e.from)) bad("danglingEdge", `${where} edge ${e.from} -> ${e.to}: no node '${e.from}'`);
      if (!anyNode(e.to)) bad("danglingEdge", `${where} edge ${e.from} -> ${e.to}: no node '${e.to}'`);
    }
  };
  checkEdges(g.edges, "model");
  if (g.guide) checkEdges(g.guide.edges, "guide");
  for (const e of g.edges) {
    if (guideNodes.has(e.from) || guideNodes.has(e.to)) bad("danglingEdge", `model edge ${e.from} -> ${e.to} touches a guide node`);
  }

  for (const n of g.nodes.values()) {
    for (const p of n.parents) if (!g.nodes.has(p)) bad("danglingEdge", `node '${n.id}' has an unknown parent '${p}'`, n.span);
    for (const c of n.children) if (!g.nodes.has(c)) bad("danglingEdge", `node '${n.id}' has an unknown child '${c}'`, n.span);
  }
  const allFactors = [...g.factors.values(), ...(g.guide ? g.guide.factors.values() : [])];
  for (const f of allFactors) {
    if (f.target !== null && !anyNode(f.target)) bad("danglingEdge", `factor ${f.id} targets an unknown node '${f.target}'`, f.span);
    for (const u of f.uses) if (!anyNode(u.node)) bad("danglingEdge", `factor ${f.id} uses an unknown node '${u.node}'`, f.span);
    if (f.kind === "sample" && (f.target === null || f.distribution === null)) bad("inconsistent", `sample factor ${f.id} has no target or distribution`, f.span);
    if (f.kind === "potential" && f.target !== null) bad("inconsistent", `potential ${f.id} has a target`, f.span);
    for (const p of f.plates) if (!g.plates.has(p)) bad("plateNesting", `factor ${f.id} is in an unknown plate '${p}'`, f.span);
  }
  for (const d of [...g.definitions.values(), ...(g.guide ? g.guide.definitions.values() : [])]) {
    const n = anyNode(d.node);
    if (!n) bad("danglingEdge", `definition ${d.id} defines an unknown node '${d.node}'`, d.span);
    else if (n.kind !== "deterministic") bad("inconsistent", `definition ${d.id} defines ${n.kind} '${n.id}'`, d.span);
    for (const u of d.uses) if (!anyNode(u.node)) bad("danglingEdge", `definition ${d.id} uses an unknown node '${u.node}'`, d.span);
  }
  if (g.guide) {
    for (const f of g.guide.factors.values()) {
      const t = f.target === null ? undefined : g.nodes.get(f.target);
      if (f.kind === "sample" && (!t || !isRandom(t))) bad("inconsistent", `guide factor ${f.id} does not target a model latent`, f.span);
    }
  }

  // Acyclic.
  const ids = [...g.nodes.keys()];
  const { cycle } = topoSort(ids, (id) => g.nodes.get(id)!.parents);
  if (cycle) bad("cycle", `the model graph has a cycle: ${[...cycle, cycle[0]].join(" -> ")}`);
  for (const e of g.edges) if (e.from === e.to) bad("cycle", `self-edge on '${e.from}'`);

  // Node kinds and their factors and definitions.
  for (const n of g.nodes.values()) {
    if (isRandom(n) && n.factors.length === 0) bad("latentWithoutFactor", `latent '${n.id}' has no '~' statement`, n.span);
    if (n.kind === "observed" && n.factors.length === 0) bad("inconsistent", `observed '${n.id}' is not the target of any '~'`, n.span);
    if ((n.kind === "observed" || n.kind === "data") && n.definitions.length > 0) bad("observedWithDefinition", `${n.kind} '${n.id}' has a defining expression`, n.span);
    if (n.kind === "data" && n.factors.length > 0) bad("inconsistent", `data '${n.id}' is the target of a '~' but is not marked observed`, n.span);
    if (n.kind === "deterministic" && n.factors.length > 0) bad("inconsistent", `let '${n.id}' is the target of a '~'`, n.span);
    if (n.kind === "deterministic" && n.definitions.length === 0) bad("inconsistent", `let '${n.id}' has no definition`, n.span);
    if (n.kind === "network" && !n.network) bad("inconsistent", `network '${n.id}' has no network description`, n.span);
  }

  // Plates nest: parents exist, no plate is its own ancestor, a node's plates form a chain.
  for (const p of g.plates.values()) {
    if (p.parent !== null && !g.plates.has(p.parent)) bad("plateNesting", `plate '${p.id}' has an unknown parent '${p.parent}'`, p.span);
    const seen = new Set<string>();
    for (let q: string | null = p.id; q !== null; q = g.plates.get(q)?.parent ?? null) {
      if (seen.has(q)) {
        bad("plateNesting", `plate '${p.id}' is nested in itself`, p.span);
        break;
      }
      seen.add(q);
    }
  }
  for (const n of [...g.nodes.values(), ...guideNodes.values()]) {
    for (const p of n.plates) {
      const plate = g.plates.get(p);
      if (!plate) bad("plateNesting", `node '${n.id}' is in an unknown plate '${p}'`, n.span);
      else if (plate.parent !== null && !n.plates.includes(plate.parent)) bad("plateNesting", `node '${n.id}' is in plate '${p}' but not in its parent '${plate.parent}'`, n.span);
    }
    n.axisPlates.forEach((p) => {
      if (p !== null && !n.plates.includes(p)) bad("plateNesting", `node '${n.id}' has an axis in plate '${p}' it is not in`, n.span);
    });
    if (n.kind === "latent" || n.kind === "observed") {
      const factorPlates = new Set(n.factors.flatMap((f) => g.factors.get(f)?.plates ?? []));
      for (const p of n.plates) if (!factorPlates.has(p)) bad("plateNesting", `'${n.id}' is in plate '${p}' but none of its factors is`, n.span);
    }
  }

  // Spans.
  const spanned: { what: string; span: Span | undefined }[] = [
    ...[...g.nodes.values(), ...guideNodes.values()].map((n) => ({ what: `node '${n.id}'`, span: n.span })),
    ...allFactors.map((f) => ({ what: `factor ${f.id}`, span: f.span })),
    ...[...g.plates.values()].map((p) => ({ what: `plate '${p.id}'`, span: p.span })),
  ];
  for (const s of spanned) {
    if (!s.span || !(s.span.line >= 1) || !(s.span.end >= s.span.start)) bad("missingSpan", `${s.what} has no source span`);
  }
  return out;
}
