// End-to-end tests of the ctip tip line in headless Debian Chromium.
//
// Drives a running `ctip serve` through its real pages, as a reporter would,
// with JavaScript disabled (the tip line must work in Tor Browser's safest
// mode), then checks right-to-left layout, quick exit, and accessibility with
// axe-core.
//
// Environment:
//   CTIP_BASE_URL        the running server, e.g. http://127.0.0.1:40123 (required)
//   CTIP_EXIT_URL        the server's --exit-url: a neutral page on loopback that
//                        answers "neutral page" (required: the network is closed)
//   CTIP_CHROMIUM        the browser (default /usr/bin/chromium, from .ci/browser-setup)
//   CTIP_SCREENSHOT_DIR  where to save screenshots (default: a fresh temp dir)
//
// Run: `node --test tests/browser/` (crates/cli/tests/browser.rs does this
// after starting a server).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

const BASE_URL = (process.env.CTIP_BASE_URL ?? '').replace(/\/+$/, '');
const EXIT_URL = process.env.CTIP_EXIT_URL ?? '';
const CHROMIUM = process.env.CTIP_CHROMIUM ?? '/usr/bin/chromium';
const LANGUAGES = ['en', 'es', 'fr', 'pt', 'ar'];
const RECEIPT_PATTERN = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/;
const WORDS = 'Three young women kept in a flat above the bakery, passports taken by the boss';
const PHONE = '+34 612 345 678';

// Flags for a closed network: nothing may try to reach Google's services.
// Playwright gives every launch a fresh temporary --user-data-dir of its own
// (and refuses one in `args`), so no profile survives between runs.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser;
/** The reporter's browser: JavaScript off, as in Tor Browser's safest mode. */
let reporter;
/** The receipt code from the submission test, for the follow-up test. */
let receipt = null;

function url(path) {
  return `${BASE_URL}${path}`;
}

before(async () => {
  assert.ok(BASE_URL.startsWith('http'), 'set CTIP_BASE_URL to a running `ctip serve`');
  assert.ok(EXIT_URL.startsWith('http'), "set CTIP_EXIT_URL to the server's --exit-url");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  reporter = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
});

after(async () => {
  await browser?.close();
});

/** The visible text of the page, whitespace collapsed. */
async function visibleText(page) {
  const text = await page.locator('body').innerText();
  return text.replace(/\s+/g, ' ');
}

/** Answers step 1 ("Before you start") and waits for the questionnaire. */
async function answerStepOne(page, { danger, country }) {
  await page.locator(`input[name="danger"][value="${danger}"]`).check();
  await page.locator('#country').selectOption(country);
  await page.locator('form[action="/report/details"] button[type="submit"]').click();
  await page.locator('#what_happened').waitFor();
}

