/**
 * A capture mailbox the audit may read (`--mailbox DIR`): a folder of `.eml` files, one per
 * message, as Gatehouse writes to `<DATA_DIR>/outbox/` when SMTP_URL is unset (or any capture
 * tool that writes raw messages). Used only to follow a one-time link the audit itself asked for,
 * sent to an address of its own throwaway account.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Quoted-printable soft breaks and `=3D` undone, so a link split across lines reads whole. */
function unfold(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
}

/**
 * The token of the newest `linkPath?token=…` link in a message to `address` written after
 * `sinceMs`, polled every 200 ms for up to `timeoutMs` (Gatehouse's sender delivers within a
 * second or two of the request); undefined when none arrives.
 */
export async function waitForLinkToken(dir: string, address: string, linkPath: string, sinceMs: number, timeoutMs = 10_000): Promise<string | undefined> {
  const link = new RegExp(`${linkPath.replace(/[/?]/g, '\\$&')}\\?token=([A-Za-z0-9_-]{16,})`);
  const to = new RegExp(`^To:.*${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let newest: { ms: number; token: string } | undefined;
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
    } catch {
      // not there yet (the first mail creates it)
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const ms = statSync(file).mtimeMs;
      if (ms < sinceMs - 1000 || (newest && ms <= newest.ms)) continue;
      const text = unfold(readFileSync(file, 'utf8'));
      const token = to.test(text) ? link.exec(text)?.[1] : undefined;
      if (token) newest = { ms, token };
    }
    if (newest) return newest.token;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
