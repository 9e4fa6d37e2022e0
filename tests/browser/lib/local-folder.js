// The editors' interface works on a folder the browser's native picker
// hands it, which no test can click. These stand in for it: the picker
// returns the browser's private file system (OPFS) filled with a copy of
// real files, and the test reads back what the interface wrote there.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under each `top`/`sub`, as { 'content/x.it.md': text } relative to `top`. */
export function filesOf(top, ...subs) {
  const out = {};
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p); else out[relative(top, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  for (const sub of subs) walk(join(top, sub));
  return out;
}

/** Makes `showDirectoryPicker` return the private file system holding `files` (before the page loads). */
export async function pickerReturnsCopyOf(page, files) {
  await page.addInitScript((files) => {
    window.showDirectoryPicker = async () => {
      const top = await navigator.storage.getDirectory();
      for (const [path, text] of Object.entries(files)) {
        const parts = path.split('/');
        let dir = top;
        for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
        const writable = await (await dir.getFileHandle(parts.at(-1), { create: true })).createWritable();
        await writable.write(text);
        await writable.close();
      }
      return top;
    };
  }, files);
}

/** What the private file system holds now, as { path: text }. */
export function opfsFiles(page) {
  return page.evaluate(async () => {
    const out = {};
    const walk = async (handle, prefix) => {
      for await (const [name, h] of handle.entries()) {
        if (h.kind === 'directory') await walk(h, prefix + name + '/');
        else out[prefix + name] = await (await h.getFile()).text();
      }
    };
    await walk(await navigator.storage.getDirectory(), '');
    return out;
  });
}
