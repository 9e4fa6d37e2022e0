// HTML validity: the Nu Html Checker reports no error on any built page (the
// site and the fallback fixture), run once over all the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITE_DIR, FIXTURE_DIR, filesUnder } from '../lib/env.js';
import { validate, describe } from '../lib/vnu.js';

test('vnu: 0 errors on every built .html file', () => {
  const files = [...filesUnder(SITE_DIR, '.html'), ...filesUnder(FIXTURE_DIR, '.html')];
  assert.ok(files.length > 10, `found ${files.length} built pages`);
  const errors = validate(files);
  const strip = SITE_DIR.replace(/\/?$/, '/');
  assert.equal(errors.length, 0, `vnu: ${errors.length} error(s) in ${files.length} files:\n${describe(errors, strip)}`);
});
