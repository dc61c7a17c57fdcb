/**
 * Reading a password for the CLI: from a TTY, a prompt that echoes nothing (asked twice);
 * from a pipe, the first line of stdin. Never from argv, where `ps` and shell history see it.
 */
import { createInterface } from 'node:readline';

export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

async function promptHidden(stdin: NodeJS.ReadStream, question: string): Promise<string> {
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          process.stderr.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          finish();
          return reject(new Error('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

/** The new password: prompted twice on a TTY, else one line from `input` (stdin). */
export async function readNewPassword(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  label: (key: 'cli.prompt_password' | 'cli.prompt_repeat') => string,
): Promise<{ ok: true; password: string } | { ok: false; reason: 'cli.passwords_differ' | 'cli.no_password' }> {
  if (input.isTTY) {
    const tty = input as NodeJS.ReadStream;
    const first = await promptHidden(tty, label('cli.prompt_password'));
    const second = await promptHidden(tty, label('cli.prompt_repeat'));
    if (first !== second) return { ok: false, reason: 'cli.passwords_differ' };
    return { ok: true, password: first };
  }
  const line = await readFirstLine(input);
  if (line === undefined || line === '') return { ok: false, reason: 'cli.no_password' };
  return { ok: true, password: line };
}
