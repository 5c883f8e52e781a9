/**
 * The linearizability search for one partition: Wing & Gong's algorithm with Lowe's memo of
 * configurations, as in Porcupine's checkSingle.
 *
 * The history is a doubly linked list of call and return entries in real-time order. Walking
 * from the head, a call entry whose op is legal in the current state is linearized: the op (its
 * call and return entries) is lifted out of the list, pushed on a stack, and the walk restarts
 * at the head. Reaching a return entry means that op's deadline passed before it could be
 * linearized, so the last choice is undone (unlifted) and the walk goes on after it. Visited
 * configurations (linearized set, state) are memoized so no subtree is searched twice.
 *
 * What makes it fast here:
 * - states are interned to small integers and transitions memoized per (state, op), so the
 *   model's `step` runs once per pair and the hot loop only reads typed arrays;
 * - the linearized set is a Uint32Array bitset with an incremental 64-bit Zobrist hash, and the
 *   memo is a flat open-addressing table (ConfigSet) — no allocation per step;
 * - `info` ops (and invokes never completed) have no return entry (their return is +infinity)
 *   and the search succeeds once every `ok` op is linearized: indeterminate ops are never forced.
 *
 * Bounds (time, memory, a shared cancel flag) are checked every few thousand steps; hitting one
 * yields 'unknown' with the deepest prefix reached so far, never a crash or a silent true.
 */
import type { Validity } from '../result.js';
import { DominanceMemo } from './config-set.js';
import type { Model, ModelOp } from './model.js';
import { MISSING, TransitionMemo } from './transition-memo.js';

export interface SearchLimits {
  /** Absolute `performance.now()` deadline in ms (Infinity: none). */
  deadline: number;
  /** Budget for the memo, interned states and transition tables. */
  memoryLimitBytes: number;
  /** Shared cancel flag: the search stops when element 0 becomes non-zero. */
  cancel?: Int32Array;
  /** Give up ('unknown', reason 'step-limit') after this many search steps. */
  maxSteps?: number;
  /** How many distinct deepest prefixes to keep for the explanation. */
  maxPrefixes?: number;
}

/** A longest linearizable prefix: ops (ids, in linearization order) and the state after them. */
export interface Prefix {
  ops: number[];
  /** The model state after the prefix, described. */
  state: string;
  /** The op whose return came before it could be linearized after this prefix. */
  blockedOp: number;
}

export interface SearchOutcome {
  valid: Validity;
  reason?: 'time-limit' | 'memory-limit' | 'cancelled' | 'step-limit';
  /** A witness order (op ids) when valid. */
  linearization?: number[];
  /** Deepest prefixes reached (when invalid or undecided). */
  longest: Prefix[];
  configurations: number;
  states: number;
  steps: number;
  memoryBytes: number;
  timeMs: number;
}

const DENSE_STATES = 256;
/** Lookups of a state (in the transition memo) before it gets a dense row. */
const DENSE_AFTER = 32;
/** How far past the first pending return the viability check looks. */
const VIABLE_WALK = 64;
const ILLEGAL = -1;
const ROW_BUDGET_FRACTION = 4;

/** Deterministic 32-bit PRNG (mulberry32) for Zobrist keys. */
function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) | 0;
  };
}

