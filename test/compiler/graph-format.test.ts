import { describe, expect, it } from "vitest";
import { formatGraphDot, formatGraphJson, formatGraphText } from "../../compiler/index.js";
import { compileExample } from "./helpers.js";

const EXAMPLES = ["coin", "normal_gamma", "linreg", "logreg", "eight_schools", "gmm", "vae", "cvae", "bnn"];

/** A small DOT tokenizer: quoted strings, identifiers, punctuation; checks balance and returns the node ids. */
function checkDot(dot: string): { nodes: Set<string>; edges: [string, string][]; clusters: string[] } {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|->|[{}[\];,=])/y;
  let pos = 0;
  while (pos < dot.length) {
    if (/^\s*$/.test(dot.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(dot);
    if (!m) throw new Error(`bad DOT at ${pos}: ${JSON.stringify(dot.slice(pos, pos + 30))}`);
    tokens.push(m[1]!);
    pos = re.lastIndex;
  }
  let depth = 0;
  let brackets = 0;
  for (const t of tokens) {
    if (t === "{") depth++;
    if (t === "}") depth--;
    if (t === "[") brackets++;
    if (t === "]") brackets--;
    if (depth < 0 || brackets < 0) throw new Error("unbalanced");
  }
  expect(depth).toBe(0);
  expect(brackets).toBe(0);
  expect(tokens[0]).toBe("digraph");
  const unq = (s: string) => (s.startsWith('"') ? JSON.parse(s) : s);
  const nodes = new Set<string>();
  const edges: [string, string][] = [];
  const clusters: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "subgraph") clusters.push(unq(tokens[i + 1]!));
    if (tokens[i + 1] === "->") edges.push([unq(t), unq(tokens[i + 2]!)]);
    // A node statement: an id followed by an attribute list, not a keyword.
    if (tokens[i + 1] === "[" && !["graph", "node", "edge"].includes(t) && tokens[i - 1] !== "->") nodes.add(unq(t));
  }
  return { nodes, edges, clusters };
}

