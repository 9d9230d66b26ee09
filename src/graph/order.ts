/**
 * Graph algorithms on node ids: cycle detection (with the cycle's path, for the message),
 * topological order, and reachability.
 */

export type Adjacency = ReadonlyMap<string, readonly string[]>;

/** One cycle as a closed path (`a → b → a`), or undefined when the graph is acyclic. */
export function findCycle(nodes: readonly string[], next: Adjacency): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'open');
    stack.push(id);
    for (const to of next.get(id) ?? []) {
      if (state.get(to) === 'open') return [...stack.slice(stack.indexOf(to)), to];
      if (!state.has(to)) {
        const found = visit(to);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of nodes) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}

/** Kahn's algorithm; ties keep declaration order so renders are stable. Assumes no cycle. */
export function topologicalOrder(nodes: readonly string[], next: Adjacency): string[] {
  const indegree = new Map(nodes.map((id) => [id, 0]));
  for (const id of nodes) for (const to of next.get(id) ?? []) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const ready = nodes.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift() as string;
    order.push(id);
    for (const to of next.get(id) ?? []) {
      const left = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  return order;
}

/** Every node from which one of `targets` can be reached (targets included). */
export function reachingAny(targets: Iterable<string>, previous: Adjacency): Set<string> {
  const seen = new Set<string>();
  const todo = [...targets];
  while (todo.length) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(previous.get(id) ?? []));
  }
  return seen;
}
