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
    initialCapacity = 1024,
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
      this.slots.byteLength + this.h1.byteLength + this.h2.byteLength + this.st.byteLength + this.bits.byteLength
    );
  }

  private static slotHash(h1: number, h2: number, state: number): number {
    let h = h1 ^ Math.imul(state + 1, 0x9e3779b1) ^ (h2 >>> 7);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** Adds the configuration unless present; returns true when it was new. */
  add(h1: number, h2: number, state: number, cur: Uint32Array): boolean {
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
        if (same) return false;
      }
      i = (i + 1) & mask;
    }
    const e = this.size;
    if (e >= this.h1.length) {
      this.grow();
      return this.add(h1, h2, state, cur);
    }
    slots[i] = e + 1;
    this.h1[e] = h1;
    this.h2[e] = h2;
    this.st[e] = state;
    this.bits.set(cur, e * words);
    this.size = e + 1;
    return true;
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
