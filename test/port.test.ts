/**
 * The one port rule (src/port.ts), and every entry point that takes a port
 * using it: the same check and the same message everywhere, 0 refused for a
 * connection and accepted for a published service.
 */
import assert from 'node:assert/strict';
import { parsePort, UsageError } from '../src/cli/args.js';
import { parseHostPort, parseTarget } from '../src/cli/target.js';
import {
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySOCKSProxyPort,
  StreamEvent,
} from '../src/constants.js';
import { ErrorDomain, NetServicesError } from '../src/error-codes.js';
import { StreamError } from '../src/errors.js';
import { NetService } from '../src/netservice/net-service.js';
import { checkPort, portError, portProblem } from '../src/port.js';
import { checkDestination } from '../src/socks/destination.js';
import { parseSOCKSProxy } from '../src/socks/proxy-settings.js';
import type { ConnectableService } from '../src/stream/open-pipeline.js';
import {
  createPairWithSocketToHost,
  createPairWithSocketToNetService,
} from '../src/stream/stream-pair.js';

const EINVAL = 22; // Linux
const BAD = [0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '80', null, undefined];

/** The RangeError `fn` throws; fails when it throws nothing or something else. */
function rangeErrorOf(fn: () => unknown): RangeError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RangeError, `threw ${String(error)}`);
    return error;
  }
  assert.fail('did not throw');
}

/** A service that resolves to 127.0.0.1 on `port`, from the cache or by asking. */
function serviceOn(port: number, cached: boolean): ConnectableService {
  const resolution = {
    hostName: 'zero.local.',
    port,
    addresses: [{ address: '127.0.0.1', family: 4 as const }],
  };
  return {
    resolveForConnect: async () => resolution,
    cachedResolution: () => (cached ? resolution : undefined),
    toString: () => 'Zero._test._tcp.local.',
  };
}

describe('the port rule', () => {
  it('takes 1-65535 for a connection and 0-65535 for a published service', () => {
    for (const port of [1, 80, 65535]) assert.equal(checkPort(port, 'connect'), port);
    for (const port of [0, 1, 65535]) assert.equal(checkPort(port, 'publish'), port);
    for (const port of BAD) assert.ok(portProblem(port, 'connect') !== undefined, String(port));
    for (const port of BAD.filter((p) => p !== 0))
      assert.ok(portProblem(port, 'publish') !== undefined, String(port));
    assert.equal(portProblem(0, 'connect'), 'port must be an integer from 1 to 65535, got 0');
    assert.equal(
      portProblem('80', 'publish', 'the port'),
      'the port must be an integer from 0 to 65535, got "80"',
    );
    assert.equal(rangeErrorOf(() => checkPort(0, 'connect')).message, portProblem(0, 'connect'));
  });

  it('reports a port met during an open as POSIX EINVAL, with the RangeError as cause', () => {
    assert.equal(portError(443, 'connect'), undefined);
    const error = portError(0, 'connect', 'the port');
    assert.ok(error instanceof StreamError);
    assert.equal(error.domain, ErrorDomain.POSIX);
    assert.equal(error.code, EINVAL);
    assert.ok(error.cause instanceof RangeError);
    assert.equal((error.cause as RangeError).message, portProblem(0, 'connect', 'the port'));
  });

  it('is the check of pair creation to a host: port 0 is refused', () => {
    for (const port of BAD) {
      const error = rangeErrorOf(() => createPairWithSocketToHost('127.0.0.1', port as number));
      assert.equal(error.message, portProblem(port, 'connect'));
    }
  });

  for (const cached of [true, false]) {
    it(`is the check of a pair to a service that resolves to port 0 (${cached ? 'cached' : 'asked'})`, async () => {
      const pair = createPairWithSocketToNetService(serviceOn(0, cached));
      try {
        const error = await new Promise<StreamError>((resolve) => {
          pair.readStream.setClient(StreamEvent.ErrorOccurred, (stream) =>
            resolve(stream.copyError() as StreamError),
          );
          pair.open();
        });
        assert.equal(error.domain, ErrorDomain.POSIX);
        assert.equal(error.code, EINVAL);
        assert.match(error.message, /port must be an integer from 1 to 65535, got 0/);
      } finally {
        pair.close();
      }
    });
  }

  it('is the check of the SOCKS proxy port and of the SOCKS destination', () => {
    const what = 'kCFStreamPropertySOCKSProxyPort';
    for (const port of [0, -1, 65536, 1.5]) {
      const error = rangeErrorOf(() => parseSOCKSProxy({ SOCKSProxy: 'p', SOCKSPort: port }));
      assert.equal(error.message, portProblem(port, 'connect', what));
    }
    const pair = createPairWithSocketToHost('127.0.0.1', 80);
    rangeErrorOf(() =>
      pair.readStream.setProperty(kCFStreamPropertySOCKSProxy, {
        SOCKSProxy: 'p',
        [kCFStreamPropertySOCKSProxyPort]: 0,
      }),
    );
    pair.close();
    const refused = checkDestination({ host: 'h', port: 0 }, 'proxy');
    assert.equal(refused?.code, EINVAL);
    assert.equal(refused?.message, portError(0, 'connect', 'proxy: the destination port')?.message);
  });

  it('is the check of NetService, as a NetServices BadArgument; a published port may be 0', async () => {
    assert.equal(new NetService('local.', '_test._tcp', 'Zero', 0).toString().length > 0, true);
    for (const port of [-1, 65536, 1.5]) {
      assert.throws(
        () => new NetService('local.', '_test._tcp', 'Bad', port),
        (error: unknown) =>
          error instanceof StreamError &&
          error.domain === ErrorDomain.NetServices &&
          error.code === NetServicesError.BadArgument &&
          error.message.startsWith(portProblem(port, 'publish') as string) &&
          error.cause instanceof RangeError,
      );
    }
    await assert.rejects(
      new NetService('local.', '_test._tcp', 'Bad').publish({ port: 70000 }),
      (error: unknown) =>
        error instanceof StreamError && error.code === NetServicesError.BadArgument,
    );
  });

  it('is the check of the command line: targets, --socks and publish', () => {
    for (const [text, port] of [
      ['host:0', 0],
      ['host:65536', 65536],
      ['[::1]:0', 0],
    ] as const) {
      assert.throws(
        () => parseTarget(text),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === portProblem(port, 'connect', 'target port'),
      );
    }
    assert.throws(
      () => parseHostPort('proxy:0', '--socks'),
      (error: unknown) =>
        error instanceof UsageError && error.message === portProblem(0, 'connect', '--socks port'),
    );
    assert.equal(parsePort('0', 'port', 'publish'), 0);
    assert.throws(
      () => parsePort('65536', 'port', 'publish'),
      (error: unknown) =>
        error instanceof UsageError && error.message === portProblem(65536, 'publish'),
    );
  });
});
