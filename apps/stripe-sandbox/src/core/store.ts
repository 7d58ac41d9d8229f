// In-memory tables. Each row is a Stripe object, the account it lives on (`owner`) and the
// sandbox's private bookkeeping (`x`), kept apart from the object so responses stay Stripe's shape.
export interface Row<T, X> {
  obj: T;
  owner: string;
  seq: number;
  x: X;
}

let seqCounter = 0;

export class Table<T extends { id: string }, X = Record<string, never>> {
  private rows = new Map<string, Row<T, X>>();
  private byOwner = new Map<string, Row<T, X>[]>();

  insert(obj: T, owner: string, x: X): Row<T, X> {
    const row: Row<T, X> = { obj, owner, seq: ++seqCounter, x };
    this.rows.set(obj.id, row);
    let list = this.byOwner.get(owner);
    if (!list) {
      list = [];
      this.byOwner.set(owner, list);
    }
    list.push(row);
    return row;
  }

  get(id: string): Row<T, X> | undefined {
    return this.rows.get(id);
  }

  remove(id: string): void {
    const row = this.rows.get(id);
    if (!row) return;
    this.rows.delete(id);
    const list = this.byOwner.get(row.owner);
    if (list)
      this.byOwner.set(
        row.owner,
        list.filter((r) => r !== row),
      );
  }

  /** Where row `id` is in `owned(owner)` (-1: not on that account); a binary search, rows being in `seq` order. */
  indexOf(id: string, owner: string): number {
    const row = this.rows.get(id);
    if (!row || row.owner !== owner) return -1;
    const list = this.owned(owner);
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const seq = list[mid]!.seq;
      if (seq === row.seq) return mid;
      if (seq < row.seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Rows on one account, oldest first. */
  owned(owner: string): Row<T, X>[] {
    return this.byOwner.get(owner) ?? [];
  }

  all(): IterableIterator<Row<T, X>> {
    return this.rows.values();
  }

  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
    this.byOwner.clear();
  }

  dump(): Row<T, X>[] {
    return [...this.rows.values()].sort((a, b) => a.seq - b.seq);
  }

  load(rows: Row<T, X>[]): void {
    this.clear();
    for (const row of rows.sort((a, b) => a.seq - b.seq)) {
      this.rows.set(row.obj.id, row);
      let list = this.byOwner.get(row.owner);
      if (!list) {
        list = [];
        this.byOwner.set(row.owner, list);
      }
      list.push(row);
      seqCounter = Math.max(seqCounter, row.seq);
    }
  }
}
