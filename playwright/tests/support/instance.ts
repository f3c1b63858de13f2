// Extra server instances a spec starts for itself (on its own port and data folder), beside the
// one the config starts: several instances on one PostgreSQL, or a server on an old database.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from '@playwright/test';

const root = resolve(__dirname, '..', '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const binary = process.env.STRONGROOM_BIN ?? join(targetDir, 'debug', 'strongroom');
const dist = process.env.STRONGROOM_E2E_DIST ?? join(root, 'dist');

export type Instance = { url: string; dataDir: string; mailDir: string; log: string; process: ChildProcess };

/** A TCP port free at the moment. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts an instance with its own data folder (`dataDir`, or a fresh one) and the given extra
 * environment (e.g. `DATABASE_URL`), and waits until it answers.
 */
export async function startInstance(env: Record<string, string> = {}, dataDir?: string): Promise<Instance> {
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'strongroom-e2e-instance-'));
  const log = join(dir, 'server.log');
  const out = openSync(log, 'a');
  const child = spawn(binary, [], {
    env: {
      ...process.env,
      STRONGROOM_BIND: `127.0.0.1:${port}`,
      STRONGROOM_DATA_DIR: dir,
      STRONGROOM_STATIC_DIR: dist,
      STRONGROOM_LOG: 'info',
      STRONGROOM_IP_LIMIT_MULTIPLIER: '100',
      ...env,
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const instance = { url: `http://127.0.0.1:${port}`, dataDir: dir, mailDir: join(dir, 'mail'), log, process: child };
  let exited = false;
  child.on('exit', () => (exited = true));
  await expect
    .poll(
      async () => {
        if (exited) throw new Error(`the instance stopped:\n${readFileSync(log, 'utf8')}`);
        try {
          return (await fetch(`${instance.url}/api/health`)).ok;
        } catch {
          return false;
        }
      },
      { timeout: 60_000, message: `instance on port ${port} answers /api/health` },
    )
    .toBe(true);
  return instance;
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}
