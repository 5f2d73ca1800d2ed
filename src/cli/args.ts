/**
 * Argument parsing for the `cfstream` command: node:util `parseArgs` in strict
 * mode, the options every command shares, and checks for numbers. Anything
 * wrong with the command line is a {@link UsageError} (exit status 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type PortUse, portProblem } from '../index.js';

/** A command-line mistake: printed with a hint to `--help`, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The option table of one command, as `parseArgs` takes it. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  interface: { type: 'string' },
  'dns-server': { type: 'string', multiple: true },
  tsig: { type: 'string', multiple: true },
} as const satisfies OptionTable;

/** Option values after parsing: strings, booleans, or lists for `multiple` options. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** A parsed command line. */
export interface ParsedArgs {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** Parses `argv` against the common options plus `options`; throws UsageError. */
export function parseCommandArgs(argv: readonly string[], options: OptionTable): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** A string option's value, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A boolean option's value. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** An integer option within [min, max], or undefined when absent; throws UsageError. */
export function integerOption(
  values: OptionValues,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  return parseInteger(text, `--${name}`, min, max);
}

/** Parses a decimal integer within [min, max]; throws UsageError naming `what`. */
export function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`${what} must be a number, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max)
    throw new UsageError(`${what} must be from ${min} to ${max}, got ${text}`);
  return value;
}

/** Parses a port by the package's port rule (src/port.ts); throws UsageError with the rule's message. */
export function parsePort(text: string, what: string, use: PortUse): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`${what} must be a number, got ${JSON.stringify(text)}`);
  const problem = portProblem(Number(text), use, what);
  if (problem !== undefined) throw new UsageError(problem);
  return Number(text);
}

/** Checks the number of positionals; throws UsageError. */
export function expectPositionals(
  positionals: readonly string[],
  min: number,
  max: number,
  names: string,
): void {
  if (positionals.length < min) throw new UsageError(`missing ${names}`);
  if (positionals.length > max)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[max])}`);
}
