/**
 * Imports point one way between rooms (the top-level folders and files of
 * src/), type imports included. Biome's noImportCycles guards cycles between
 * files; this guards the rooms, where a cycle through several files of two
 * folders is just as tangled but no file cycle shows it.
 */
import assert from 'node:assert/strict';
import { join, relative, sep } from 'node:path';
import { relativeImports, sourceFiles } from './support/imports.js';

const src = join(process.cwd(), 'src');
const roomOf = (file: string): string => relative(src, file).split(sep)[0] as string;

/** The room graph: for each room, the rooms its files import. */
function roomEdges(files: readonly string[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    for (const target of relativeImports(file)) {
      const from = roomOf(file);
      const to = roomOf(target);
      if (from === to || relative(src, target).startsWith('..')) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  return edges;
}

/** One cycle per back edge found by a depth-first walk, as room paths. */
function findCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (room: string): void => {
    state.set(room, 'open');
    stack.push(room);
    for (const next of edges.get(room) ?? []) {
      if (state.get(next) === 'open')
        found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(room, 'done');
  };
  for (const room of edges.keys()) if (!state.has(room)) visit(room);
  return found;
}

describe('rooms of src/', () => {
  it('finds a cycle through several rooms', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
    ]);
    assert.deepEqual(findCycles(edges), ['a -> b -> c -> a']);
  });

  it('import one another without a cycle', () => {
    assert.deepEqual(findCycles(roomEdges(sourceFiles(src))), []);
  });
});