test('a reporter submits a tip with JavaScript disabled and confirms the receipt', async () => {
  const page = await reporter.newPage();
  try {
    await page.goto(url('/?lang=en'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('script').count(), 0, 'the tip line has no scripts');

    await page.getByRole('link', { name: 'Make a report' }).click();
    await page.waitForURL(/\/report\?lang=en$/);
    await answerStepOne(page, { danger: 'yes', country: 'ES' });

    // Someone is in danger: the emergency numbers come before the form.
    const emergency = page.locator('section.danger[role="alert"]');
    assert.ok(await emergency.isVisible(), 'the emergency numbers box is shown');
    const numbers = await emergency.locator('a.number').allTextContents();
    assert.ok(numbers.includes('112'), `112 among the emergency numbers: ${numbers}`);
    assert.equal(
      await emergency.locator('a.number', { hasText: /^112$/ }).getAttribute('href'),
      'tel:112',
    );
    const emergencyBox = await emergency.boundingBox();
    const formBox = await page.locator('#what_happened').boundingBox();
    assert.ok(emergencyBox.y < formBox.y, 'the numbers are above the questionnaire');
    // Step 1's answers are carried into the questionnaire.
    assert.equal(await page.locator('input[type="hidden"][name="danger"]').inputValue(), 'yes');
    assert.equal(await page.locator('#country').inputValue(), 'ES');

    await page.locator('#what_happened').fill(WORDS);
    await page.locator('#city').fill('Madrid');
    await page.locator('#phones').fill(PHONE);
    await page.locator('form[action="/report"] button[type="submit"]').click();

    const shown = page.locator('#receipt');
    await shown.waitFor();
    const code = (await shown.innerText()).trim();
    assert.match(code, RECEIPT_PATTERN);

    // The reporter proves they kept it by typing it back.
    await page.locator('#typed').fill(code);
    await page.locator('form[action="/report/confirm"] button[type="submit"]').click();
    await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
    assert.ok(!(await visibleText(page)).includes(code), 'the thanks page does not repeat the code');
    receipt = code;
  } finally {
    await page.close();
  }
});

test('a reporter returns with the receipt and sees the status', async () => {
  assert.ok(receipt, 'needs the receipt from the submission test');
  const page = await reporter.newPage();
  try {
    await page.goto(url('/?lang=en'));
    await page.getByRole('link', { name: 'I have a receipt code' }).click();
    await page.locator('#code').fill(receipt.toLowerCase());
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForLoadState('load');
    const text = await visibleText(page);
    // (The server allows 10 receipt look-ups per client per 15 minutes: a
    // server reused across several runs of this suite answers "Too many
    // requests" here.)
    assert.match(text, /Status:/, `the status page opens: ${text}`);
    assert.match(text, /Status: Received, waiting to be read/);
    assert.match(text, /No replies yet\./);
    assert.ok(!text.includes(WORDS), 'the status page does not echo the report back');

    // More information goes to the same report.
    await page.locator('#text').fill('The van is white, plate seen in the afternoon');
    await page.getByRole('button', { name: 'Add to my report' }).click();
    await page.locator('p.note[role="status"]').waitFor();
    assert.match(await visibleText(page), /Your information was added to your report/);

    // A wrong code is refused with the field marked.
    await page.goto(url('/followup?lang=en'));
    await page.locator('#code').fill('AAAA-BBBB-CCCC-DDDD-EEEE');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('#code[aria-invalid="true"]').waitFor();
    assert.match(await visibleText(page), /That is not a valid receipt code/);
  } finally {
    await page.close();
  }
});

/** The page's HTML once Chromium has finished replacing it (an error page
 *  after a failed Back commits a moment after the failure is reported). */
async function settledContent(page) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await page.waitForLoadState('load');
      return await page.content();
    } catch (error) {
      if (attempt >= 50 || !/navigating/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// What can be checked without JavaScript: that the link leaves for the exit
// site, that the exit site learns nothing of where the visitor came from (no
// Referer), and that Back does not bring the reporter's words back: the pages
// are `Cache-Control: no-store` and the exit answer sends `Clear-Site-Data`,
// so Back must fetch the page anew (a POST page is not re-sent at all) with
// its fields empty. What cannot be checked from here: the entry the tip line
// leaves in the browser's history list (no page can remove it; the safety tip
// on every page tells reporters to use a private window for that).
test('quick exit leaves for the neutral site and Back shows no report content', async () => {
  const page = await reporter.newPage();
  try {
    // The questionnaire is the answer to a POST; words typed, not yet sent.
    await page.goto(url('/report?lang=en'));
    await answerStepOne(page, { danger: 'no', country: 'ES' });
    await page.locator('#what_happened').fill(WORDS);
    await page.locator('#phones').fill(PHONE);

    const exit = page.locator('header a.exit');
    assert.equal(await exit.getAttribute('href'), '/exit');
    assert.equal(await exit.innerText(), 'Quick exit');
    await exit.click();
    await page.waitForURL((u) => u.href.startsWith(EXIT_URL));
    assert.match(await visibleText(page), /neutral page/);
    assert.equal(
      (await page.locator('#referer').innerText()).trim(),
      '',
      'the exit site is not told where the visitor came from',
    );

    // Back: the POST page may not be shown from any cache, and the browser
    // does not re-send the report form by itself; Chromium shows its own
    // "confirm form resubmission" error instead.
    let backOutcome = 'no error';
    try {
      await page.goBack();
    } catch (error) {
      // Chromium reports net::ERR_CACHE_MISS for the no-store POST page.
      assert.match(String(error), /ERR_CACHE_MISS/);
      backOutcome = 'net::ERR_CACHE_MISS';
    }
    const backHtml = await settledContent(page);
    console.log(`quick exit, then Back from the questionnaire (a POST page): ${backOutcome}, now at ${page.url()}`);
    assert.ok(!backHtml.includes(WORDS), 'Back does not show the words typed');
    assert.ok(!backHtml.includes(PHONE), 'Back does not show the phone typed');
    const fields = await page.locator('textarea, input[type="text"]').evaluateAll((els) =>
      els.map((e) => e.value).filter((v) => v !== ''),
    );
    assert.deepEqual(fields, [], 'no form field holds what was typed');

    // A GET page is fetched anew on Back, with its fields empty.
    await page.goto(url('/followup?lang=en'));
    await page.locator('#code').fill(receipt ?? 'AAAA-BBBB-CCCC-DDDD-EEEE');
    await page.locator('header a.exit').click();
    await page.waitForURL((u) => u.href.startsWith(EXIT_URL));
    const refetched = [];
    const onResponse = (response) => {
      if (response.url().startsWith(url('/followup'))) refetched.push(response.status());
    };
    page.on('response', onResponse);
    await page.goBack();
    page.off('response', onResponse);
    assert.equal(page.url(), url('/followup?lang=en'));
    assert.deepEqual(refetched, [200], 'Back fetched the page from the server again');
    assert.equal(await page.locator('#code').inputValue(), '', 'the receipt field is empty');
  } finally {
    await page.close();
  }
});

test('Arabic pages are laid out right to left', async () => {
  const page = await reporter.newPage({ viewport: { width: 1024, height: 768 } });
  try {
    for (const path of ['/?lang=ar', '/report?lang=ar']) {
      await page.goto(url(path));
      const layout = await page.evaluate(() => {
        const box = (el) => el.getBoundingClientRect();
        const links = [...document.querySelectorAll('nav.langs a')];
        return {
          lang: document.documentElement.lang,
          dir: document.documentElement.dir,
          mainDirection: getComputedStyle(document.querySelector('main')).direction,
          firstLanguage: box(links[0]),
          lastLanguage: box(links[links.length - 1]),
          brand: box(document.querySelector('header .brand')),
          exit: box(document.querySelector('header a.exit')),
          // The extent of the heading's text, not of its full-width block.
          heading: (() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector('main h1'));
            return range.getBoundingClientRect();
          })(),
          main: box(document.querySelector('main')),
        };
      });
      assert.equal(layout.lang, 'ar', path);
      assert.equal(layout.dir, 'rtl', path);
      assert.equal(layout.mainDirection, 'rtl', path);
      // Both links are on one row at this width; the first is on the right.
      assert.equal(layout.firstLanguage.top, layout.lastLanguage.top, `${path}: one row`);
      assert.ok(
        layout.firstLanguage.left > layout.lastLanguage.right,
        `${path}: the first language link is right of the last`,
      );
      // The site name starts the top bar on the right; Quick exit ends it on the left.
      assert.ok(layout.brand.left > layout.exit.right, `${path}: brand right of quick exit`);
      // The heading hugs the right edge of the content column.
      const rightGap = layout.main.right - layout.heading.right;
      const leftGap = layout.heading.left - layout.main.left;
      assert.ok(rightGap < leftGap, `${path}: heading aligned right (${rightGap} < ${leftGap})`);
    }
    // The receipt code stays left to right inside Arabic text.
    await page.goto(url('/report?lang=ar'));
    await answerStepOne(page, { danger: 'unsure', country: 'ES' });
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await page.locator('#what_happened').fill('عمال في مزرعة لا يتقاضون أجورهم');
    await page.locator('form[action="/report"] button[type="submit"]').click();
    const shown = page.locator('#receipt');
    await shown.waitFor();
    assert.match((await shown.innerText()).trim(), RECEIPT_PATTERN);
    assert.equal(await shown.evaluate((el) => getComputedStyle(el).direction), 'ltr');
  } finally {
    await page.close();
  }
});

