// axe-core as every browser test runs it: the WCAG 2.0/2.1/2.2 A and AA
// rules, one list of violations a failing assertion can print.
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';

/** The rules checked: WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe on the page as it is now and asserts it found no violation
 * (listed by rule, help and the first elements involved) and that it did
 * run (some rules passed). `label` names the page in the message.
 */
export async function assertNoViolations(page, label) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes
    .slice(0, 5)
    .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`)
    .join('\n')}`);
  assert.deepEqual(found, [], `${label}: axe violations`);
  assert.ok(results.passes.length > 10, `${label}: axe ran (${results.passes.length} rules passed)`);
}
