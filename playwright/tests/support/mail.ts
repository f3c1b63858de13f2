// Reads the messages the server wrote to <data dir>/mail (lettre's file transport): the real mail
// path, read back as a person would read their inbox.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';

type Message = { to: string; subject: string; body: string; time: number };

function decode(head: string, body: string): string {
  const encoding = /^Content-Transfer-Encoding: (.+)$/im.exec(head)?.[1].trim().toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  return body;
}

/** The mail folder of the server the config starts (its data folder's `mail`). */
export function defaultMailDir(): string {
  return join(process.env.STRONGROOM_E2E_DATA_DIR!, 'mail');
}

/** The messages to `address`, oldest first, from `dir` (another server's mail folder if given). */
export function inbox(address: string, dir = defaultMailDir()): Message[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files
    .map((f) => {
      const raw = readFileSync(join(dir, f), 'utf8');
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.slice(0, split);
      return {
        to: /^To: (.+)$/m.exec(head)?.[1].trim() ?? '',
        subject: /^Subject: (.+)$/m.exec(head)?.[1].trim() ?? '',
        body: decode(head, raw.slice(split + 4)),
        time: statSync(join(dir, f)).mtimeMs,
      };
    })
    .filter((m) => m.to === address)
    .sort((a, b) => a.time - b.time);
}

/** Waits for a message to `address` newer than `after` messages and returns its 8-digit code. */
export async function codeFor(address: string, after = 0, dir = defaultMailDir()): Promise<string> {
  let code = '';
  await expect
    .poll(() => {
      const messages = inbox(address, dir);
      if (messages.length <= after) return '';
      code = /\b(\d{4}) (\d{4})\b/.exec(messages[messages.length - 1].body)?.slice(1).join('') ?? '';
      return code;
    })
    .toMatch(/^\d{8}$/);
  return code;
}
