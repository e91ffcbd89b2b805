import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envExample, generatedFiles, settingsDoc } from '../../scripts/settings-docs.js';
import { SETTINGS } from '../../src/config/settings.js';
import { read } from './repo.js';

test('.env.example and the tables of docs/settings.md are what the declarations generate (npm run docs:settings)', () => {
  for (const [path, now, generated] of generatedFiles()) {
    assert.equal(now, generated, `${path} is out of date: run npm run docs:settings`);
  }
});

test('a declaration edited without regenerating the docs is caught', () => {
  const setting = SETTINGS.find((s) => s.name === 'CACHE_TTL_SECONDS');
  assert.ok(setting);
  const { doc } = setting;
  (setting as { doc: string }).doc = 'a description changed in the declaration only';
  try {
    assert.notEqual(envExample(), read('.env.example'));
    assert.notEqual(settingsDoc(read('docs/settings.md')), read('docs/settings.md'));
  } finally {
    (setting as { doc: string }).doc = doc;
  }
});
