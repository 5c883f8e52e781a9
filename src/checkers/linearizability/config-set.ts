/**
 * The search's memo of visited configurations: (set of linearized ops, model state id).
 *
 * Open addressing over flat typed arrays, so a lookup allocates nothing: the linearized set is
 * a bitset of `words` 32-bit words hashed incrementally by the caller (Zobrist: XOR of a random
 * 64-bit value per op, kept as two 32-bit halves); a hit is confirmed by comparing the stored
 * bitset word by word, so hash collisions never merge different configurations.
 */
export class ConfigSet {
  private mask: number;
  private slots: Int32Array; // entry index + 1, 0 = empty
  private h1: Int32Array;
  private h2: Int32Array;
  private st: Int32Array;
  private bits: Uint32Array;
  size = 0;

  constructor(
    private readonly words: number,
    initialCapacity = 128,
  ) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.mask = cap * 2 - 1;
    this.slots = new Int32Array(cap * 2);
    this.h1 = new Int32Array(cap);
    this.h2 = new Int32Array(cap);
    this.st = new Int32Array(cap);
    this.bits = new Uint32Array(cap * words);
  }

  get bytes(): number {
    return (
      this.slots.byteLength +
      this.h1.byteLength +
      this.h2.byteLength +
      this.st.byteLength +
      this.bits.byteLength
    );
  }

  private static slotHash(h1: number, h2: number, state: number): number {
    let h = h1 ^ Math.imul(state + 1, 0x9e3779b1) ^ (h2 >>> 7);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** Adds the configuration unless present; returns true when it was new. */
  add(h1: number, h2: number, state: number, cur: Uint32Array): boolean {
    const before = this.size;
    this.intern(h1, h2, state, cur);
    return this.size !== before;
  }

  /** The entry index of the configuration, inserting it if absent (then `size` grows). */
  intern(h1: number, h2: number, state: number, cur: Uint32Array): number {
    const words = this.words;
    const slots = this.slots;
    const mask = this.mask;
    let i = ConfigSet.slotHash(h1, h2, state) & mask;
    for (;;) {
      const e = slots[i]! - 1;
      if (e < 0) break;
      if (this.h1[e] === h1 && this.h2[e] === h2 && this.st[e] === state) {
        const bits = this.bits;
        const base = e * words;
        let same = true;
        for (let w = 0; w < words; w++) {
          if (bits[base + w] !== cur[w]) {
            same = false;
            break;
          }
        }
        if (same) return e;
      }
      i = (i + 1) & mask;
    }
    const e = this.size;
    if (e >= this.h1.length) {
      this.grow();
      return this.intern(h1, h2, state, cur);
    }
    slots[i] = e + 1;
    this.h1[e] = h1;
    this.h2[e] = h2;
    this.st[e] = state;
    this.bits.set(cur, e * words);
    this.size = e + 1;
    return e;
  }

  private grow(): void {
    const cap = this.h1.length * 2;
    const h1 = new Int32Array(cap);
    h1.set(this.h1);
    const h2 = new Int32Array(cap);
    h2.set(this.h2);
    const st = new Int32Array(cap);
    st.set(this.st);
    const bits = new Uint32Array(cap * this.words);
    bits.set(this.bits);
    this.h1 = h1;
    this.h2 = h2;
    this.st = st;
    this.bits = bits;
    this.mask = cap * 2 - 1;
    const slots = new Int32Array(cap * 2);
    for (let e = 0; e < this.size; e++) {
      let i = ConfigSet.slotHash(h1[e]!, h2[e]!, st[e]!) & this.mask;
      while (slots[i] !== 0) i = (i + 1) & this.mask;
      slots[i] = e + 1;
    }
    this.slots = slots;
  }
}

/**
 * Visited configurations with dominance on indeterminate ops. Two configurations with the same
 * linearized ok ops and the same state, where one has linearized a subset of the other's
 * indeterminate ops, are ordered: the one with fewer can do everything the other can (an
 * indeterminate op never has to be linearized, and nothing has to wait for it). So a new
 * configuration is skipped when a visited one with a subset of its indeterminate ops exists.
 * The ConfigSet groups by (ok ops, state); each group chains the indeterminate-op bitsets seen.
 */
export class DominanceMemo {
  private readonly groups: ConfigSet;
  private head = new Int32Array(128).fill(-1);
  private arena: Uint32Array;
  private nextInChain: Int32Array;
  private entries = 0;

  constructor(
    okWords: number,
    private readonly infoWords: number,
  ) {
    this.groups = new ConfigSet(okWords);
    this.arena = new Uint32Array(128 * Math.max(1, infoWords));
    this.nextInChain = new Int32Array(128);
  }

  get size(): number {
    return this.infoWords === 0 ? this.groups.size : this.entries;
  }

  get bytes(): number {
    return (
      this.groups.bytes + this.head.byteLength + this.arena.byteLength + this.nextInChain.byteLength
    );
  }

  /** Records the configuration; false when it (or one dominating it) was already visited. */
  add(h1: number, h2: number, state: number, ok: Uint32Array, info: Uint32Array): boolean {
    const before = this.groups.size;
    const g = this.groups.intern(h1, h2, state, ok);
    const fresh = this.groups.size !== before;
    const iw = this.infoWords;
    if (iw === 0) return fresh;
    if (g >= this.head.length) {
      const head = new Int32Array(this.head.length * 2).fill(-1);
      head.set(this.head);
      this.head = head;
    }
    if (!fresh) {
      const arena = this.arena;
      for (let e = this.head[g]!; e >= 0; e = this.nextInChain[e]!) {
        let subset = true;
        const base = e * iw;
        for (let w = 0; w < iw; w++) {
          if ((arena[base + w]! & ~info[w]!) !== 0) {
            subset = false;
            break;
          }
        }
        if (subset) return false;
      }
    }
    const e = this.entries++;
    if (e >= this.nextInChain.length) {
      const next = new Int32Array(this.nextInChain.length * 2);
      next.set(this.nextInChain);
      this.nextInChain = next;
      const arena = new Uint32Array(this.arena.length * 2);
      arena.set(this.arena);
      this.arena = arena;
    }
    this.arena.set(info.subarray(0, iw), e * iw);
    this.nextInChain[e] = this.head[g]!;
    this.head[g] = e;
    return true;
  }
}
