import { describe, expect, it } from 'vitest';
import type { GroupTreeNode } from '../../../../core/contract/index.js';
import {
  findGroup,
  flattenTree,
  groupLabel,
  subtreeIds,
  totalDevices,
  validParents,
} from '../../../../renderer/features/groups/groupTree.js';

function node(id: string, curDevNum: number, children: GroupTreeNode[] = [], parentId?: string): GroupTreeNode {
  return {
    id,
    appId: 'app',
    name: id.toUpperCase(),
    maxDevNum: 0,
    curDevNum,
    isDefault: id === 'd',
    creator: 'app',
    createdAt: '',
    updatedAt: '',
    children,
    ...(parentId ? { parentId } : {}),
  };
}

// d; a > b > c; e
const c = node('c', 3, [], 'b');
const b = node('b', 2, [c], 'a');
const a = node('a', 1, [b]);
const roots = [node('d', 0), a, node('e', 5)];

describe('the group tree helpers', () => {
  it('flattens parents before children with depth and path', () => {
    expect(flattenTree(roots).map((g) => [g.node.id, g.depth, g.path.join('/')])).toEqual([
      ['d', 0, 'D'],
      ['a', 0, 'A'],
      ['b', 1, 'A/B'],
      ['c', 2, 'A/B/C'],
      ['e', 0, 'E'],
    ]);
    expect(findGroup(roots, 'c')?.path).toEqual(['A', 'B', 'C']);
    expect(findGroup(roots, 'zz')).toBeUndefined();
  });

  it('offers as new parents every group but the moving one, its descendants and its current parent', () => {
    expect(validParents(roots, b).map((g) => g.node.id)).toEqual(['d', 'e']);
    expect(validParents(roots, a).map((g) => g.node.id)).toEqual(['d', 'e']);
    expect(validParents(roots, c).map((g) => g.node.id)).toEqual(['d', 'a', 'e']);
  });

  it('counts devices with descendants and knows the subtree', () => {
    expect(totalDevices(a)).toBe(6);
    expect([...subtreeIds(a)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('shows the default group in the user language', () => {
    const t = (key: string) => (key === 'groups.defaultName' ? '默认分组' : key);
    expect(groupLabel(roots[0]!, t)).toBe('默认分组');
    expect(groupLabel(a, t)).toBe('A');
  });
});
