// End-to-end tests of ctip's caseworker pages in headless Debian Chromium.
//
// Staff sign in with password and authenticator code, as people do, and work
// a case through its real pages with JavaScript disabled: a caseworker opens
// it, records consent, comments and refers it to a service of the demo
// directory; the provider sees the offer without the person's name, accepts
// and then sees it; an analyst sees the case de-identified; an auditor reads
// the audit log; a caseworker of another team is refused. Then axe-core
// checks every kind of case page, and the case view and the new-case form
// are checked to fit a 360 px wide phone.
//
// Environment (crates/cli/tests/browser.rs sets all of it):
//   CTIP_BASE_URL          the running server, e.g. http://127.0.0.1:40123
//   CTIP_STAFF_PASSWORD    the password of every staff account below
//   CTIP_CASE_STAFF        JSON: {"caseworker", "other_caseworker", "provider",
//                          "analyst", "auditor"} each {"name", "totp"} where
//                          totp is the base32 secret `ctip serve add-staff` printed
//   CTIP_CASE_TEAM         the caseworker's team (the other caseworker's is another)
//   CTIP_PROVIDER_SERVICE  the directory service id the provider account acts for
//   CTIP_CHROMIUM          the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

const BASE_URL = (process.env.CTIP_BASE_URL ?? '').replace(/\/+$/, '');
const PASSWORD = process.env.CTIP_STAFF_PASSWORD ?? '';
const STAFF = JSON.parse(process.env.CTIP_CASE_STAFF ?? '{}');
const TEAM = process.env.CTIP_CASE_TEAM ?? '';
const SERVICE = process.env.CTIP_PROVIDER_SERVICE ?? '';
const CHROMIUM = process.env.CTIP_CHROMIUM ?? '/usr/bin/chromium';
const ROLES = ['caseworker', 'other_caseworker', 'provider', 'analyst', 'auditor'];

// The person of the case: words that only the views allowed to show them may.
const PERSON = {
  first: 'Amarachi',
  family: 'Okonkwo-Browser',
  birth: '2004-03-09',
  exploitation: 'SexualExploitation',
};
const COMMENT = 'Met at the clinic on Tuesday; prefers to be called in the afternoon';
const DETAILS = 'Needs safe accommodation this week, near a bus line';

// The same closed-network flags as the tip-line suite.
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
/** The case the JavaScript-free flow creates, for the tests after it. */
let flowCase = null;

function url(path) {
  return `${BASE_URL}${path}`;
}

