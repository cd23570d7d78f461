/** Topological sorting shared by lowering (cycle reports) and the order analysis. */

/** Kahn's algorithm, ties broken by the input order; returns a cycle when there is one. */
export function topoSort(ids: readonly string[], parentsOf: (id: string) => readonly string[]): { order: string[]; cycle: string[] | null } {
  const index = new Map(ids.map((id, i) => [id, i]));
  const indeg = new Map(ids.map((id) => [id, 0]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) {
    for (const p of new Set(parentsOf(id))) {
      if (!index.has(p) || p === id) continue;
      indeg.set(id, indeg.get(id)! + 1);
      children.get(p)!.push(id);
    }
  }
  const ready = ids.filter((id) => indeg.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const c of children.get(id)!) {
      indeg.set(c, indeg.get(c)! - 1);
      if (indeg.get(c) === 0) ready.push(c);
    }
  }
  if (order.length === ids.length) return { order, cycle: null };
  // Walk parents among the remaining nodes until one repeats: that is a cycle.
  const left = new Set(ids.filter((id) => !order.includes(id)));
  let cur = [...left][0]!;
  const seen: string[] = [];
  while (!seen.includes(cur)) {
    seen.push(cur);
    cur = [...new Set(parentsOf(cur))].find((p) => left.has(p) && p !== cur) ?? cur;
    if (seen.includes(cur)) break;
  }
  const cycle = seen.slice(seen.indexOf(cur)).reverse();
  return { order, cycle };
}
