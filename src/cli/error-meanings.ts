/**
 * What each error code means, in words, for the `cfstream` error line: errno
 * names from Node's own table (POSIX), SecureTransport codes (SSL),
 * CFNetServices codes, getaddrinfo's EAI_* codes (NetDB) and the SOCKS
 * subdomains, whose servers' reply codes the SOCKS wire tables describe.
 */
import { getSystemErrorMap } from 'node:util';
import {
  describeSOCKS4Status,
  describeSOCKS5Reply,
  ErrorDomain,
  NetDBError,
  NetServicesError,
  SOCKSError,
  SOCKSSubdomain,
  SSLError,
} from '../index.js';

/** A code's symbolic name (when it has one) and what it means. */
export interface Meaning {
  readonly name?: string;
  readonly text: string;
}

const sslMeanings: Record<number, string> = {
  [SSLError.errSSLProtocol]: 'TLS protocol error',
  [SSLError.errSSLNegotiation]: 'TLS negotiation failed',
  [SSLError.errSSLFatalAlert]: 'the peer sent a fatal TLS alert',
  [SSLError.errSSLClosedGraceful]: 'the peer closed the TLS connection',
  [SSLError.errSSLClosedAbort]: 'the connection closed during the TLS handshake',
  [SSLError.errSSLXCertChainInvalid]: 'invalid certificate chain',
  [SSLError.errSSLBadCert]: 'bad certificate',
  [SSLError.errSSLUnknownRootCert]: 'the certificate chain ends in an untrusted root',
  [SSLError.errSSLNoRootCert]: 'self-signed certificate, not trusted',
  [SSLError.errSSLCertExpired]: 'certificate expired',
  [SSLError.errSSLCertNotYetValid]: 'certificate not yet valid',
  [SSLError.errSSLPeerHandshakeFail]: 'the peer refused the TLS handshake',
  [SSLError.errSSLPeerBadCert]: 'the peer refused our certificate',
  [SSLError.errSSLPeerProtocolVersion]: 'no TLS protocol version both sides support',
  [SSLError.errSSLHostNameMismatch]: 'the certificate is not for this host name',
};

const netServicesMeanings: Record<number, string> = {
  [NetServicesError.Unknown]: 'unknown error',
  [NetServicesError.Collision]: 'the service name is already in use',
  [NetServicesError.NotFound]: 'service not found',
  [NetServicesError.InProgress]: 'already in progress',
  [NetServicesError.BadArgument]: 'bad argument',
  [NetServicesError.Cancel]: 'cancelled',
  [NetServicesError.Invalid]: 'invalid',
  [NetServicesError.Timeout]: 'timed out: no answer on the local network',
};

// gai_strerror's texts.
const netdbMeanings: Record<number, string> = {
  [NetDBError.EAI_ADDRFAMILY]: 'address family for host name not supported',
  [NetDBError.EAI_AGAIN]: 'temporary failure in name resolution',
  [NetDBError.EAI_BADFLAGS]: 'invalid flags',
  [NetDBError.EAI_FAIL]: 'non-recoverable failure in name resolution',
  [NetDBError.EAI_FAMILY]: 'address family not supported',
  [NetDBError.EAI_MEMORY]: 'memory allocation failure',
  [NetDBError.EAI_NODATA]: 'no address associated with host name',
  [NetDBError.EAI_NONAME]: 'host name not known',
  [NetDBError.EAI_SERVICE]: 'service name not supported for socket type',
  [NetDBError.EAI_SOCKTYPE]: 'socket type not supported',
  [NetDBError.EAI_SYSTEM]: 'system error',
  [NetDBError.EAI_BADHINTS]: 'invalid hints',
  [NetDBError.EAI_PROTOCOL]: 'resolved protocol is unknown',
  [NetDBError.EAI_OVERFLOW]: 'argument buffer overflow',
};

const noneCodes: Record<number, string> = {
  [SOCKSError.BadResponseAddr]: 'the proxy replied with an unknown address type',
  [SOCKSError.BadState]: 'the proxy replied out of turn',
  [SOCKSError.UnknownClientVersion]: 'SOCKS version other than 4 or 5 requested',
};

const nameOf = (table: Readonly<Record<string, number>>, code: number): string | undefined =>
  Object.entries(table).find(([, value]) => value === code)?.[0];

/** The meaning of `code` in `domain` (for SOCKS: of the code within `subdomain`). */
export function meaningOf(domain: number, code: number, subdomain?: number): Meaning {
  switch (domain) {
    case ErrorDomain.POSIX: {
      const entry = getSystemErrorMap().get(-code);
      return entry ? { name: entry[0], text: entry[1] } : { text: `errno ${code}` };
    }
    case ErrorDomain.SSL:
      return withName(nameOf(SSLError, code), sslMeanings[code] ?? 'TLS error');
    case ErrorDomain.NetServices:
      return withName(
        nameOf(NetServicesError, code),
        netServicesMeanings[code] ?? 'service discovery error',
      );
    case ErrorDomain.NetDB:
      return withName(nameOf(NetDBError, code), netdbMeanings[code] ?? 'name resolution failed');
    case ErrorDomain.SOCKS:
      return socksMeaning(subdomain ?? 0, code);
    default:
      return { text: 'error' };
  }
}

function withName(name: string | undefined, text: string): Meaning {
  return name === undefined ? { text } : { name, text };
}

/** The name of a SOCKS subdomain number. */
export function socksSubdomainName(subdomain: number): string {
  return nameOf(SOCKSSubdomain, subdomain) ?? `subdomain ${subdomain}`;
}

function socksMeaning(subdomain: number, code: number): Meaning {
  switch (subdomain) {
    case SOCKSSubdomain.None:
      return { text: noneCodes[code] ?? 'SOCKS error' };
    case SOCKSSubdomain.VersionCode:
      return { text: `the proxy answered with SOCKS version ${code}` };
    case SOCKSSubdomain.SOCKS4Response:
      return { text: describeSOCKS4Status(code) };
    case SOCKSSubdomain.SOCKS5UserPass:
      return { text: 'the proxy refused the user name or password' };
    case SOCKSSubdomain.SOCKS5Method:
      return {
        text:
          code === SOCKSError.SOCKS5NoAcceptableMethod
            ? 'no acceptable authentication method (does the proxy need --socks-user?)'
            : `the proxy chose authentication method ${code}, which we cannot use`,
      };
    case SOCKSSubdomain.SOCKS5Response:
      return { text: describeSOCKS5Reply(code) };
    default:
      return { text: 'SOCKS error' };
  }
}
