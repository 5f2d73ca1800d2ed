/** A scripted network for conformance tests: records what the engine sends, injects what a peer says. */
import {
  type DnsMessage,
  decodePacket,
  encodePacket,
  FakeClock,
  MdnsEngine,
  type MdnsEngineOptions,
  type PacketSource,
  type PacketTransport,
} from '../../src/mdns/index.js';
import type { MdnsInterface } from '../../src/mdns/interfaces.js';

/** One packet the engine sent. */
export interface SentPacket {
  readonly at: number;
  readonly message: DnsMessage;
  /** The datagram's size in bytes (DNS message only, no IP or UDP header). */
  readonly size: number;
  /** The datagram itself. */
  readonly bytes: Buffer;
  readonly kind: 'multicast' | 'unicast' | 'one-shot';
  readonly interfaceName?: string | undefined;
  readonly address?: string;
  readonly port?: number;
}

export const IFACE: MdnsInterface = {
  name: 'eth0',
  addresses: [
    { address: '10.0.0.1', netmask: '255.255.255.0', family: 4 },
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 6 },
  ],
};

export class FakeTransport implements PacketTransport {
  readonly sent: SentPacket[] = [];
  #handler: ((bytes: Buffer, source: PacketSource) => void) | undefined;
  constructor(readonly clock: FakeClock) {}
  async start(handler: (bytes: Buffer, source: PacketSource) => void): Promise<void> {
    this.#handler = handler;
  }
  #list: readonly MdnsInterface[] = [IFACE];
  #changed = false;
  interfaces(): readonly MdnsInterface[] {
    return this.#list;
  }
  /** The interfaces the engine finds at its next check (§13). */
  setInterfaces(list: readonly MdnsInterface[]): void {
    this.#list = list;
    this.#changed = true;
  }
  refreshInterfaces(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }
  #record(bytes: Buffer, rest: Omit<SentPacket, 'at' | 'message' | 'size' | 'bytes'>): void {
    const { message, problems } = decodePacket(bytes);
    if (!message) throw new Error(`engine sent an undecodable packet: ${problems.join('; ')}`);
    this.sent.push({ at: this.clock.now(), message, size: bytes.length, bytes, ...rest });
  }
  /** When set, multicast sends fail with this error (nothing is recorded). */
  failMulticast: Error | undefined;
  sendMulticast(bytes: Buffer, interfaceName?: string, onError?: (error: Error) => void): void {
    if (this.failMulticast !== undefined) {
      onError?.(this.failMulticast);
      return;
    }
    this.#record(bytes, { kind: 'multicast', interfaceName });
  }
  sendUnicast(bytes: Buffer, address: string, port: number): void {
    this.#record(bytes, { kind: 'unicast', address, port });
  }
  sendOneShot(bytes: Buffer): void {
    this.#record(bytes, { kind: 'one-shot' });
  }
  setActive(): void {}
  close(): void {}
  /** Delivers a message as if a peer at 10.0.0.2 sent it. */
  inject(message: DnsMessage, from: Partial<PacketSource> = {}): void {
    this.injectBytes(encodePacket(message), from);
  }
  injectBytes(bytes: Buffer, from: Partial<PacketSource> = {}): void {
    this.#handler?.(bytes, {
      address: '10.0.0.2',
      port: 5353,
      family: 4,
      interfaceName: 'eth0',
      viaOneShot: false,
      ...from,
    });
  }
  /** Packets sent since `index`, and the new index. */
  take(): SentPacket[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/** An engine on a fake clock and network, with a fixed random source. */
export async function fakeEngine(
  options: MdnsEngineOptions = {},
): Promise<{ engine: MdnsEngine; net: FakeTransport; clock: FakeClock }> {
  const clock = new FakeClock();
  const net = new FakeTransport(clock);
  const engine = new MdnsEngine(
    { clock, random: () => 0.5, hostName: 'me.local', ...options },
    net,
  );
  await engine.ready();
  return { engine, net, clock };
}

/** Lets queued promise callbacks (engine.send waits for ready) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
