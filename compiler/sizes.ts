/**
 * Size arithmetic for the IR: turning a loop bound into a plate size, and evaluating symbolic
 * sizes (`N`, `K-1`, `latent_dim+classes`) once the data sizes are known.
 */
import { combineDims, type Dim } from "./lang.js";

/**
 * Combines two sizes the way the checker does (constants fold, `K-1` + 1 is `K`, the rest print
 * as the checker prints them); null when either is unknown.
 */
export function combineSizes(op: "+" | "-" | "*" | "/", a: Dim, b: Dim): Dim | null {
  const d = combineDims(op, a, b);
  return d.kind === "unknown" ? null : d;
}

/**
 * Evaluates a printed size expression over known sizes: identifiers, integers, `+ - * /` (integer
 * division) and parentheses. Returns null when a name is unknown or the text is not a size.
 */
export function evalSizeText(text: string, env: ReadonlyMap<string, number>): number | null {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|[-+*/()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === "(") {
      const v = additive();
      if (tokens[pos++] !== ")") return null;
      return v;
    }
    if (t === "-") {
      const v = primary();
      return v === null ? null : -v;
    }
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) return env.get(t) ?? null;
    return null;
  };
  const multiplicative = (): number | null => {
    let v = primary();
    while (v !== null && (peek() === "*" || peek() === "/")) {
      const op = tokens[pos++];
      const r = primary();
      if (r === null) return null;
      if (op === "/" && r === 0) return null;
      v = op === "*" ? v * r : Math.trunc(v / r);
    }
    return v;
  };
  const additive = (): number | null => {
    let v = multiplicative();
    while (v !== null && (peek() === "+" || peek() === "-")) {
      const op = tokens[pos++];
      const r = multiplicative();
      if (r === null) return null;
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };
  const v = additive();
  return pos === tokens.length ? v : null;
}

export function evalDim(d: Dim, env: ReadonlyMap<string, number>): number | null {
  if (d.kind === "const") return d.value;
  if (d.kind === "unknown") return null;
  return evalSizeText(d.name, env);
}

export function evalShape(dims: readonly Dim[], env: ReadonlyMap<string, number>): number[] | null {
  const out: number[] = [];
  for (const d of dims) {
    const v = evalDim(d, env);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

export const dimKey = (d: Dim): string => (d.kind === "const" ? `#${d.value}` : d.kind === "sym" ? d.name : "?");

export const sameSize = (a: Dim, b: Dim): boolean => a.kind !== "unknown" && dimKey(a) === dimKey(b);
