/**
 * `cfstream connect <target>`: like `nc`, over a stream pair. stdin goes to
 * the write stream, the read stream goes to stdout; the end of stdin
 * half-closes the connection (FIN), and the command exits 0 once the peer has
 * closed its side. TLS and SOCKS options become the pair's properties.
 */
import {
  type ConnectableService,
  createPairWithSocketToHost,
  createPairWithSocketToNetService,
  ErrorDomain,
  type NetService,
  NetServicesError,
  posixError,
  type SocketStream,
  StreamError,
  StreamEvent,
  type StreamEventRecord,
  type StreamEventType,
  type StreamPair,
  toStreamError,
  WriteStream,
} from '../../index.js';
import { expectPositionals, flag, integerOption } from '../args.js';
import { type Command, type CommandContext, ExitStatus } from '../command.js';
import {
  CONNECT_SETTINGS_OPTIONS,
  connectProperties,
  SOCKS_PASSWORD_ENV,
} from '../connect-settings.js';
import { describeError } from '../error-format.js';
import { parseTarget } from '../target.js';

export const connectCommand: Command = {
  name: 'connect',
  summary: 'pipe stdin and stdout through a connection (TLS, SOCKS)',
  help: `usage: cfstream connect <target> [options]

Connects to <target> and copies stdin to the connection and the connection to
stdout. The end of stdin half-closes the connection; the command exits 0 when
the peer has closed. <target> is host:port, [v6]:port or a service instance
name ("My Echo._echo._tcp.local."), resolved on the local network.

options:
  --timeout MS         fail if not connected within MS milliseconds (POSIX 110 ETIMEDOUT;
                       a service that does not resolve in time: NetServices -72007)
  --events             print stream events on stderr
TLS (any of these turns TLS on):
  --tls                TLS with the system's roots, peer name = the target's host name
  --peer-name NAME     check the certificate against NAME
  --no-verify-name     do not check the certificate's name
  --ca FILE            trust the CA certificate(s) in FILE (PEM) too; may repeat
  --cert FILE --key FILE   present this client certificate (PEM)
  --allow-expired      accept expired or not yet valid certificates and roots
  --allow-any-root     accept any root, self-signed certificates included
SOCKS:
  --socks HOST:PORT    connect through this SOCKS proxy
  --socks-version 4|5  protocol version (default 5)
  --socks-user U       user name; the password is read from ${SOCKS_PASSWORD_ENV}

--json prints errors, and with --events the events, as JSON lines on stderr:
{"event":"stream","stream":"read"|"write","type":"OpenCompleted","code":1}.`,
  options: {
    timeout: { type: 'string' },
    events: { type: 'boolean' },
    ...CONNECT_SETTINGS_OPTIONS,
  },
  async run(context) {
    const { args } = context;
    expectPositionals(args.positionals, 1, 1, 'target (host:port or a service instance name)');
    const target = parseTarget(args.positionals[0] as string);
    const timeout = integerOption(args.values, 'timeout', 1, 2 ** 31 - 1);
    const properties = connectProperties(args.values);
    const notConnected = (): StreamError =>
      posixError('ETIMEDOUT', `not connected within ${timeout} ms`);
    let timedOut = notConnected;
    let pair: StreamPair;
    if (target.kind === 'host') pair = createPairWithSocketToHost(target.host, target.port);
    else {
      const tracked = trackedResolution(target.service, timeout);
      const name = target.service.toString();
      pair = createPairWithSocketToNetService(tracked.service);
      // The resolve's own timeout ends with this one, and its failure reaches the pair a turn
      // later: whichever comes first, a service not resolved in time is reported as not found
      // (NetServices Timeout), as the help says, and a failed resolution as its own error.
      timedOut = () => {
        const outcome = tracked.outcome();
        if (outcome.kind === 'resolved') return notConnected();
        if (outcome.kind === 'failed') return toStreamError(outcome.error);
        return new StreamError(
          ErrorDomain.NetServices,
          NetServicesError.Timeout,
          `no answer for service ${JSON.stringify(name)} within ${timeout} ms`,
        );
      };
    }
    try {
      for (const [key, value] of properties) {
        if (!pair.readStream.setProperty(key, value))
          throw new Error(`this version of cfsocketstream does not support ${key}`);
      }
    } catch (error) {
      pair.close();
      throw error;
    }
    return transfer(pair, context, timeout, timedOut, flag(args.values, 'events'));
  },
};