export function searchPartition(
  ops: readonly ModelOp[],
  model: Model<unknown>,
  limits: SearchLimits,
): SearchOutcome {
  const t0 = performance.now();
  const n = ops.length;
  model.prepare?.(ops);
  const maxPrefixes = limits.maxPrefixes ?? 3;

  // --- the entry list: node 0 is the head, 1..n calls, n+1..2n returns (ok ops only) ---
  const nodes = 1 + 2 * n;
  const next = new Int32Array(nodes).fill(-1);
  const prev = new Int32Array(nodes).fill(-1);
  const order: number[] = [];
  const pos = new Float64Array(nodes);
  let remainingOk = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    order.push(1 + i);
    pos[1 + i] = op.invokeIndex;
    if (op.status === 'ok') {
      remainingOk++;
      order.push(1 + n + i);
      pos[1 + n + i] = op.completeIndex;
    }
  }
  order.sort((a, b) => pos[a]! - pos[b]! || a - b);
  let last = 0;
  for (const node of order) {
    next[last] = node;
    prev[node] = last;
    last = node;
  }
  const isOk = new Uint8Array(n);
  const readOnly = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    isOk[i] = ops[i]!.status === 'ok' ? 1 : 0;
    readOnly[i] = model.readOnly?.(ops[i]!) ? 1 : 0;
  }

  // --- interned states and memoized transitions ---
  const states: unknown[] = [];
  const stateIndex = new Map<number, number | number[]>();
  const prims = new Map<unknown, number>();
  const intern = (s: unknown): number => {
    // Primitive states (register values, kv strings) use the engine's own hashing.
    if (s === null || typeof s !== 'object') {
      const id = prims.get(s);
      if (id !== undefined) return id;
      prims.set(s, states.length);
      states.push(s);
      return states.length - 1;
    }
    const h = model.hash(s) | 0;
    const e = stateIndex.get(h);
    if (e === undefined) {
      stateIndex.set(h, states.length);
    } else if (typeof e === 'number') {
      if (model.equal(states[e], s)) return e;
      stateIndex.set(h, [e, states.length]);
    } else {
      for (const c of e) if (model.equal(states[c], s)) return c;
      e.push(states.length);
    }
    states.push(s);
    return states.length - 1;
  };
  // Transitions: a dense row per state for the first states (registers have a handful), a
  // hash table beyond (kv strings: nearly every configuration has a state of its own).
  const rows: (Int32Array | undefined)[] = [];
  let rowBytes = 0;
  const denseStates = Math.max(
    1,
    Math.min(
      n <= 4096 ? DENSE_STATES : 16,
      Math.floor(limits.memoryLimitBytes / ROW_BUDGET_FRACTION / (4 * Math.max(1, n))),
    ),
  );
  const memo = new TransitionMemo(256);
  // A state gets its dense row only once it has been looked up often: most kv states are
  // visited a few times, and a row per state would cost O(n) each to allocate and fill.
  const lookups: number[] = [];
  const denseRow = (s: number): Int32Array | undefined => {
    let row = rows[s];
    if (row === undefined) {
      const k = (lookups[s] ?? 0) + 1;
      lookups[s] = k;
      if (k < DENSE_AFTER) return undefined;
      row = rows[s] = new Int32Array(n).fill(MISSING);
      rowBytes += n * 4;
    }
    return row;
  };
  const transition = (s: number, op: number): number => {
    const next = model.step(states[s], ops[op]!);
    return next === undefined ? ILLEGAL : intern(next);
  };

  // --- search state ---
  // Linearized ops as two bitsets: ok ops (hashed, compared exactly) and indeterminate ops
  // (compared by subset: see DominanceMemo).
  const words = Math.max(1, Math.ceil(n / 32));
  const cur = new Uint32Array(words);
  const infoIndex = new Int32Array(n).fill(-1);
  let infoCount = 0;
  for (let i = 0; i < n; i++) if (ops[i]!.status !== 'ok') infoIndex[i] = infoCount++;
  const infoWords = Math.ceil(infoCount / 32);
  const curInfo = new Uint32Array(Math.max(1, infoWords));
  const cache = new DominanceMemo(words, infoWords);
  const random = rng(0x5eed ^ n);
  const z1 = new Int32Array(n);
  const z2 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Only ok ops enter the hash: indeterminate ones are compared by subset.
    const a = random();
    const b = random();
    if (ops[i]!.status === 'ok') {
      z1[i] = a;
      z2[i] = b;
    }
  }
  const stackOp = new Int32Array(n + 1);
  const stackState = new Int32Array(n + 1);
  const stackForced = new Uint8Array(n + 1);
  let depth = 0;
  let okDepth = 0;
  let state = intern(model.init());
  let h1 = 0;
  let h2 = 0;
  let steps = 0;
  let bestDepth = -1;
  const best: { ops: number[]; state: number; blockedOp: number }[] = [];
  const cancel = limits.cancel;
  const deadline = limits.deadline;
  const memLimit = limits.memoryLimitBytes;
  const maxSteps = limits.maxSteps ?? Infinity;

  // Pruning with the model's `viable`: walk the list from the head, collecting the ops that may
  // still be linearized (calls seen so far); at the return entry of each read-only op, ask
  // whether it can still become legal. Walks the window and a bounded stretch beyond it.
  const viable = model.viable?.bind(model);
  const candidates: ModelOp[] = [];
  const inWindow = new Uint32Array(n);
  let stamp = 0;
  const findDoomedRead = (): number => {
    candidates.length = 0;
    stamp = (stamp + 1) >>> 0 || 1;
    let e = next[0]!;
    let windowReads = 0;
    while (e > 0 && e <= n) {
      const op = e - 1;
      candidates.push(ops[op]!);
      if (readOnly[op] === 1 && isOk[op] === 1) {
        windowReads++;
        inWindow[op] = stamp;
      }
      e = next[e]!;
    }
    const s = states[state];
    // The first pending return, then the returns of the window's reads (within a budget).
    for (let budget = VIABLE_WALK; e > 0 && budget > 0; budget--) {
      if (e > n) {
        const op = e - 1 - n;
        if (readOnly[op] === 1 && !viable!(s, ops[op]!, candidates)) return op;
        if (inWindow[op] === stamp && --windowReads === 0) break;
      } else {
        candidates.push(ops[e - 1]!);
      }
      e = next[e]!;
    }
    return -1;
  };

  const memoryBytes = () => cache.bytes + rowBytes + memo.bytes + states.length * 48 + nodes * 8;
  // "Longest" counts ok ops: indeterminate ops in a prefix prove nothing.
  const recordPrefix = (blockedOp: number) => {
    if (okDepth > bestDepth) {
      bestDepth = okDepth;
      best.length = 0;
    } else if (okDepth < bestDepth || best.length >= maxPrefixes) {
      return;
    }
    for (const b of best) if (b.state === state && b.blockedOp === blockedOp) return;
    // States are described only at the end: most recorded prefixes are superseded.
    best.push({ ops: Array.from(stackOp.subarray(0, depth)), state, blockedOp });
  };
  const finish = (valid: Validity, reason?: SearchOutcome['reason']): SearchOutcome => {
    const out: SearchOutcome = {
      valid,
      longest:
        valid === true
          ? []
          : best.map((b) => ({
              ops: b.ops,
              state: describeState(model, states[b.state]),
              blockedOp: b.blockedOp,
            })),
      configurations: cache.size,
      states: states.length,
      steps,
      memoryBytes: memoryBytes(),
      timeMs: performance.now() - t0,
    };
    if (reason) out.reason = reason;
    if (valid === true) out.linearization = Array.from(stackOp.subarray(0, depth));
    return out;
  };

  if (remainingOk === 0) return finish(true);
  // Each new configuration starts with an eager sweep: a read-only op (never changes the state
  // wherever it is legal) that is legal now and whose call precedes every pending return is
  // linearized at once, without branching: any linearization from this configuration can be
  // reordered to put it first (it changes nothing, and real time allows it since nothing left
  // returned before it was invoked), so the configuration succeeds iff the one with it
  // linearized does. This removes the branching on reads.
  let eager = true;
  let entry = next[0]!;
  for (;;) {
    if ((++steps & 1023) === 0) {
      if (cancel !== undefined && Atomics.load(cancel, 0) !== 0)
        return finish('unknown', 'cancelled');
      if (performance.now() > deadline) return finish('unknown', 'time-limit');
      if (memoryBytes() > memLimit) return finish('unknown', 'memory-limit');
      if (steps > maxSteps) return finish('unknown', 'step-limit');
    }
    let backtrack = false;
    if (entry > 0 && entry <= n) {
      // A call entry: try to linearize its op now.
      const op = entry - 1;
      let ns: number;
      const row = state < denseStates ? denseRow(state) : undefined;
      if (row !== undefined) {
        ns = row[op]!;
        if (ns === MISSING) ns = row[op] = transition(state, op);
      } else {
        ns = memo.get(state, op);
        if (ns === MISSING) {
          ns = transition(state, op);
          memo.set(state, op, ns);
        }
      }
      // An indeterminate op that would change nothing here is never worth linearizing here:
      // not linearizing it at all dominates.
      if (ns !== ILLEGAL && (!eager || readOnly[op] === 1) && (isOk[op] === 1 || ns !== state)) {
        const nh1 = h1 ^ z1[op]!;
        const nh2 = h2 ^ z2[op]!;
        const ii = infoIndex[op]!;
        const bits = ii < 0 ? cur : curInfo;
        const w = ii < 0 ? op >>> 5 : ii >>> 5;
        const bit = 1 << ((ii < 0 ? op : ii) & 31);
        bits[w]! |= bit;
        if (cache.add(nh1, nh2, ns, cur, curInfo)) {
          stackOp[depth] = op;
          stackState[depth] = state;
          stackForced[depth] = eager ? 1 : 0;
          depth++;
          state = ns;
          h1 = nh1;
          h2 = nh2;
          // lift: unlink the call entry and its return entry
          const p = prev[entry]!;
          const q = next[entry]!;
          next[p] = q;
          if (q >= 0) prev[q] = p;
          if (isOk[op]) {
            const r = entry + n;
            const rp = prev[r]!;
            const rq = next[r]!;
            next[rp] = rq;
            if (rq >= 0) prev[rq] = rp;
            okDepth++;
            if (--remainingOk === 0) return finish(true);
          }
          eager = true;
          entry = next[0]!;
          continue;
        }
        bits[w]! &= ~bit;
        // Eager: the configuration with this no-op linearized was already searched and failed,
        // and this one is equivalent to it.
        if (eager) backtrack = true;
      }
      if (!backtrack) {
        entry = next[entry]!;
        continue;
      }
    } else if (eager) {
      // End of the eager sweep: now branch over the ops that change the state, unless the
      // model can tell that some pending read can never be satisfied from here.
      eager = false;
      const doomed = viable === undefined ? -1 : findDoomedRead();
      if (doomed < 0) {
        entry = next[0]!;
        continue;
      }
      recordPrefix(doomed);
    } else {
      // A return entry: this op could not be linearized before its return.
      recordPrefix(entry > n ? entry - 1 - n : -1);
    }
    // Backtrack: undo the last choice; a forced (eager) choice has no alternatives, so keep
    // undoing until a branching choice, then try the entries after it.
    for (;;) {
      if (depth === 0) return finish(false);
      depth--;
      const op = stackOp[depth]!;
      state = stackState[depth]!;
      h1 ^= z1[op]!;
      h2 ^= z2[op]!;
      const ii = infoIndex[op]!;
      if (ii < 0) cur[op >>> 5]! &= ~(1 << (op & 31));
      else curInfo[ii >>> 5]! &= ~(1 << (ii & 31));
      const call = op + 1;
      // unlift: relink the return entry, then the call entry
      if (isOk[op]) {
        const r = call + n;
        const rp = prev[r]!;
        const rq = next[r]!;
        next[rp] = r;
        if (rq >= 0) prev[rq] = r;
        remainingOk++;
        okDepth--;
      }
      const p = prev[call]!;
      const q = next[call]!;
      next[p] = call;
      if (q >= 0) prev[q] = call;
      if (stackForced[depth] === 0) {
        entry = next[call]!;
        eager = false;
        break;
      }
    }
  }
}

/** A state in words: the model's describeState, else JSON. */
export function describeState(model: Model<unknown>, s: unknown): string {
  if (model.describeState) return model.describeState(s);
  try {
    return JSON.stringify(s) ?? String(s);
  } catch {
    return String(s);
  }
}
