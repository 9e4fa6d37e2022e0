// The Nu Html Checker (vnu-jar from npm), run once over many files.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './env.js';

export const VNU_JAR = join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

/** Validates `files` in one JVM; returns vnu's error messages. */
export function validate(files) {
  if (files.length === 0) return [];
  const r = spawnSync('java', ['-Xss4m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', ...files], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 180_000,
  });
  if (r.error) throw r.error;
  const out = (r.stderr || '').trim() || (r.stdout || '').trim();
  let parsed;
  try {
    parsed = JSON.parse(out);
  } catch {
    throw new Error(`vnu did not answer JSON (exit ${r.status}):\n${out.slice(0, 2000)}`);
  }
  return parsed.messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
}

/** One line per message: file:line:col message «extract». */
export function describe(messages, strip = '') {
  return messages
    .map((m) => `${(m.url || '').replace('file:', '').replace(strip, '')}:${m.lastLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'} ${m.message}${m.extract ? `  «${m.extract.replace(/\s+/g, ' ').trim()}»` : ''}`)
    .join('\n');
}