/** How the resolution for the connection stands. */
type ResolutionOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'resolved' }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * A service whose resolution for the connection gives up after `timeout` ms
 * (NetServices Timeout), and how that resolution stands.
 */
function trackedResolution(
  service: NetService,
  timeout: number | undefined,
): { service: ConnectableService; outcome(): ResolutionOutcome } {
  let outcome: ResolutionOutcome = { kind: 'pending' };
  return {
    service: {
      resolveForConnect: (signal) =>
        service.resolveForConnect(signal, timeout).then(
          (resolution) => {
            outcome = { kind: 'resolved' };
            return resolution;
          },
          (error: unknown) => {
            outcome = { kind: 'failed', error };
            throw error;
          },
        ),
      cachedResolution: () => {
        const cached = service.cachedResolution();
        if (cached !== undefined) outcome = { kind: 'resolved' };
        return cached;
      },
      toString: () => service.toString(),
    },
    outcome: () => outcome,
  };
}

/** Pipes stdin → pair → stdout until the peer closes (0), an error (1) or an interrupt (130). */
function transfer(
  pair: StreamPair,
  { io, out, interrupted }: CommandContext,
  timeout: number | undefined,
  timedOut: () => StreamError,
  showEvents: boolean,
): Promise<number> {
  return new Promise((resolve) => {
    const streams: SocketStream[] = [pair.readStream, pair.writeStream];
    // Watched only when something needs the events: the first `events$` loads RxJS, which was
    // the largest part of a plain `cfstream connect`'s start-up (docs/performance.md).
    const watched = showEvents || timeout !== undefined ? streams : [];
    const subscriptions = watched.map((stream) =>
      stream.events$.subscribe((event) => {
        if (event.type === StreamEvent.OpenCompleted) clearTimeout(timer);
        if (showEvents) printEvent(out, event);
      }),
    );
    const duplex = pair.toDuplex();
    let done = false;
    const finish = (status: number, error?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      interrupted.removeEventListener('abort', onInterrupt);
      io.stdin.unpipe(duplex);
      io.stdin.pause();
      duplex.unpipe(io.stdout);
      for (const subscription of subscriptions) subscription.unsubscribe();
      if (error !== undefined) out.error(error);
      duplex.destroy();
      pair.close();
      resolve(status);
    };
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => finish(ExitStatus.Failed, timedOut()), timeout);
    const onInterrupt = (): void => finish(ExitStatus.Interrupted);
    interrupted.addEventListener('abort', onInterrupt, { once: true });
    duplex.on('error', (error) => finish(ExitStatus.Failed, error));
    // 'end': the peer closed its side and every byte before it went to stdout.
    duplex.on('end', () => finish(ExitStatus.Ok));
    duplex.pipe(io.stdout, { end: false });
    io.stdin.pipe(duplex);
  });
}

const eventName = (type: StreamEventType): string =>
  Object.entries(StreamEvent).find(([, value]) => value === type)?.[0] ?? String(type);

function printEvent(out: CommandContext['out'], event: StreamEventRecord<SocketStream>): void {
  const stream = event.stream instanceof WriteStream ? 'write' : 'read';
  const name = eventName(event.type);
  out.note(
    {
      event: 'stream',
      stream,
      type: name,
      code: event.type,
      ...(event.error === undefined ? {} : { error: describeError(event.error) }),
    },
    `cfstream connect: ${stream} stream: ${name}`,
  );
}
