/**
 * Where an idle connection's heap goes: opens COUNT idle connections of one
 * kind (as bench/memory-child.ts: raw net.connect, or a pair with a client
 * on both streams), takes a V8 heap snapshot before and after, and prints
 * the objects that grew, grouped by type and name, in bytes per connection.
 *
 *   node scripts/in-private-network.mjs node --expose-gc --import tsx bench/memory-census.ts pair [COUNT]
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { getHeapSnapshot } from 'node:v8';
import { StreamEvent } from '../src/constants.js';
import type { StreamPair } from '../src/stream/stream-pair.js';
import { buildLibrary, loadLibrary, removeBuild } from './library.js';
import { startBenchServer } from './peer.js';

const [kind = 'pair', countText = '2000'] = process.argv.slice(2);
const count = Number(countText);
const from = process.argv.includes('--source') ? 'source' : buildLibrary();
const lib = await loadLibrary(from);
const server = await startBenchServer(1024);
const port = server.ports.idle;
const noop = (): void => {};

async function openRaw(): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', noop);
  socket.on('data', noop);
  await once(socket, 'connect');
  return socket;
}
// As bench/memory-child.ts: a client on both streams, its per-pair info kept, the resolver dropped.
interface Opening {
  readonly pair: StreamPair;
  opened: number;
  resolve: ((pair: StreamPair) => void) | undefined;
}
function onEvent(_stream: unknown, type: number, info: unknown): void {
  const opening = info as Opening;
  if (type === StreamEvent.OpenCompleted && ++opening.opened === 2) {
    opening.resolve?.(opening.pair);
    opening.resolve = undefined;
  }
}
function openPair(): Promise<StreamPair> {
  return new Promise((resolve) => {
    const pair = lib.createPairWithSocketToHost('127.0.0.1', port);
    const opening: Opening = { pair, opened: 0, resolve };
    pair.readStream.setClient(31, onEvent, opening);
    pair.writeStream.setClient(31, onEvent, opening);
    pair.open();
  });
}
const open = (): Promise<Socket | StreamPair> => (kind === 'raw' ? openRaw() : openPair());
async function openMany(n: number): Promise<Array<Socket | StreamPair>> {
  const held: Array<Socket | StreamPair> = [];
  while (held.length < n)
    held.push(...(await Promise.all(Array.from({ length: Math.min(200, n - held.length) }, open))));
  return held;
}
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

const warm = await openMany(50);
for (const h of warm) 'destroy' in h ? h.destroy() : h.close();
await new Promise((resolve) => setTimeout(resolve, 200));
const before = await census();
const held = await openMany(count);
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
for (const h of held) 'destroy' in h ? h.destroy() : h.close();
await server.stop();
removeBuild(from);
