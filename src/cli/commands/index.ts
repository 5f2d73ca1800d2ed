/** Every `cfstream` command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { browseCommand } from './browse.js';
import { connectCommand } from './connect.js';
import { lookupCommand } from './lookup.js';
import { publishCommand } from './publish.js';
import { resolveCommand } from './resolve.js';

export const commands: readonly Command[] = [
  browseCommand,
  resolveCommand,
  lookupCommand,
  publishCommand,
  connectCommand,
];
