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
  // The ready set is a binary min-heap on input position, so ties go to the earlier node.
  const ready = new MinHeap();
  ids.forEach((id, i) => indeg.get(id) === 0 && ready.push(i));
  const order: string[] = [];
  while (ready.size > 0) {
    const id = ids[ready.pop()]!;
    order.push(id);
    for (const c of children.get(id)!) {
      indeg.set(c, indeg.get(c)! - 1);
      if (indeg.get(c) === 0) ready.push(index.get(c)!);
    }
  }
  if (order.length === ids.length) return { order, cycle: null };
  // Walk parents among the remaining nodes until one repeats: that is a cycle.
  const placed = new Set(order);
  const left = new Set(ids.filter((id) => !placed.has(id)));
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

class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
