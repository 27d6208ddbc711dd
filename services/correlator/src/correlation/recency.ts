// A map that keeps its entries in the order they were last used, with the least recently used
// first. A plain Map re-inserted on each use would do the same, but V8 leaves a hole per delete
// until it rehashes, and finding the first live entry then walks the holes: thousands per event
// when a flood evicts from the front. A linked list makes use, lookup and eviction O(1).

interface Node<V> {
  readonly key: string;
  readonly value: V;
  newer?: Node<V>;
  older?: Node<V>;
}

export class RecencyMap<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private oldest?: Node<V>;
  private newest?: Node<V>;

  get size(): number {
    return this.nodes.size;
  }

  /** The value, now the most recently used. */
  use(key: string): V | undefined {
    const node = this.nodes.get(key);
    if (node === undefined) return undefined;
    this.unlink(node);
    this.append(node);
    return node.value;
  }

  /** Adds a value as the most recently used; the key must be new. */
  add(key: string, value: V): void {
    const node: Node<V> = { key, value };
    this.nodes.set(key, node);
    this.append(node);
  }

  leastRecent(): V | undefined {
    return this.oldest?.value;
  }

  /** Removes the least recently used entry. */
  dropLeastRecent(): void {
    const node = this.oldest;
    if (node === undefined) return;
    this.unlink(node);
    this.nodes.delete(node.key);
  }

  private append(node: Node<V>): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest === undefined) this.oldest = node;
    else this.newest.newer = node;
    this.newest = node;
  }

  private unlink(node: Node<V>): void {
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
  }
}
