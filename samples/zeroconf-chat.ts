/**
 * Zero-configuration chat: each process publishes itself as a `_cfchat._tcp`
 * service, browses for the others, and says hello to every peer it finds.
 * No addresses or ports are configured anywhere.
 *
 *   node scripts/in-private-network.mjs node --import tsx samples/zeroconf-chat.ts
 *
 * With no argument it starts two chatters, Alice and Bob, as two child
 * processes and waits until each has greeted the other. With a name
 * (`samples/zeroconf-chat.ts Carol`) it runs one chatter, so you can start
 * several in separate terminals (inside one `lan run` namespace, or on a real
 * LAN, where everyone on the link sees them).
 */
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPairWithSocketToNetService, NetService, NetServiceBrowser } from '../src/index.js';

const TYPE = '_cfchat._tcp.';
const name = process.argv[2];
if (name === undefined) await runTwoChatters();
else await chat(name);

/** One chatter: publish, browse, greet each peer once, print what peers say. */
async function chat(wanted: string): Promise<void> {
  let heard = 0;
  let greeted = 0;
  const server = createServer((socket: Socket) => {
    createInterface({ input: socket }).on('line', (line) => {
      console.log(`${me} heard: ${line}`);
      heard += 1;
      void maybeDone();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const self = new NetService('local.', TYPE, wanted, port);
  const me = await self.publish(); // the final name, "Alice (2)" if another Alice was there
  console.log(`${me} is on the network`);

  const browsing = new NetServiceBrowser().browse$(TYPE).subscribe(({ kind, service }) => {
    if (kind !== 'found' || service.name === me) return;
    // Connect by name: the pair resolves the peer's service when it opens.
    const duplex = createPairWithSocketToNetService(service).toDuplex();
    duplex.on('error', (error) => console.error(`${me}: ${service.name}: ${error.message}`));
    duplex.end(`hello from ${me}\n`, () => {
      console.log(`${me} greeted ${service.name}`);
      greeted += 1;
      void maybeDone();
    });
    duplex.resume(); // nothing to read; let the peer's FIN through
  });

  const giveUp = setTimeout(() => {
    console.error(`${me}: no peer within 15 s`);
    process.exitCode = 1;
    void stop();
  }, 15_000);

  async function maybeDone(): Promise<void> {
    if (heard >= 1 && greeted >= 1) await stop();
  }
  async function stop(): Promise<void> {
    clearTimeout(giveUp);
    browsing.unsubscribe();
    await self.stop(); // goodbyes: the others' browsers see us leave
    server.close();
  }
}

/** Starts Alice and Bob as two processes and relays their output. */
async function runTwoChatters(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const codes = await Promise.all(
    ['Alice', 'Bob'].map(
      (who) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [...process.execArgv, script, who], {
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          child.on('close', (code) => resolve(code ?? 1));
        }),
    ),
  );
  process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
}
