import { nodeAnswer, type SearchNode } from './search-node.js';

export type NewNode = Omit<SearchNode, 'id' | 'parentId' | 'depth' | 'childIds' | 'visits' | 'valueSum' | 'reward' | 'correct'>;

/** The nodes of one search over one problem; ids are indices in creation order (deterministic). */
export class SearchTree {
  readonly nodes: SearchNode[] = [];

  constructor(
    readonly question: string,
    /** The prompt that precedes the first step (stable across the tree, so it is cached by model servers). */
    readonly problemPrefix: string,
  ) {
    this.nodes.push({
      id: 0,
      parentId: null,
      depth: 0,
      step: null,
      rendered: '',
      stdout: '',
      output: null,
      errorKind: null,
      executed: false,
      cached: false,
      consecutiveErrors: 0,
      terminal: false,
      terminalReason: null,
      visits: 0,
      valueSum: 0,
      ppmScore: null,
      reward: null,
      correct: null,
      childIds: [],
    });
  }

  get root(): SearchNode {
    return this.node(0);
  }

  node(id: number): SearchNode {
    const node = this.nodes[id];
    if (!node) throw new Error(`no node ${id} in the tree`);
    return node;
  }

  addChild(parent: SearchNode, fields: NewNode): SearchNode {
    const child: SearchNode = {
      ...fields,
      id: this.nodes.length,
      parentId: parent.id,
      depth: parent.depth + 1,
      childIds: [],
      visits: 0,
      valueSum: 0,
      reward: null,
      correct: null,
    };
    this.nodes.push(child);
    parent.childIds.push(child.id);
    return child;
  }

  children(node: SearchNode): SearchNode[] {
    return node.childIds.map((id) => this.node(id));
  }

  /** Root-to-node path, root first. */
  path(node: SearchNode): SearchNode[] {
    const path: SearchNode[] = [];
    for (let at: SearchNode | null = node; at; at = at.parentId === null ? null : this.node(at.parentId)) path.push(at);
    return path.reverse();
  }

  /** Adds one visit with `value` to every node of the path (back-propagation). */
  backup(path: readonly SearchNode[], value: number): void {
    for (const node of path) {
      node.visits += 1;
      node.valueSum += value;
    }
  }

  /** Answer nodes that carry a `\boxed{}` answer. */
  answerNodes(): SearchNode[] {
    return this.nodes.filter((n) => nodeAnswer(n) !== null);
  }

  /** The trajectory (root excluded) as the next prompt continues it. */
  prompt(node: SearchNode): string {
    return this.problemPrefix + this.path(node).map((n) => n.rendered).join('');
  }
}
