#!/usr/bin/env node
/**
 * `npm start`'s prestart: builds dist/ only when something it is built from changed since the last
 * successful build, so a start after editing `.env` alone takes no build time. Plain JavaScript, so
 * it runs before anything is compiled.
 *
 * Compared: every file and folder under src/ (a folder's time changes when a file is added or
 * deleted), the tsconfig files and package-lock.json, against dist/.build-stamp, written here after
 * a build that succeeded (a failed build leaves the old stamp, so the next start builds again).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time under `path` (itself included), 0 when it does not exist. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  let t = st.mtimeMs;
  if (st.isDirectory()) for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

function stampTime() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const changed = Math.max(newest(join(root, 'src')), ...inputs.map((f) => newest(join(root, f))));
const built = stampTime();
if (built > 0 && changed < built) process.exit(0);

// The stamp carries the time the build began: a file saved while it ran is newer, so built next time.
const began = new Date();
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(stamp, `${began.toISOString()}\n`);
utimesSync(stamp, began, began);
