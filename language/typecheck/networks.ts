/**
 * Network types: `MLP(20 -> 400 -> 784, hidden: relu, out: sigmoid)`. The layer sizes are sizes
 * (positive ints), the options are checked against the network's signature: an unknown option or
 * activation lists the valid ones.
 */
import type { NetworkType } from "../ast.js";
import type { NetworkSignature } from "../signatures.js";
import { ERROR_T, UNKNOWN_DIM, showDim, type Dim, type NetworkT, type ErrorT } from "../types.js";
import * as E from "../errors/types.js";
import { nearestName } from "../suggest.js";
import type { Checker } from "./context.js";
import { checkExpr } from "./expressions.js";
import { showExpr } from "./show.js";
import { evalSize } from "./sizes.js";

export interface CheckedNetwork {
  readonly type: NetworkT | ErrorT;
  readonly signature?: NetworkSignature;
}

export function checkNetworkType(t: NetworkType, ck: Checker): CheckedNetwork {
  const name = t.name.name;
  const sig = ck.signatures.networks.get(name);
  if (!sig) {
    const known = [...ck.signatures.networks.keys()];
    ck.report(E.unknownNetwork(name, t.name.span, nearestName(name, known), known));
    return { type: ERROR_T };
  }
  let ok = true;
  const n = t.layers.length;
  if (n < sig.minLayers || (sig.maxLayers !== undefined && n > sig.maxLayers)) {
    ck.report(E.wrongLayerCount(name, n, sig.minLayers, sig.maxLayers, t.span));
    ok = false;
  }
  const layers: Dim[] = t.layers.map((l) => {
    if (l.kind === "Number" && (!l.isInt || l.value <= 0)) {
      ck.report(E.badLayerSize(showExpr(l), l.span));
      ok = false;
      return UNKNOWN_DIM;
    }
    const d = evalSize(l, ck);
    if (d.kind === "const" && d.value <= 0) {
      ck.report(E.badLayerSize(`${showExpr(l)} = ${showDim(d)}`, l.span));
      ok = false;
    }
    return d;
  });
  const activations: Record<string, string> = {};
  for (const [opt, spec] of Object.entries(sig.options)) {
    if (typeof spec.default === "string") activations[opt] = spec.default;
  }
  const seen = new Set<string>();
  for (const o of t.options) {
    const optName = o.name.name;
    const spec = sig.options[optName];
    if (!spec) {
      const names = Object.keys(sig.options);
      ck.report(E.unknownNetworkOption(optName, name, o.name.span, nearestName(optName, names), names));
      ok = false;
      continue;
    }
    if (seen.has(optName)) {
      ck.report(E.unknownNetworkOption(optName, name, o.name.span, undefined, Object.keys(sig.options)));
      ok = false;
      continue;
    }
    seen.add(optName);
    if (spec.values) {
      // An activation is a word, not a variable: `hidden: relu` never looks `relu` up.
      if (o.value.kind !== "Identifier" || !spec.values.includes(o.value.name)) {
        const got = o.value.kind === "Identifier" ? `'${o.value.name}'` : `'${showExpr(o.value)}'`;
        const sugg = o.value.kind === "Identifier" ? nearestName(o.value.name, spec.values) : undefined;
        ck.report(E.badNetworkOptionValue(optName, name, got, o.value.span, sugg, spec.values));
        ok = false;
        continue;
      }
      activations[optName] = o.value.name;
    } else {
      const c = checkExpr(o.value, ck);
      const good =
        c.type.kind === "tensor" && c.type.shape.length === 0 && typeof c.value === "number" && (spec.type !== "int" || Number.isInteger(c.value));
      if (!good) {
        ck.report(E.badNetworkOptionValue(optName, name, `'${showExpr(o.value)}'`, o.value.span, undefined, undefined));
        ok = false;
      } else activations[optName] = String(c.value);
    }
  }
  if (!ok) return { type: ERROR_T, signature: sig };
  return { type: { kind: "network", name, layers, activations }, signature: sig };
}
