/**
 * Memo of model transitions (state id, op id) -> next state id (-1 illegal) for states beyond
 * the dense table: open addressing over typed arrays, so lookups allocate nothing.
 */
export const MISSING = -2;

export class TransitionMemo {
  private mask: number;
  private keyState: Int32Array;
  private keyOp: Int32Array;
  private val: Int32Array;
  size = 0;

  constructor(capacity = 1 << 12) {
    this.keyState = new Int32Array(capacity).fill(-1);
    this.keyOp = new Int32Array(capacity);
    this.val = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  get bytes(): number {
    return this.keyState.byteLength * 3;
  }

  private static slot(state: number, op: number): number {
    const h = Math.imul(state, 0x9e3779b1) ^ Math.imul(op + 1, 0x85ebca6b);
    return h ^ (h >>> 15);
  }

  get(state: number, op: number): number {
    const ks = this.keyState;
    let i = TransitionMemo.slot(state, op) & this.mask;
    for (;;) {
      const s = ks[i]!;
      if (s === -1) return MISSING;
      if (s === state && this.keyOp[i] === op) return this.val[i]!;
      i = (i + 1) & this.mask;
    }
  }

  set(state: number, op: number, next: number): void {
    if ((this.size + 1) * 2 > this.keyState.length) this.grow();
    const ks = this.keyState;
    let i = TransitionMemo.slot(state, op) & this.mask;
    while (ks[i] !== -1) {
      if (ks[i] === state && this.keyOp[i] === op) {
        this.val[i] = next;
        return;
      }
      i = (i + 1) & this.mask;
    }
    ks[i] = state;
    this.keyOp[i] = op;
    this.val[i] = next;
    this.size++;
  }

  private grow(): void {
    const oldS = this.keyState;
    const oldO = this.keyOp;
    const oldV = this.val;
    const cap = oldS.length * 2;
    this.keyState = new Int32Array(cap).fill(-1);
    this.keyOp = new Int32Array(cap);
    this.val = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldS.length; i++)
      if (oldS[i] !== -1) this.set(oldS[i]!, oldO[i]!, oldV[i]!);
  }
}
