/**
 * Where an idle connection's heap goes: opens COUNT idle connections of one
 * kind (as bench/memory-child.ts: raw net.connect, or a pair with a client
 * on both streams), takes a V8 heap snapshot before and after, and prints
 * the objects that grew, grouped by type and name, in bytes per connection.
 *
 *   node scripts/in-private-network.mjs node --expose-gc --import tsx bench/memory-census.ts pair [COUNT]
 */
import { getHeapSnapshot } from 'node:v8';
import { closeAll, type Held, openIdlePair, openIdleRaw, openMany, warmUp } from './idle-opens.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';

const [kind = 'pair', countText = '2000'] = process.argv.slice(2);
const count = Number(countText);
const from = process.argv.includes('--source') ? 'source' : buildLibrary();
const lib = await loadLibrary(from);
const server = await startBenchServer(1024);
const port = server.ports.idle;
const open = (): Promise<Held> => (kind === 'raw' ? openIdleRaw(port) : openIdlePair(lib, port));
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}
async function census(): Promise<Map<string, { n: number; bytes: number }>> {
  await settle();
  const stream = getHeapSnapshot();
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  const snap = JSON.parse(Buffer.concat(parts).toString()) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const groups = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = snap.strings[snap.nodes[i + iName]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (name.length > 60) name = `${name.slice(0, 60)}…`;
    const key = `${type} ${name}`;
    const g = groups.get(key) ?? { n: 0, bytes: 0 };
    g.n++;
    g.bytes += snap.nodes[i + iSize]!;
    groups.set(key, g);
  }
  return groups;
}

await warmUp(open);
const before = await census();
const held = await openMany(count, open);
const after = await census();
const rows: Array<[string, number, number]> = [];
let total = 0;
for (const [key, g] of after) {
  const b = before.get(key) ?? { n: 0, bytes: 0 };
  const bytes = (g.bytes - b.bytes) / count;
  const n = (g.n - b.n) / count;
  total += bytes;
  if (Math.abs(bytes) >= 2) rows.push([key, n, bytes]);
}
rows.sort((a, b) => b[2] - a[2]);
console.log(
  `${kind}: ${total.toFixed(0)} B per connection in the snapshot (objects growing by >= 2 B per connection:)`,
);
for (const [key, n, bytes] of rows)
  console.log(`${bytes.toFixed(1).padStart(8)} B ${n.toFixed(2).padStart(6)}x  ${key}`);
closeAll(held);
await server.stop();
removeBuild(from);
