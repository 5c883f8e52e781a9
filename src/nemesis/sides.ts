/**
 * A partition as people draw it, from its grudge (node -> nodes it drops traffic from): the
 * sides that cannot talk ("n1 | n2 n3 n4 n5"), a bridge ("n1 n2 ↔ n3 ↔ n4 n5": the middle node
 * talks to both halves), and for shapes that are neither (majorities-ring, one-way cuts) who
 * cannot hear whom ("n1 ✕ n3 n4; ..."). Pure: the terminal, summary.txt and the report all
 * print a partition through this.
 */

/** Node names in a stable, human order (n2 before n10). */
const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

/** The partition's sides; `nodes` adds members the grudge does not mention (they see everyone). */
export function partitionSides(
  grudge: Readonly<Record<string, readonly string[]>>,
  nodes: readonly string[] = [],
): string {
  const all = [
    ...new Set([...nodes, ...Object.keys(grudge), ...Object.values(grudge).flat()]),
  ].sort(byName);
  const drops = (a: string, b: string): boolean => (grudge[a] ?? []).includes(b);
  const cut = (a: string, b: string): boolean => drops(a, b) || drops(b, a);
  const symmetric = all.every((a) => all.every((b) => drops(a, b) === drops(b, a)));
  if (all.length === 0) return '(no nodes)';
  if (symmetric) {
    const sides = cliques(all, cut);
    if (sides) return sides.map((s) => s.join(' ')).join(' | ');
    // A bridge: hubs that talk to everyone, joining sides that cannot talk to each other.
    const hubs = all.filter((a) => all.every((b) => !cut(a, b)));
    const rest = all.filter((a) => !hubs.includes(a));
    const halves = hubs.length > 0 ? cliques(rest, cut) : undefined;
    if (halves && halves.length === 2)
      return `${halves[0]!.join(' ')} ↔ ${hubs.join(' ')} ↔ ${halves[1]!.join(' ')}`;
    return all
      .filter((a) => all.some((b) => cut(a, b)))
      .map((a) => `${a} ✕ ${all.filter((b) => cut(a, b)).join(' ')}`)
      .join('; ');
  }
  return all
    .filter((a) => (grudge[a] ?? []).length > 0)
    .map((a) => `${a} drops ${[...grudge[a]!].sort(byName).join(' ')}`)
    .join('; ');
}

/**
 * Splits `nodes` into groups where everyone in a group talks to everyone in it and to no one
 * outside it; undefined when the cuts do not form such groups.
 */
function cliques(
  nodes: readonly string[],
  cut: (a: string, b: string) => boolean,
): string[][] | undefined {
  const groups: string[][] = [];
  for (const n of nodes) {
    const g = groups.find((g) => !cut(g[0]!, n));
    if (g) g.push(n);
    else groups.push([n]);
  }
  for (const g of groups)
    for (const a of g) {
      for (const b of g) if (cut(a, b)) return undefined;
      for (const h of groups) if (h !== g && h.some((b) => !cut(a, b))) return undefined;
    }
  return groups;
}

/**
 * What a fault hit, for people: a partition's sides when its grudge is known, else the
 * resolved target nodes. `targets` and `details` as recorded in the history (a start op's
 * completion value) or returned by the nemesis.
 */
export function faultScope(
  targets: unknown,
  details?: unknown,
  /** Every member, for histories whose details do not list them (see `nodesOf`). */
  members: readonly string[] = [],
): string {
  const nodes = Array.isArray(targets) ? targets.map(String) : [];
  const grudge = isRecord(details) ? details.grudge : undefined;
  if (isRecord(grudge) && Object.values(grudge).every(Array.isArray)) {
    const all = isRecord(details) && Array.isArray(details.nodes) ? details.nodes.map(String) : [];
    return partitionSides(grudge as Record<string, string[]>, [...all, ...members, ...nodes]);
  }
  if (nodes.length > 0) return nodes.join(',');
  if (typeof targets === 'string') return targets;
  if (isRecord(targets) && Array.isArray(targets.nodes)) return targets.nodes.map(String).join(',');
  return '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
