/**
 * Consistency models and the anomalies they rule out, named as Elle names them (after Adya,
 * Bailis et al., Cerone et al., Daudjee & Salem): a history with anomaly A is *not* any model
 * that proscribes A or an anomaly A implies, nor any model stronger than that.
 *
 * Three graphs, all data: `IMPLIES` (anomaly -> weaker anomalies it is also an instance of),
 * `STRONGER` (model -> models it implies) and `PROSCRIBES` (model -> anomalies it forbids in
 * addition to what its weaker models forbid).
 *
 * One deliberate difference from Elle's table: every rw edge we infer is on an item (no
 * predicates), so our G-single and G-nonadjacent are the `-item` kinds and also imply G2-item;
 * that is what lets `repeatable-read` be ruled out by a read skew.
 */

const IMPLIES: Record<string, string[]> = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single': ['G-nonadjacent', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2-item', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-item-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-item-realtime'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-process': ['G2-realtime'],
  'incompatible-order': ['G1a'],
  'dirty-update': ['G1a'],
  // A committed append a later reader missed: that reader -rw-> writer -realtime-> reader.
  'lost-append': ['G-single-realtime'],
  'PL-1-cycle-exists': ['PL-2-cycle-exists'],
  'PL-2-cycle-exists': ['PL-2.99-cycle-exists'],
  'PL-2.99-cycle-exists': ['strong-session-serializable-cycle-exists'],
  'strong-session-serializable-cycle-exists': ['PL-SS-cycle-exists'],
};

const STRONGER: Record<string, string[]> = {
  'strict-serializable': [
    'serializable',
    'strong-snapshot-isolation',
    'strong-session-serializable',
  ],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  serializable: ['repeatable-read', 'snapshot-isolation', 'update-serializable'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-read-committed'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-read-committed'],
  'snapshot-isolation': ['forward-consistent-view', 'monotonic-atomic-view'],
  'update-serializable': ['forward-consistent-view'],
  'forward-consistent-view': ['consistent-view'],
  'consistent-view': ['cursor-stability'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'cursor-stability': ['read-committed'],
  'monotonic-atomic-view': ['read-committed'],
  'read-committed': ['read-uncommitted'],
  'strong-read-committed': ['strong-session-read-committed', 'strong-read-uncommitted'],
  'strong-session-read-committed': ['read-committed', 'strong-session-read-uncommitted'],
  'strong-read-uncommitted': ['strong-session-read-uncommitted'],
  'strong-session-read-uncommitted': ['read-uncommitted'],
  'read-uncommitted': [],
};

const PROSCRIBES: Record<string, string[]> = {
  'read-uncommitted': ['G0', 'duplicate-elements', 'PL-1-cycle-exists'],
  'read-committed': ['G1', 'PL-2-cycle-exists'],
  'cursor-stability': ['G1'],
  'consistent-view': ['G1', 'G-single'],
  'forward-consistent-view': ['G1'],
  'repeatable-read': ['G1', 'G2-item', 'PL-2.99-cycle-exists'],
  'snapshot-isolation': ['internal', 'G1', 'G-nonadjacent'],
  'strong-session-snapshot-isolation': ['internal', 'G1-process', 'G-nonadjacent-process'],
  'strong-snapshot-isolation': ['internal', 'G1-realtime', 'G-nonadjacent-realtime'],
  'update-serializable': ['G1'],
  serializable: ['internal', 'G1', 'G2'],
  'strong-session-serializable': [
    'G1-process',
    'G2-process',
    'strong-session-serializable-cycle-exists',
  ],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'],
  'strong-session-read-uncommitted': ['G0-process'],
  'strong-read-uncommitted': ['G0-realtime'],
  'strong-session-read-committed': ['G1c-process'],
  'strong-read-committed': ['G1c-realtime'],
};

/** Other names users type for the same models. */
const ALIASES: Record<string, string> = {
  'strong-serializable': 'strict-serializable',
  'conflict-serializable': 'serializable',
  'PL-3': 'serializable',
  'PL-2': 'read-committed',
  'PL-1': 'read-uncommitted',
  'PL-2.99': 'repeatable-read',
  'PL-SI': 'snapshot-isolation',
  'PL-SS': 'strict-serializable',
  'PL-2+': 'consistent-view',
};

export const MODELS: readonly string[] = Object.keys(STRONGER).sort();

export function canonicalModel(name: string): string | undefined {
  const m = ALIASES[name] ?? name;
  return m in STRONGER ? m : undefined;
}

function closure(start: Iterable<string>, next: (x: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const x = todo.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    todo.push(...next(x));
  }
  return seen;
}

const invert = (g: Record<string, string[]>) => {
  const inv: Record<string, string[]> = {};
  for (const [a, bs] of Object.entries(g)) for (const b of bs) (inv[b] ??= []).push(a);
  return inv;
};
const WEAKER_OF = invert(STRONGER); // model -> models that imply it
const PROSCRIBED_BY = invert(PROSCRIBES);

/** Every anomaly the given ones are also instances of (themselves included). */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, (a) => IMPLIES[a] ?? []);
}

/** Models the anomalies rule out, with every stronger model. */
export function impossibleModels(anomalies: Iterable<string>): Set<string> {
  const direct = new Set<string>();
  for (const a of impliedAnomalies(anomalies))
    for (const m of PROSCRIBED_BY[a] ?? []) direct.add(m);
  return closure(direct, (m) => WEAKER_OF[m] ?? []);
}

/** Elle's boundary: `not` = the weakest ruled-out models, `alsoNot` = the stronger rest. */
export function boundary(anomalies: Iterable<string>): { not: string[]; alsoNot: string[] } {
  const bad = impossibleModels(anomalies);
  const not = [...bad].filter((m) => !(STRONGER[m] ?? []).some((w) => bad.has(w))).sort();
  return { not, alsoNot: [...bad].filter((m) => !not.includes(m)).sort() };
}

/** Whether the model (canonical name) forbids any of the anomalies. */
export function violates(model: string, anomalies: Iterable<string>): boolean {
  return impossibleModels(anomalies).has(model);
}
