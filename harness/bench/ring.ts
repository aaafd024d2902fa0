/** A fixed-size ring of the most recent items (evidence buffers: last frames, last writes). */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(readonly size: number) {}

  push(item: T): void {
    if (this.items.length < this.size) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.length < this.size ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
