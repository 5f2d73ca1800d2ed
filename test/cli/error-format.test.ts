import assert from 'node:assert/strict';
import { describeError, formatErrorLine } from '../../src/cli/error-format.js';
import { ErrorDomain, NetServicesError, SOCKSSubdomain, SSLError } from '../../src/error-codes.js';
import { posixError, StreamError, socksError } from '../../src/errors.js';

describe('cli/error-format', () => {
  it('names the domain, the code, its symbol and meaning, and keeps the message', () => {
    const report = describeError(posixError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'));
    assert.equal(
      formatErrorLine(report),
      'POSIX (domain 1) code 111 ECONNREFUSED: connection refused (connect ECONNREFUSED 127.0.0.1:9)',
    );
  });

  it('splits SOCKS errors into subdomain and code, with the raw value kept', () => {
    const report = describeError(socksError(SOCKSSubdomain.SOCKS5Response, 5, 'refused by proxy'));
    assert.equal(report.subdomain, 5);
    assert.equal(report.subdomainName, 'SOCKS5Response');
    assert.equal(report.code, 5);
    assert.equal(report.error, (5 << 16) | 5);
    assert.equal(
      formatErrorLine(report),
      'SOCKS (domain 5) subdomain SOCKS5Response (5) code 5: connection refused (refused by proxy)',
    );
    const version = describeError(socksError(SOCKSSubdomain.VersionCode, 4, 'v'));
    assert.equal(version.meaning, 'the proxy answered with SOCKS version 4');
  });

  it('an mDNS timeout keeps its diagnosis (JSON) and its summary in the line', () => {
    const diagnosis = {
      name: 'Prnter._ipp._tcp.local',
      interfaces: ['eth0'],
      packetsHeard: 3,
      sameType: ['Printer'],
      offLink: [],
      missingTxt: false,
      summary: 'did you mean "Printer"? instances of its type that answer: "Printer"',
    };
    const error = new StreamError(
      ErrorDomain.NetServices,
      NetServicesError.Timeout,
      `no mDNS answer for "Prnter._ipp._tcp.local": ${diagnosis.summary}`,
      { diagnosis },
    );
    const report = describeError(error);
    assert.deepEqual(report.diagnosis, diagnosis);
    assert.match(formatErrorLine(report), /did you mean "Printer"\?[^\n]*\)$/);
  });

  it('knows SSL, NetServices and NetDB codes by name', () => {
    const ssl = describeError(new StreamError(ErrorDomain.SSL, SSLError.errSSLCertExpired, 'x'));
    assert.equal(ssl.name, 'errSSLCertExpired');
    assert.equal(ssl.meaning, 'certificate expired');
    const ns = describeError(
      new StreamError(ErrorDomain.NetServices, NetServicesError.Collision, 'taken'),
    );
    assert.equal(
      formatErrorLine(ns),
      'NetServices (domain 10) code -72001 Collision: the service name is already in use (taken)',
    );
    const netdb = describeError(new StreamError(ErrorDomain.NetDB, 8, 'nope'));
    assert.equal(netdb.name, 'EAI_NONAME');
  });

  it('prints anything else (Custom domain) as its message on one line', () => {
    const report = describeError(new TypeError('bad\nvalue'));
    assert.equal(report.domain, -1);
    assert.equal(formatErrorLine(report), 'bad value');
  });
});