/** Formats axe violations for the log: rule, impact, help, and each element. */
function describeViolations(label, violations) {
  return violations.map((v) => {
    const nodes = v.nodes
      .map((n) => `      ${n.target.join(' ')}\n        ${n.failureSummary.replace(/\n/g, '\n        ')}`)
      .join('\n');
    return `  [${v.impact}] ${v.id} on ${label}: ${v.help} (${v.helpUrl})\n${nodes}`;
  });
}

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** Injects axe-core into the page and runs it on the whole document. */
async function runAxe(page, axeSource) {
  await page.evaluate(axeSource);
  return page.evaluate(
    (tags) =>
      globalThis.axe.run(document, {
        resultTypes: ['violations'],
        runOnly: { type: 'tag', values: tags },
      }),
    AXE_TAGS,
  );
}

test('axe-core finds no serious or critical violations on the public pages', async () => {
  // axe is a script: it runs in a context of its own with JavaScript on and
  // the page's CSP bypassed. The pages themselves still contain no script.
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const axeVersion = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
  const auditor = await browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
  const page = await auditor.newPage();
  const all = [];
  const serious = [];
  const incomplete = [];
  let pagesChecked = 0;
  let rulesPassed = 0;
  const audit = async (label) => {
    const results = await runAxe(page, axeSource);
    assert.ok(results.passes.length > 0, `axe ran on ${label}`);
    pagesChecked += 1;
    rulesPassed += results.passes.length;
    const lines = describeViolations(label, results.violations);
    all.push(...lines);
    results.violations.forEach((v, i) => {
      if (v.impact === 'serious' || v.impact === 'critical') serious.push(lines[i]);
    });
    for (const item of results.incomplete) {
      incomplete.push(`  ${item.id} on ${label}: ${item.nodes.length} element(s) to review by hand`);
    }
  };
  try {
    // First prove the auditor can fail: a page with known faults.
    await page.setContent(
      '<!doctype html><html><head><title>faulty</title></head><body><main>' +
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' +
        '<p style="color:#bbb;background:#fff">faint text</p>' +
        '<input type="text"></main></body></html>',
    );
    const control = await runAxe(page, axeSource);
    const found = control.violations.map((v) => v.id);
    for (const rule of ['html-has-lang', 'image-alt', 'color-contrast', 'label']) {
      assert.ok(found.includes(rule), `the auditor catches ${rule} (found: ${found})`);
    }

    for (const lang of LANGUAGES) {
      await page.goto(url(`/?lang=${lang}`));
      await audit(`home (${lang})`);
    }
    await page.goto(url('/report?lang=en'));
    await audit('report step 1');
    await answerStepOne(page, { danger: 'yes', country: 'ES' });
    await audit('questionnaire with emergency numbers');
    await page.locator('form[action="/report"] button[type="submit"]').click();
    await page.locator('div.errors[role="alert"]').waitFor();
    await audit('questionnaire with errors');
    await page.locator('#what_happened').fill('Workers at a farm are not paid');
    await page.locator('form[action="/report"] button[type="submit"]').click();
    await page.locator('#receipt').waitFor();
    const code = (await page.locator('#receipt').innerText()).trim();
    await audit('receipt');
    await page.locator('#typed').fill('AAAA-BBBB');
    await page.locator('form[action="/report/confirm"] button[type="submit"]').click();
    await page.locator('#typed-error').waitFor();
    await audit('receipt with mismatch');
    await page.goto(url('/followup?lang=en'));
    await audit('follow-up');
    await page.locator('#code').fill(code);
    await page.locator('form[action="/followup"] button[type="submit"]').click();
    await page.waitForLoadState('load');
    assert.match(await visibleText(page), /Status:/, 'the status page opens');
    await audit('follow-up status');
    await page.goto(url('/report?lang=ar'));
    await answerStepOne(page, { danger: 'yes', country: 'ES' });
    await audit('questionnaire (ar)');
    await page.goto(url('/help?lang=en&place=Madrid&kind='));
    const results = await page.locator('article.message').count();
    assert.ok(results > 0, 'the demo directory has services near Madrid');
    await audit(`help with ${results} results`);
    await page.goto(url('/help?lang=ar&place=Madrid&kind=shelter'));
    await audit('help (ar, shelters)');
    await page.goto(url('/staff/login'));
    await audit('staff login');
  } finally {
    await auditor.close();
  }
  console.log(
    `axe-core ${axeVersion} (${AXE_TAGS.join(', ')}): ${pagesChecked} pages, ${rulesPassed} rule passes, ` +
      `${all.length} violation(s) of any impact, ${incomplete.length} item(s) axe could not decide`,
  );
  for (const line of all) console.log(line);
  for (const line of incomplete) console.log(line);
  assert.deepEqual(serious, [], `serious or critical accessibility violations:\n${serious.join('\n')}`);
});

