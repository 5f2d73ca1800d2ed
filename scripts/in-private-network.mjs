#!/usr/bin/env node
// Runs a command inside a private network namespace whose only interface is a
// loopback with IPv4 multicast on, so that mDNS sent by tests, benchmarks and
// demos can never reach the machine's real network (multicast there reaches
// other machines). Usage: node scripts/in-private-network.mjs CMD [ARGS...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MARKER = 'CFSTREAM_PRIVATE_NETWORK';
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/in-private-network.mjs CMD [ARGS...]');
  process.exit(2);
}

function run(cmd, argv, env = process.env) {
  const result = spawnSync(cmd, argv, { stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.env[MARKER] === '1') {
  // Already inside: finish the set-up, then run the command.
  const setup = [
    ['ip', ['link', 'set', 'lo', 'up']],
    ['ip', ['link', 'set', 'lo', 'multicast', 'on']],
    ['ip', ['route', 'add', '224.0.0.0/4', 'dev', 'lo']],
  ];
  for (const [cmd, argv] of setup) {
    const result = spawnSync(cmd, argv, { stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(
        `in-private-network: \`${cmd} ${argv.join(' ')}\` failed; is iproute2 installed?`,
      );
      process.exit(1);
    }
  }
  process.exit(run(command, args));
}

const flags = process.getuid?.() === 0 ? ['--net'] : ['--net', '--map-root-user'];
const probe = spawnSync('unshare', [...flags, 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
if (probe.error || probe.status !== 0) {
  const why = probe.error ? probe.error.message : String(probe.stderr).trim();
  console.error(
    `in-private-network: cannot create a private network namespace (${why}).\n` +
      'These tests send mDNS multicast and must not run on the real network.\n' +
      'Install util-linux and iproute2, and run as root or enable unprivileged user\n' +
      'namespaces (sysctl -w kernel.unprivileged_userns_clone=1 or\n' +
      'kernel.apparmor_restrict_unprivileged_userns=0).',
  );
  process.exit(1);
}
const self = fileURLToPath(import.meta.url);
const result = spawnSync('unshare', [...flags, process.execPath, self, command, ...args], {
  stdio: 'inherit',
  env: { ...process.env, [MARKER]: '1' },
});
process.exit(result.status ?? 1);
