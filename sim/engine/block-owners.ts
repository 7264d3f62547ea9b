/**
 * Each KV block's last owner (workflow and agent ids) as a slot number per block. Blocks stamped
 * for one owner share a slot that counts them; a slot no block holds is reused. A string pair
 * per block would cost two pointer stores per allocated block, each through V8's write barrier
 * (the ids are young objects, the per-block arrays old ones); on a 64-instance cluster that was
 * ~8% of the run. An Int32Array store has no barrier, and the slot arrays are small enough to
 * stay in cache: slots ≤ blocks + 1, whatever the number of workflows.
 */
export class BlockOwners {
  /** Slot of each block's last owner; 0: never stamped (no owner). */
  readonly #slotOf: Int32Array;
  readonly #workflowIds: (string | undefined)[] = [undefined];
  readonly #agentIds: (string | undefined)[] = [undefined];
  /** Blocks holding each slot. */
  readonly #blocks: number[] = [0];
  readonly #freeSlots: number[] = [];
  /** The slot {@link stamp} writes (0 before the first {@link begin}). */
  #current = 0;

  constructor(numBlocks: number) {
    this.#slotOf = new Int32Array(numBlocks);
  }

  /** Blocks stamped from now on belong to this owner. */
  begin(workflowId: string | undefined, agentId: string | undefined): void {
    const c = this.#current;
    if (c !== 0 && this.#workflowIds[c] === workflowId && this.#agentIds[c] === agentId) return;
    let s: number;
    if (c !== 0 && this.#blocks[c] === 0) s = c; // the current slot holds nothing: take it over
    else if (this.#freeSlots.length > 0) s = this.#freeSlots.pop()!;
    else {
      s = this.#blocks.length;
      this.#blocks.push(0);
      this.#workflowIds.push(undefined);
      this.#agentIds.push(undefined);
    }
    this.#workflowIds[s] = workflowId;
    this.#agentIds[s] = agentId;
    this.#current = s;
  }

  /** Block `b` now belongs to the owner of the last {@link begin}. */
  stamp(b: number): void {
    const s = this.#current;
    const old = this.#slotOf[b]!;
    if (old === s) return;
    this.#slotOf[b] = s;
    this.#blocks[s]!++;
    // The current slot only gains blocks, so `old` is another one.
    if (old !== 0 && --this.#blocks[old]! === 0) this.#release(old);
  }

  workflowId(b: number): string | undefined {
    return this.#workflowIds[this.#slotOf[b]!];
  }

  agentId(b: number): string | undefined {
    return this.#agentIds[this.#slotOf[b]!];
  }

  /** Slots in use or free (at most blocks + 1). */
  get numSlots(): number {
    return this.#blocks.length;
  }

  /** Throw unless every slot's count is the number of blocks holding it and free slots hold none. */
  check(): void {
    const held = new Array<number>(this.#blocks.length).fill(0);
    for (let b = 0; b < this.#slotOf.length; b++) held[this.#slotOf[b]!]!++;
    for (let s = 1; s < held.length; s++) {
      if (held[s] !== this.#blocks[s]) throw new Error(`block owners: slot ${s} counts ${this.#blocks[s]} blocks but ${held[s]} hold it`);
    }
    for (const s of this.#freeSlots) {
      if (this.#blocks[s] !== 0 || s === this.#current) throw new Error(`block owners: free slot ${s} is in use`);
    }
  }

  // No block holds slot s, which is not the current one: reuse it, and drop its ids.
  #release(s: number): void {
    this.#workflowIds[s] = undefined;
    this.#agentIds[s] = undefined;
    this.#freeSlots.push(s);
  }
}
