// A `sportello serve` of its own for a test that changes content: live
// reload on, over the `content/` folder of `cwd`, on a free port.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './env.js';

const REPO = join(ROOT, '..', '..');
export const BIN = process.env.SPORTELLO_BIN || join(REPO, 'target', 'release', 'sportello');
export const THEMES = join(REPO, 'themes');

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});

/**
 * Starts `sportello serve` in `cwd` (content/, public/ and the queue there)
 * and returns { base, server } once `readyPath` answers (60 s at most).
 */
export async function startServe(cwd, readyPath) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, ['serve', '--content', 'content', '--themes', THEMES,
    '--out', 'public', '--listen', `127.0.0.1:${port}`, '--queue', 'q.jsonl'], { cwd, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(base + readyPath)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, server };
}
