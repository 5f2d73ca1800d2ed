/**
 * The stream properties `connect` sets from its options: TLS
 * (kCFStreamPropertySocketSecurityLevel and kCFStreamPropertySSLSettings) and
 * SOCKS (kCFStreamPropertySOCKSProxy). Certificate files are read here; the
 * pair checks the values when they are set.
 */
import { readFileSync } from 'node:fs';
import {
  kCFStreamPropertySOCKSPassword,
  kCFStreamPropertySOCKSProxy,
  kCFStreamPropertySOCKSProxyHost,
  kCFStreamPropertySOCKSProxyPort,
  kCFStreamPropertySOCKSUser,
  kCFStreamPropertySOCKSVersion,
  kCFStreamPropertySocketSecurityLevel,
  kCFStreamPropertySSLSettings,
  kCFStreamSocketSecurityLevelNegotiatedSSL,
  kCFStreamSocketSOCKSVersion4,
  kCFStreamSocketSOCKSVersion5,
  kCFStreamSSLAllowsAnyRoot,
  kCFStreamSSLAllowsExpiredCertificates,
  kCFStreamSSLAllowsExpiredRoots,
  kCFStreamSSLCertificates,
  kCFStreamSSLPeerName,
  kCFStreamSSLTrustedRoots,
  posixError,
} from '../index.js';
import { flag, type OptionTable, type OptionValues, stringOption, UsageError } from './args.js';
import { parseHostPort } from './target.js';

/** The environment variable holding the SOCKS password (never a command-line argument: `ps` shows those). */
export const SOCKS_PASSWORD_ENV = 'CFSTREAM_SOCKS_PASSWORD';

/** The TLS and SOCKS options of `connect`. */
export const CONNECT_SETTINGS_OPTIONS = {
  tls: { type: 'boolean' },
  'peer-name': { type: 'string' },
  'no-verify-name': { type: 'boolean' },
  ca: { type: 'string', multiple: true },
  cert: { type: 'string' },
  key: { type: 'string' },
  'allow-expired': { type: 'boolean' },
  'allow-any-root': { type: 'boolean' },
  socks: { type: 'string' },
  'socks-version': { type: 'string' },
  'socks-user': { type: 'string' },
} as const satisfies OptionTable;

/** Property keys and values, in the order to set them. */
export type PropertyList = Array<readonly [key: string, value: unknown]>;

/** The properties the options ask for; throws UsageError for contradictions, a POSIX StreamError for an unreadable file. */
export function connectProperties(
  values: OptionValues,
  env: NodeJS.ProcessEnv = process.env,
): PropertyList {
  return [...tlsProperties(values), ...socksProperties(values, env)];
}

function tlsProperties(values: OptionValues): PropertyList {
  const peerName = stringOption(values, 'peer-name');
  const noVerifyName = flag(values, 'no-verify-name');
  const ca = (values.ca ?? []) as string[];
  const cert = stringOption(values, 'cert');
  const key = stringOption(values, 'key');
  if (peerName !== undefined && noVerifyName)
    throw new UsageError('--peer-name and --no-verify-name contradict each other');
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--cert and --key go together');
  const settings: Record<string, unknown> = {};
  if (peerName !== undefined) settings[kCFStreamSSLPeerName] = peerName;
  if (noVerifyName) settings[kCFStreamSSLPeerName] = null;
  if (ca.length > 0) settings[kCFStreamSSLTrustedRoots] = ca.map((file) => readText(file, '--ca'));
  if (cert !== undefined && key !== undefined)
    settings[kCFStreamSSLCertificates] = [
      { key: readText(key, '--key'), cert: readText(cert, '--cert') },
    ];
  if (flag(values, 'allow-expired')) {
    settings[kCFStreamSSLAllowsExpiredCertificates] = true;
    settings[kCFStreamSSLAllowsExpiredRoots] = true;
  }
  if (flag(values, 'allow-any-root')) settings[kCFStreamSSLAllowsAnyRoot] = true;
  // Any TLS option implies --tls: settings without --tls would be silently ignored otherwise.
  if (!flag(values, 'tls') && Object.keys(settings).length === 0) return [];
  return [
    [kCFStreamPropertySocketSecurityLevel, kCFStreamSocketSecurityLevelNegotiatedSSL],
    [kCFStreamPropertySSLSettings, settings],
  ];
}

function socksProperties(values: OptionValues, env: NodeJS.ProcessEnv): PropertyList {
  const proxy = stringOption(values, 'socks');
  const version = stringOption(values, 'socks-version');
  const user = stringOption(values, 'socks-user');
  if (proxy === undefined) {
    if (version !== undefined || user !== undefined)
      throw new UsageError('--socks-version and --socks-user need --socks HOST:PORT');
    return [];
  }
  const address = parseHostPort(proxy, '--socks');
  if (address === undefined) throw new UsageError('--socks takes HOST:PORT or [v6]:PORT');
  if (version !== undefined && version !== '4' && version !== '5')
    throw new UsageError(`--socks-version must be 4 or 5, got ${JSON.stringify(version)}`);
  const settings: Record<string, unknown> = {
    [kCFStreamPropertySOCKSProxyHost]: address.host,
    [kCFStreamPropertySOCKSProxyPort]: address.port,
    [kCFStreamPropertySOCKSVersion]:
      version === '4' ? kCFStreamSocketSOCKSVersion4 : kCFStreamSocketSOCKSVersion5,
  };
  if (user !== undefined) {
    settings[kCFStreamPropertySOCKSUser] = user;
    const password = env[SOCKS_PASSWORD_ENV];
    if (password !== undefined) settings[kCFStreamPropertySOCKSPassword] = password;
  }
  return [[kCFStreamPropertySOCKSProxy, settings]];
}

function readText(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw posixError(code, `cannot read ${option} ${file}`, error);
  }
}