before(async () => {
  assert.ok(BASE_URL.startsWith('http'), 'set CTIP_BASE_URL to a running `ctip serve`');
  assert.ok(PASSWORD, 'set CTIP_STAFF_PASSWORD');
  for (const role of ROLES) {
    assert.ok(STAFF[role]?.name && STAFF[role]?.totp, `CTIP_CASE_STAFF names the ${role}`);
  }
  assert.ok(TEAM, 'set CTIP_CASE_TEAM');
  assert.ok(SERVICE, 'set CTIP_PROVIDER_SERVICE');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

// ------------------------------------------------------------------ TOTP

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text) {
  let value = 0;
  let bits = 0;
  const bytes = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const digit = BASE32.indexOf(ch);
    if (digit < 0) throw new Error('the second-factor secret is not base32');
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238 code (SHA-1, 6 digits, 30 s steps), as authenticator apps make it. */
function totp(secret, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

test('the authenticator codes follow RFC 6238', () => {
  // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", last 6 digits.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, 59), '287082');
  assert.equal(totp(secret, 1111111109), '081804');
  assert.equal(totp(secret, 2000000000), '279037');
});

// --------------------------------------------------------------- helpers

/** Clicks a submit button and waits for the page the server answers with
 *  (after any redirect); returns that page's response. */
async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  return response;
}

/** The visible text of the page, whitespace collapsed. */
async function visibleText(page) {
  const text = await page.locator('body').innerText();
  return text.replace(/\s+/g, ' ');
}

/** A browser context of its own for `role`, signed in through the sign-in
 *  page; returns the page it landed on. */
async function signIn(role, { javaScriptEnabled = false } = {}) {
  const who = STAFF[role];
  const context = await browser.newContext({ javaScriptEnabled, bypassCSP: javaScriptEnabled, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(url('/staff/login'));
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Authenticator code').fill(totp(who.totp, Date.now() / 1000));
  const response = await submit(page, page.getByRole('button', { name: 'Sign in' }));
  assert.equal(response.status(), 200, `${role} ${who.name} signs in: ${await visibleText(page)}`);
  assert.match(
    await page.locator('header nav').innerText(),
    new RegExp(`${who.name} \\(`),
    `${role} ${who.name} is signed in`,
  );
  return page;
}

/** The "Stands today" cell of the consent table for a purpose's label. */
function consentStands(page, label) {
  return page
    .locator('table tbody tr')
    .filter({ has: page.getByRole('rowheader', { name: label }) })
    .locator('td')
    .first();
}

/** Opens the new-case form from the case list and creates a case for
 *  PERSON with consent to referral; returns its id. */
async function createCase(page) {
  await page.goto(url('/staff/cases'));
  await page.getByRole('link', { name: 'New case' }).click();
  await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
  await page.getByLabel('First name').fill(PERSON.first);
  await page.getByLabel('Family name').fill(PERSON.family);
  await page.getByLabel('Birth date').fill(PERSON.birth);
  await page.getByLabel('Type of exploitation').selectOption(PERSON.exploitation);
  await page.getByLabel('Team', { exact: true }).first().selectOption(TEAM);
  await page.getByRole('checkbox', { name: 'Referral to service providers' }).check();
  const response = await submit(page, page.getByRole('button', { name: 'Create case' }));
  assert.equal(response.status(), 200, `the case is created: ${await visibleText(page)}`);
  const match = /\/staff\/cases\/([^/?#]+)$/.exec(page.url());
  assert.ok(match, `the new case's page opens: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** Refers the open case to SERVICE with DETAILS. */
async function refer(page) {
  await page.getByLabel('Service').selectOption(SERVICE);
  await page.getByLabel('Reason', { exact: true }).selectOption('AdditionalServicesRequired');
  await page.getByLabel('What the provider needs to know').fill(DETAILS);
  const response = await submit(page, page.getByRole('button', { name: 'Send referral' }));
  assert.equal(response.status(), 200, `the referral is sent: ${await visibleText(page)}`);
}

function assertNoPerson(text, who) {
  for (const word of [PERSON.first, PERSON.family, PERSON.birth]) {
    assert.ok(!text.includes(word), `${who} does not see ${JSON.stringify(word)}`);
  }
}

// ------------------------------------------------------------ the flow

test('a caseworker opens a case, records consent, comments and refers it, without JavaScript', async () => {
  const page = await signIn('caseworker');
  try {
    assert.equal(await page.locator('script').count(), 0, 'staff pages have no scripts');
    assert.equal(new URL(page.url()).pathname, '/staff/cases', "the case list is a caseworker's home");
    const caseId = await createCase(page);

    // The case's own page shows the person to its owner.
    await page.getByRole('heading', { level: 1, name: `Case ${caseId}` }).waitFor();
    let text = await visibleText(page);
    for (const word of [PERSON.first, PERSON.family, PERSON.birth, PERSON.exploitation]) {
      assert.ok(text.includes(word), `the owner sees ${word}`);
    }
    assert.match(text, new RegExp(`team ${TEAM}`));
    assert.equal((await consentStands(page, 'Referral to service providers').innerText()).trim(), 'yes');
    assert.equal((await consentStands(page, 'Sharing with law enforcement').innerText()).trim(), 'no');

    // The list has it, with its status and team.
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Cases' }).click();
    const row = page.locator('table tbody tr').filter({ has: page.getByRole('link', { name: caseId }) });
    assert.equal(await row.count(), 1, 'the case is in the list once');
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.equal(cells[1], 'Active');
    assert.equal(cells[2], STAFF.caseworker.name);
    assert.equal(cells[3], TEAM);
    await row.getByRole('link', { name: caseId }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${caseId}` }).waitFor();

    // Consent to sharing, given today.
    await page.getByLabel('Purpose').selectOption('sharing_with_law_enforcement');
    await page.getByLabel('Change').selectOption('give');
    let response = await submit(page, page.getByRole('button', { name: 'Record consent' }));
    assert.equal(response.status(), 200, await visibleText(page));
    assert.equal((await consentStands(page, 'Sharing with law enforcement').innerText()).trim(), 'yes');
    // ... which is what export needs: the HTCDS file downloads.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export HTCDS JSON' }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    assert.equal(exported.id, caseId);
    assert.equal(exported.victim.prs_FirstName, PERSON.first);
    assert.ok(exported.consent['ctip:sharing_with_law_enforcement'], 'the export carries the consent');

    // A comment.
    await page.getByLabel('Add a comment').fill(COMMENT);
    response = await submit(page, page.getByRole('button', { name: 'Add comment' }));
    assert.equal(response.status(), 200, await visibleText(page));
    assert.ok((await visibleText(page)).includes(COMMENT), 'the comment is on the case');

    // A referral to a service of the directory.
    const services = await page.getByLabel('Service').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(services.includes(SERVICE), `the provider's service is offered (${services.length} services)`);
    await refer(page);
    text = await visibleText(page);
    assert.ok(text.includes(SERVICE) && text.includes(DETAILS), 'the referral is on the case');
    assert.match(text, /\bsent\b/, 'the referral waits for the provider');
    flowCase = caseId;
  } finally {
    await page.context().close();
  }
});

test('the provider sees the referral offer without the name, accepts it, then sees the name', async () => {
  assert.ok(flowCase, 'needs the case from the caseworker test');
  const page = await signIn('provider');
  try {
    assert.equal(new URL(page.url()).pathname, '/staff/cases');
    await page.getByRole('link', { name: flowCase }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${flowCase}` }).waitFor();
    let text = await visibleText(page);
    assertNoPerson(text, 'the provider, before accepting');
    assert.ok(!text.includes(COMMENT), 'the provider does not see the case comments');
    assert.ok(text.includes(DETAILS), 'the offer says what the provider needs to know');
    assert.match(text, /A referral offer: accept it/);

    const response = await submit(page, page.getByRole('button', { name: 'accepted', exact: true }));
    assert.equal(response.status(), 200, await visibleText(page));
    text = await visibleText(page);
    assert.ok(text.includes(PERSON.first) && text.includes(PERSON.family), 'accepted: the provider sees the name');
    assert.ok(!text.includes(PERSON.exploitation), 'only the person, not the rest of the case');
    assert.ok(!text.includes(COMMENT), 'nor its comments');
  } finally {
    await page.context().close();
  }
});

test('an analyst sees the case de-identified', async () => {
  assert.ok(flowCase, 'needs the case from the caseworker test');
  const page = await signIn('analyst');
  try {
    await page.getByRole('link', { name: flowCase }).click();
    await page.getByRole('heading', { level: 1, name: `Case ${flowCase}` }).waitFor();
    const text = await visibleText(page);
    assert.match(text, /De-identified view/);
    assertNoPerson(text, 'the analyst');
    assert.ok(!text.includes(COMMENT) && !text.includes(DETAILS), 'the analyst sees no free text');
    assert.ok(text.includes(PERSON.exploitation), 'the analyst sees the type of exploitation');
  } finally {
    await page.context().close();
  }
});

test("a caseworker of another team is refused the case and never sees its contents", async () => {
  assert.ok(flowCase, 'needs the case from the caseworker test');
  const page = await signIn('other_caseworker');
  try {
    assert.equal(
      await page.getByRole('link', { name: flowCase }).count(),
      0,
      "the case is not in the other team's list",
    );
    const response = await page.goto(url(`/staff/cases/${encodeURIComponent(flowCase)}`));
    assert.ok([403, 404].includes(response.status()), `refused with ${response.status()}`);
    const heading = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.match(heading, /^(No such case\.|Your role cannot open this page\.)$/);
    const html = await page.content();
    for (const word of [PERSON.first, PERSON.family, PERSON.birth, PERSON.exploitation, COMMENT, DETAILS, SERVICE]) {
      assert.ok(!html.includes(word), `the refusal does not hold ${JSON.stringify(word)}`);
    }
    assert.equal(await page.locator('form[action^="/staff/cases/"]').count(), 0, 'no case forms');
  } finally {
    await page.context().close();
  }
});

test('an auditor sees the case work in the audit log', async () => {
  assert.ok(flowCase, 'needs the case from the caseworker test');
  const page = await signIn('auditor');
  try {
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const rows = await page.locator('table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    const record = `case:${flowCase}`;
    const has = (who, action) => rows.some((r) => r[2] === `staff:${who}` && r[3] === action && r[4] === record);
    for (const [who, action] of [
      [STAFF.caseworker.name, 'create'],
      [STAFF.caseworker.name, 'read'],
      [STAFF.caseworker.name, 'update'],
      [STAFF.caseworker.name, 'export'],
      [STAFF.caseworker.name, 'refer'],
      [STAFF.provider.name, 'read'],
      [STAFF.analyst.name, 'read'],
      [STAFF.other_caseworker.name, 'denied'],
    ]) {
      assert.ok(has(who, action), `the log shows ${who} ${action} ${record}`);
    }
    assertNoPerson(await visibleText(page), 'the audit log');
  } finally {
    await page.context().close();
  }
});

// --------------------------------------------------------- accessibility

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

/** How wide the page scrolls at its current viewport, and the innermost
 *  elements that stick out past its right edge (for the failure message). */
async function overflow(page) {
  return page.evaluate(() => {
    const name = (el) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}`;
    const outside = [...document.body.querySelectorAll('*')].filter(
      (el) => el.getBoundingClientRect().right > window.innerWidth + 0.5,
    );
    // Unbreakable text overflows its box without the box growing: name the
    // element around such text too.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      range.selectNodeContents(node);
      if (range.getBoundingClientRect().right > window.innerWidth + 0.5 && !outside.includes(node.parentElement)) {
        outside.push(node.parentElement);
      }
    }
    const innermost = outside.filter((el) => !outside.some((other) => other !== el && el.contains(other)));
    return {
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth: window.innerWidth,
      culprits: innermost.slice(0, 5).map((el) => {
        const path = [];
        for (let at = el; at && at !== document.body; at = at.parentElement) path.unshift(name(at));
        return `${path.join(' > ')} (box's right edge ${Math.round(el.getBoundingClientRect().right)}: ${JSON.stringify(el.textContent.trim().slice(0, 60))})`;
      }),
    };
  });
}

test('axe-core finds no violations on the case pages, which fit a 360 px phone', async () => {
  // axe is a script: these contexts run with JavaScript on and the pages'
  // CSP bypassed. The pages themselves still contain no script.
  const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const axeVersion = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;
  const violations = [];
  const incomplete = [];
  const widths = [];
  let pagesChecked = 0;
  let rulesPassed = 0;
  const audit = async (page, label) => {
    const results = await runAxe(page, axeSource);
    assert.ok(results.passes.length > 0, `axe ran on ${label}`);
    pagesChecked += 1;
    rulesPassed += results.passes.length;
    violations.push(...describeViolations(label, results.violations));
    for (const item of results.incomplete) {
      incomplete.push(`  ${item.id} on ${label}: ${item.nodes.length} element(s) to review by hand`);
    }
  };
  // The lists and the audit log are wide tables for desks; their widths at
  // 360 px are logged, not required.
  const fitsPhone = async (page, label, { required = true } = {}) => {
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 360, height: 740 });
    const { scrollWidth, innerWidth, culprits } = await overflow(page);
    await page.setViewportSize(desktop);
    assert.equal(innerWidth, 360, `${label}: the viewport is 360 px wide`);
    widths.push(`${label} ${scrollWidth}/${innerWidth}${required ? '' : ' (not required)'}`);
    if (!required) return;
    assert.ok(
      scrollWidth <= innerWidth,
      `${label} does not fit 360 px: scrollWidth ${scrollWidth} > ${innerWidth}; past the edge:\n  ${culprits.join('\n  ')}`,
    );
  };
  const pages = [];
  try {
    // First prove this auditor can fail, on markup like the case pages':
    // a table without headers, an unlabelled select, a skipped heading level.
    const control = await (await browser.newContext({ javaScriptEnabled: true })).newPage();
    pages.push(control);
    await control.setContent(
      '<!doctype html><html lang="en"><head><title>faulty</title></head><body><main><h1>Case</h1>' +
        '<h3>Consent</h3><select><option>give</option></select>' +
        '<p style="color:#bbb;background:#fff">faint text</p></main></body></html>',
    );
    const found = (await runAxe(control, axeSource)).violations.map((v) => v.id);
    for (const rule of ['select-name', 'heading-order', 'color-contrast']) {
      assert.ok(found.includes(rule), `the auditor catches ${rule} (found: ${found})`);
    }

    const owner = await signIn('caseworker', { javaScriptEnabled: true });
    pages.push(owner);
    await audit(owner, 'case list (caseworker)');
    await owner.goto(url('/staff/cases/new'));
    await audit(owner, 'new case form');
    await fitsPhone(owner, 'new case form');
    await owner.getByLabel('Birth date').fill('the ninth of March');
    const refused = await submit(owner, owner.getByRole('button', { name: 'Create case' }));
    assert.equal(refused.status(), 422, 'a bad birth date is refused');
    await owner.locator('div.errors[role="alert"] li').first().waitFor();
    await audit(owner, 'new case form with errors');

    // A case of its own, so the provider's offer is seen before acceptance.
    const caseId = await createCase(owner);
    await owner.getByLabel('Add a comment').fill(COMMENT);
    await submit(owner, owner.getByRole('button', { name: 'Add comment' }));
    await refer(owner);
    await audit(owner, 'case view (owner)');
    await fitsPhone(owner, 'case view (owner)');
    await owner.goto(url('/staff/cases'));
    await audit(owner, 'case list with cases (caseworker)');
    await fitsPhone(owner, 'case list (caseworker)', { required: false });
    await owner.goto(url(`/staff/cases/${caseId}`));
    const empty = await submit(owner, owner.getByRole('button', { name: 'Add comment' }));
    assert.equal(empty.status(), 422, 'an empty comment is refused');
    await audit(owner, 'case change refused');

    const provider = await signIn('provider', { javaScriptEnabled: true });
    pages.push(provider);
    await audit(provider, 'case list (provider)');
    await provider.goto(url(`/staff/cases/${caseId}`));
    assertNoPerson(await visibleText(provider), 'the provider, before accepting');
    await audit(provider, 'case view (provider, referral offer)');
    await fitsPhone(provider, 'case view (provider, referral offer)');
    await submit(provider, provider.getByRole('button', { name: 'accepted', exact: true }));
    assert.ok((await visibleText(provider)).includes(PERSON.first), 'accepted');
    await audit(provider, 'case view (provider, accepted)');

    const analyst = await signIn('analyst', { javaScriptEnabled: true });
    pages.push(analyst);
    await audit(analyst, 'case list (analyst)');
    await analyst.goto(url(`/staff/cases/${caseId}`));
    assertNoPerson(await visibleText(analyst), 'the analyst');
    await audit(analyst, 'case view (analyst, de-identified)');
    await fitsPhone(analyst, 'case view (analyst, de-identified)');

    const stranger = await signIn('other_caseworker', { javaScriptEnabled: true });
    pages.push(stranger);
    const denied = await stranger.goto(url(`/staff/cases/${caseId}`));
    assert.ok([403, 404].includes(denied.status()), `refused with ${denied.status()}`);
    await audit(stranger, 'case refused (other team)');

    const auditor = await signIn('auditor', { javaScriptEnabled: true });
    pages.push(auditor);
    await auditor.goto(url('/staff/audit'));
    await auditor.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await audit(auditor, 'audit log');
    await fitsPhone(auditor, 'audit log', { required: false });
  } finally {
    for (const page of pages) await page.context().close();
  }
  console.log(
    `axe-core ${axeVersion} (${AXE_TAGS.join(', ')}): ${pagesChecked} case pages, ${rulesPassed} rule passes, ` +
      `${violations.length} violation(s) of any impact, ${incomplete.length} item(s) axe could not decide`,
  );
  console.log(`widths at 360 px (scrollWidth/innerWidth): ${widths.join('; ')}`);
  for (const line of violations) console.log(line);
  for (const line of incomplete) console.log(line);
  assert.deepEqual(violations, [], `accessibility violations on the case pages:\n${violations.join('\n')}`);
});
