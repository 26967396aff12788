/** Disjoint sets over 0..n-1 (union by size, path halving), for Kruskal and linkage. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }

  /** Joins the sets of i and j; false when they were already one set. */
  union(i: number, j: number): boolean {
    let ri = this.find(i);
    let rj = this.find(j);
    if (ri === rj) return false;
    if (this.size[ri] < this.size[rj]) [ri, rj] = [rj, ri];
    this.parent[rj] = ri;
    this.size[ri] += this.size[rj];
    return true;
  }
}