test('phone-sized screenshots of the Arabic home page and the questionnaire', async () => {
  const dir = process.env.CTIP_SCREENSHOT_DIR
    ? process.env.CTIP_SCREENSHOT_DIR
    : mkdtempSync(join(tmpdir(), 'ctip-browser-shots-'));
  mkdirSync(dir, { recursive: true });
  const phone = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await phone.newPage();
  try {
    await page.goto(url('/?lang=ar'));
    const home = join(dir, 'home-ar-360x740.png');
    await page.screenshot({ path: home, fullPage: true });
    // Nothing may scroll sideways on a small phone.
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `home (ar) fits the phone's width: ${widths}`);

    await page.goto(url('/report?lang=ar'));
    await answerStepOne(page, { danger: 'yes', country: 'ES' });
    const questionnaire = join(dir, 'questionnaire-ar-360x740.png');
    await page.screenshot({ path: questionnaire, fullPage: true });
    const formWidths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(formWidths[0] <= formWidths[1], `questionnaire (ar) fits the phone's width: ${formWidths}`);

    await page.goto(url('/report?lang=en'));
    await answerStepOne(page, { danger: 'yes', country: 'ES' });
    const english = join(dir, 'questionnaire-en-360x740.png');
    await page.screenshot({ path: english, fullPage: true });
    console.log(`screenshots saved in ${dir}:\n  ${home}\n  ${questionnaire}\n  ${english}`);
  } finally {
    await phone.close();
  }
});
