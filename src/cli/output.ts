/**
 * How `cfstream` prints: results on stdout, diagnostics and errors on
 * stderr; as text for people, or with `--json` as one JSON object per line,
 * each with an `event` field, for programs.
 */
import type { Readable, Writable } from 'node:stream';
import type { ResolvedAddress, TxtDictionary } from '../index.js';
import { describeError, formatErrorLine } from './error-format.js';

/** The process's standard streams (tests may pass their own). */
export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** A JSON record; `event` says what it is. */
export type JsonRecord = { readonly event: string } & Record<string, unknown>;

/** Prints results, notes and errors for one command run. */
export class Output {
  readonly json: boolean;
  readonly #io: CliIO;
  readonly #command: string;

  constructor(io: CliIO, command: string, json: boolean) {
    this.#io = io;
    this.#command = command;
    this.json = json;
  }

  /** A result on stdout: the record as JSON, or the text lines. */
  result(record: JsonRecord, text: string): void {
    this.#io.stdout.write(this.json ? `${JSON.stringify(record)}\n` : `${text}\n`);
  }

  /** A diagnostic on stderr (stream events of `connect`, progress). */
  note(record: JsonRecord, text: string): void {
    this.#io.stderr.write(this.json ? `${JSON.stringify(record)}\n` : `${text}\n`);
  }

  /** An error on stderr: one line of text, or `{"event":"error", domain, code, ...}`. */
  error(thrown: unknown): void {
    const report = describeError(thrown);
    this.#io.stderr.write(
      this.json
        ? `${JSON.stringify({ event: 'error', ...report })}\n`
        : `cfstream ${this.#command}: ${formatErrorLine(report)}\n`,
    );
  }

  /** Resolves once everything written to stdout and stderr has been handed to the OS. */
  async flush(): Promise<void> {
    await Promise.all(
      [this.#io.stdout, this.#io.stderr].map(
        (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
      ),
    );
  }
}

/** TXT values for JSON: UTF-8 text, `true` for a key without a value, `{ base64 }` for other bytes. */
export function txtToJson(txt: TxtDictionary): Record<string, string | true | { base64: string }> {
  const out: Record<string, string | true | { base64: string }> = {};
  for (const [key, value] of Object.entries(txt)) {
    if (value === true) out[key] = true;
    else {
      const text = value.toString('utf8');
      out[key] = Buffer.from(text, 'utf8').equals(value)
        ? text
        : { base64: value.toString('base64') };
    }
  }
  return out;
}

/** TXT as text: `key=value` pairs separated by spaces (binary values in base64). */
export function txtToText(txt: TxtDictionary): string {
  return Object.entries(txtToJson(txt))
    .map(([key, value]) =>
      value === true
        ? key
        : typeof value === 'string'
          ? `${key}=${value}`
          : `${key}=base64:${value.base64}`,
    )
    .join(' ');
}

/** Addresses for JSON. */
export const addressesToJson = (addresses: readonly ResolvedAddress[]) =>
  addresses.map(({ address, family }) => ({ address, family }));
