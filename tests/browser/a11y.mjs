// The accessibility and validity gate of the browser tests: checkPage() opens one page the
// way a person would (light and dark, 1280 px and 390 px wide) and fails on what axe-core
// rates critical or serious, and on any error html-validate's recommended preset finds in the
// HTML the server sent (before any script ran). Each report names the page, the width and
// the colour scheme, the rule and the elements, so the fix is findable.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { HtmlValidate } from 'html-validate';

const require = createRequire(import.meta.url);
/** axe-core's browser build, evaluated in the page (page.evaluate is not subject to its CSP). */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The widths and colour schemes every page is checked at. */
export const VIEWS = [
  { width: 1280, height: 900, colorScheme: 'light' },
  { width: 1280, height: 900, colorScheme: 'dark' },
  { width: 390, height: 844, colorScheme: 'light' },
  { width: 390, height: 844, colorScheme: 'dark' },
];

/**
 * html-validate's recommended preset, with one rule eased (a rule changed here must say why):
 * aria-label-misuse allows aria-label on any element that may be named: the reactions list
 * under a message is named "Reactions", which screen readers announce with the list.
 * (Single exceptions sit in the template as html-validate-disable-next comments with reasons.)
 */
const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'aria-label-misuse': ['error', { allowAnyNamable: true }] },
});

/** Returns html-validate's errors for `html` as readable lines (empty when valid). */
export async function htmlErrors(html, where) {
  const report = await validator.validateString(html, where);
  const lines = [];
  for (const result of report.results) {
    for (const m of result.messages) {
      if (m.severity !== 2) continue;
      lines.push(`${where}:${m.line}:${m.column} ${m.ruleId}: ${m.message} [${(m.selector || '').slice(0, 80)}]`);
    }
  }
  return lines;
}

/** Runs axe-core on the open page; returns its critical and serious violations as lines. */
export async function axeErrors(page, where) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)})`) }));
  });
  return violations.map((v) => `${where} axe ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`);
}

/**
 * Opens `path` on `page` at every view (VIEWS) and collects what axe and html-validate find;
 * returns the problems as lines (the caller asserts none, so one run reports every page).
 * The HTML the server sent is validated once, at the first view. `ready` (optional) runs
 * after each load, e.g. to wait for the page's scripts.
 */
export async function pageProblems(page, path, { ready } = {}) {
  const problems = [];
  let validated = false;
  for (const view of VIEWS) {
    await page.setViewportSize({ width: view.width, height: view.height });
    await page.emulateMedia({ colorScheme: view.colorScheme });
    const res = await page.goto(path, { waitUntil: 'load' });
    assert.ok(res, `${path}: no response`);
    const where = `${path} @${view.width}px ${view.colorScheme}`;
    if (!validated) {
      problems.push(...(await htmlErrors(await res.text(), path)));
      validated = true;
    }
    if (ready) await ready(page);
    problems.push(...(await axeErrors(page, where)));
  }
  return problems;
}
