/**
 * Loaded with `--import` into a bot's process: appends what the process loads to the file named
 * by RECORD_LOADS_FILE, one a line: the URL of each module the loader hooks see, and
 * `require:<name>` for each require() (under tsx, required files bypass the hooks).
 */
import { appendFileSync } from 'node:fs';
import Module, { registerHooks } from 'node:module';

const file = process.env.RECORD_LOADS_FILE;
if (file) {
  registerHooks({
    load(url, context, next) {
      appendFileSync(file, `${url}\n`);
      return next(url, context);
    },
  });
  // Module._load is Node's internal entry of every require(); not in its types.
  const cjs = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = cjs._load;
  cjs._load = function (this: unknown, request: string, ...rest: unknown[]) {
    appendFileSync(file, `require:${request}\n`);
    return load.call(this, request, ...rest);
  };
}