describe("DOT", () => {
  it.each(EXAMPLES)("%s: parses, declares every node, and every edge joins declared nodes", (name) => {
    const g = compileExample(name).graph;
    const dot = formatGraphDot(g);
    const { nodes, edges, clusters } = checkDot(dot);
    for (const id of g.nodes.keys()) expect(nodes.has(id)).toBe(true);
    for (const [a, b] of edges) {
      expect(nodes.has(a)).toBe(true);
      expect(nodes.has(b)).toBe(true);
    }
    for (const e of g.edges) expect(edges).toContainEqual([e.from, e.to]);
    // One cluster per plate (plus the guide's), all named cluster_*.
    expect(clusters.filter((c) => c !== "cluster_guide")).toHaveLength(g.plates.size);
    for (const c of clusters) expect(c.startsWith("cluster")).toBe(true);
  });

  it("draws kinds with their shapes and plates as labelled clusters", () => {
    const dot = formatGraphDot(compileExample("eight_schools", new Map([["J", 8]])).graph);
    expect(dot).toMatch(/"mu" \[shape="ellipse"/);
    expect(dot).toMatch(/"y" \[shape="ellipse", style="filled"/);
    expect(dot).toMatch(/"sigma" \[shape="plaintext"/);
    expect(dot).toMatch(/"theta" \[shape="diamond", style="dashed"/);
    expect(dot).toMatch(/subgraph "cluster_0_J" \{\n\s+label="J = 8";/);
    // eta, theta, y sit inside the J cluster; mu, tau do not.
    const cluster = dot.slice(dot.indexOf("subgraph"), dot.indexOf("}", dot.indexOf("subgraph")));
    for (const id of ["eta", "theta", "y"]) expect(cluster).toContain(`"${id}" [`);
    for (const id of ["mu", "tau"]) expect(cluster).not.toContain(`"${id}" [`);
    const vae = formatGraphDot(compileExample("vae").graph);
    expect(vae).toMatch(/"decoder" \[shape="box3d"/);
  });

  it("quotes identifiers and escapes labels", () => {
    const dot = formatGraphDot(compileExample("gmm").graph);
    expect(dot).toContain('label="x\\nreal[N]\\n~ Normal(mu[z], sigma[z])"');
    expect(() => checkDot(dot)).not.toThrow();
  });
});

describe("JSON", () => {
  it.each(EXAMPLES)("%s: has the schema fields and round-trips through JSON.stringify", (name) => {
    const g = compileExample(name).graph;
    const j = JSON.parse(JSON.stringify(formatGraphJson(g)));
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["model", "plates", "nodes", "edges", "order", "markovBlankets"]));
    expect(j.model).toBe(g.model);
    for (const p of j.plates) expect(Object.keys(p)).toEqual(expect.arrayContaining(["name", "size"]));
    expect(j.nodes.map((n: { id: string }) => n.id)).toEqual([...g.nodes.keys()]);
    for (const n of j.nodes) {
      expect(Object.keys(n)).toEqual(expect.arrayContaining(["id", "name", "kind", "type", "shape", "plates", "parents", "distribution", "span"]));
      expect(typeof n.span.line).toBe("number");
      expect(typeof n.span.column).toBe("number");
    }
    for (const e of j.edges) expect(Object.keys(e)).toEqual(expect.arrayContaining(["from", "to"]));
    expect(j.order).toEqual(g.analyses.order.nodes);
    expect(Object.keys(j.markovBlankets)).toEqual([...g.analyses.markovBlankets.keys()]);
  });

  it("eight_schools: distributions, shapes and sizes", () => {
    const j = formatGraphJson(compileExample("eight_schools", new Map([["J", 8]])).graph);
    expect(j.plates).toEqual([expect.objectContaining({ name: "J", size: 8, symbol: "J" })]);
    const y = j.nodes.find((n) => n.id === "y")!;
    expect(y.kind).toBe("observed");
    expect(y.shape).toEqual([8]);
    expect(y.distribution).toMatchObject({ name: "Normal", args: ["theta", "sigma"], span: { line: 17, column: 3 } });
    const theta = j.nodes.find((n) => n.id === "theta")!;
    expect(theta.distribution).toBeNull();
    expect(theta.definitions).toEqual(["= mu + tau * eta"]);
    expect(j.markovBlankets["eta"]!.local).toBe(true);
    const sym = formatGraphJson(compileExample("eight_schools").graph);
    expect(sym.plates[0]!.size).toBe("J");
    expect(sym.nodes.find((n) => n.id === "y")!.shape).toEqual(["J"]);
  });

  it("vae: networks and the guide", () => {
    const j = formatGraphJson(compileExample("vae").graph);
    const dec = j.nodes.find((n) => n.id === "decoder")!;
    expect(dec.network).toMatchObject({ name: "MLP", layers: [20, 400, "D"], stochastic: false });
    expect(j.guide!.factors.map((f) => f.target)).toEqual(["z"]);
  });
});

describe("text", () => {
  it.each(EXAMPLES)("%s: mentions the model, every node, plate and latent blanket", (name) => {
    const g = compileExample(name).graph;
    const text = formatGraphText(g);
    expect(text).toContain(`model ${g.model}`);
    for (const n of g.nodes.values()) expect(text).toMatch(new RegExp(`\\b${n.name}\\b`));
    for (const p of g.plates.values()) expect(text).toContain(p.id);
    expect(text).toContain("dependency order");
    expect(text).toContain("markov blankets");
  });

  it("eight_schools: kinds, distributions with lines, order and blankets", () => {
    const text = formatGraphText(compileExample("eight_schools", new Map([["J", 8]])).graph);
    expect(text).toContain("size J = 8");
    expect(text).toMatch(/latent\s+mu\s+real/);
    expect(text).toContain("mu ~ Normal(0, scale)  (line 14)");
    expect(text).toContain("theta = mu + tau * eta  (line 12)");
    expect(text).toContain("J, sigma, mu, tau, eta, theta, y");
    expect(text).toContain("eta[i]  (one element i of plate J)");
    for (const line of text.split("\n")) expect(line.length).toBeLessThan(160);
  });
});
