// Pure helpers over the group tree the core returns: lookups, paths and where a group may move.
import type { GroupTreeNode } from '../../../core/contract/index.js';

export interface FlatGroup {
  node: GroupTreeNode;
  depth: number;
  /** Names from the root down to this group. */
  path: string[];
}

export function flattenTree(roots: readonly GroupTreeNode[]): FlatGroup[] {
  const out: FlatGroup[] = [];
  const walk = (nodes: readonly GroupTreeNode[], depth: number, path: string[]) => {
    for (const node of nodes) {
      const here = [...path, node.name];
      out.push({ node, depth, path: here });
      walk(node.children, depth + 1, here);
    }
  };
  walk(roots, 0, []);
  return out;
}

export function findGroup(roots: readonly GroupTreeNode[], id: string): FlatGroup | undefined {
  return flattenTree(roots).find((g) => g.node.id === id);
}

/** The group and every group below it. */
export function subtreeIds(node: GroupTreeNode): Set<string> {
  const ids = new Set<string>();
  const walk = (n: GroupTreeNode) => {
    ids.add(n.id);
    n.children.forEach(walk);
  };
  walk(node);
  return ids;
}

/** Groups `moving` may go under: not itself, not one of its descendants, not its current parent. */
export function validParents(roots: readonly GroupTreeNode[], moving: GroupTreeNode): FlatGroup[] {
  const inside = subtreeIds(moving);
  return flattenTree(roots).filter((g) => !inside.has(g.node.id) && g.node.id !== moving.parentId);
}

/** Devices in the group and its descendants, as the tree counts them. */
export function totalDevices(node: GroupTreeNode): number {
  return node.curDevNum + node.children.reduce((sum, c) => sum + totalDevices(c), 0);
}

/** The default group's stored name is the same in every language; show it in the user's. */
export function groupLabel(node: Pick<GroupTreeNode, 'name' | 'isDefault'>, t: (key: string) => string): string {
  return node.isDefault ? t('groups.defaultName') : node.name;
}
