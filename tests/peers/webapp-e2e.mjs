// The published web app (../shared/webapp) driven in Debian's chromium by puppeteer-core, as a
// person uses it, against a running `k9 serve --web <built app>` (docs/WEBAPP.md section 9).
//   node webapp-e2e.mjs CONFIG_JSON
// CONFIG_JSON: {
//   "task": "journey" | "submit-timing",
//   "origin": "http://k9.test",        the app's API url baked in at build time (and K9_PUBLIC_URL)
//   "port": 43123,                      where k9 serve listens: chromium maps the origin's host there
//   "username", "password",
//   "photos": [FILE, FILE],             two photos of one catalog product
//   "size": {"length", "width", "thickness"}, "type": "Wood",   what the form is given
//   "expect": {"id", "brand", "model"}, the photographed product (the best match expected)
//   "artifacts": DIR,                   screenshots NN-step.png, the ZIP, journey.json, browser.log
//   "tokenLifetime": SECONDS,           journey: the access token's lifetime (two refreshes are made to happen)
//   "repeat": N,                        submit-timing: reports created
//   "chromium": "/usr/bin/chromium"
// }
// journey: sign in, dashboard, create a report with two photos, results, a filter moved, a product
// beside the reference, two favorites, the export ZIP (downloaded through CDP), two token refreshes,
// the dashboard again. It fails (exit 1) on any request that fails, any answer outside 2xx
// (304 allowed for the app's own static files), any refresh answered non-200, a second sign-in, a
// mock result or mock image shown, the app's mock-fallback console messages, an uncaught page
// error or an alert. Writes journey.json (what Python checks further: the ZIP) and prints one
// line per step.
// submit-timing: signs in once, then creates `repeat` reports; for each, the time from the click
// on "Create Report" to the report page, and to the results of the first search shown (cards
// rendered, first image decoded). Writes timing.json.
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const cfg = JSON.parse(process.argv[2]);
const origin = new URL(cfg.origin);
const WAIT = 90_000; // generous: a loaded 2-core box; every wait is on a page condition
fs.mkdirSync(cfg.artifacts, { recursive: true });
const logFile = fs.createWriteStream(path.join(cfg.artifacts, "browser.log"));
const log = (line) => logFile.write(`${new Date().toISOString()} ${line}\n`);
const t0 = Date.now();
const say = (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);

// What docs/WEBAPP.md section 8 lists as the app's invented data.
const MOCK_BRANDS = ["TimberCraft", "WoodWorks", "FloorMaster", "NaturalCraft", "Premier Flooring", "Luxury Floors",
  "ArtisanCraft", "BuildCorp"];
const MOCK_CONSOLE = ["[API] Falling back to mock implementation", "[API] Error getting full report",
  "[API] Error during search"];

const problems = [];
const fail = (what) => { problems.push(what); log(`PROBLEM ${what}`); };
const events = { login: [], refresh: [], search: [], product: [], favoritesPut: [], favoritesGet: [], reference: [],
  album: [], create: [], files: 0 };
const isApi = (u) => u.origin === origin.origin && !isStatic(u);
function isStatic(u) {
  const p = u.pathname;
  return p === "/" || p.startsWith("/_next/") || p === "/favicon.ico" || p === "/placeholder.svg" ||
    /^\/(dashboard|create|fetch)\/(index\.txt)?$/.test(p) || p.endsWith(".html") || p.endsWith(".txt") ||
    p === "/dashboard" || p === "/create" || p === "/fetch";
}

const browser = await puppeteer.launch({
  executablePath: cfg.chromium || "/usr/bin/chromium",
  headless: true, // chromium's new headless mode
  args: [
    "--no-sandbox", // CI runs as root
    "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
    "--disable-features=HttpsUpgrades,Translate,MediaRouter,OptimizationHints",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    // The app was built for one fixed origin; the port K9 got this run is mapped here.
    `--host-resolver-rules=MAP ${origin.hostname} 127.0.0.1:${cfg.port}`,
  ],
  defaultViewport: { width: 1440, height: 900 },
  protocolTimeout: 180_000,
});
const page = await browser.newPage();
page.setDefaultTimeout(WAIT);
page.setDefaultNavigationTimeout(WAIT);
const cdp = await browser.target().createCDPSession();
const downloads = new Map();
await cdp.send("Browser.setDownloadBehavior", { behavior: "allowAndName", downloadPath: cfg.artifacts, eventsEnabled: true });
cdp.on("Browser.downloadWillBegin", (e) => downloads.set(e.guid, { name: e.suggestedFilename, state: "begun" }));
cdp.on("Browser.downloadProgress", (e) => { const d = downloads.get(e.guid); if (d) d.state = e.state; });

page.on("console", (m) => {
  const text = m.text();
  log(`console.${m.type()} ${text}`);
  for (const s of MOCK_CONSOLE) if (text.includes(s)) fail(`the app fell back to mock data: console "${text}"`);
});
page.on("pageerror", (e) => fail(`uncaught error in the page: ${e.message}`));
page.on("dialog", async (d) => { fail(`the app showed an alert: ${d.message()}`); await d.dismiss(); });
page.on("requestfailed", (r) => {
  const u = r.url();
  const err = r.failure()?.errorText;
  log(`FAILED ${r.method()} ${u} ${err}`);
  if (u.startsWith("blob:") && err === "net::ERR_ABORTED") return; // the ZIP handed to the download manager
  fail(`request failed: ${r.method()} ${u} ${err}`);
});
page.on("request", (r) => {
  const u = r.url();
  if (u.includes("picsum.photos")) fail(`mock image requested: ${u}`);
});
page.on("response", async (res) => {
  const req = res.request();
  const method = req.method();
  const status = res.status();
  let u;
  try { u = new URL(res.url()); } catch { return; }
  if (u.protocol === "data:" || u.protocol === "blob:") return;
  log(`${status} ${method} ${u.href.slice(0, 200)}`);
  const ok = (status >= 200 && status < 300) || (status === 304 && isStatic(u));
  if (!ok) fail(`answer outside 2xx: ${status} ${method} ${u.href}`);
  if (method === "OPTIONS") return;
  const p = u.pathname;
  const record = async (list) => {
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    list.push({ at: Date.now(), status, body, sent: req.postData() ? safeJson(req.postData()) : null });
  };
  if (u.origin !== origin.origin || p.startsWith("/files/")) { events.files++; return; }
  if (!isApi(u)) return;
  if (p === "/auth/login") await record(events.login);
  else if (p === "/auth/refresh") await record(events.refresh);
  else if (/^\/fetch\/[^/]+\/album\//.test(p)) await record(events.album);
  else if (/^\/fetch\/[^/]+\/product\//.test(p)) await record(events.product);
  else if (/^\/fetch\/[^/]+$/.test(p) && method === "POST") await record(events.search);
  else if (/^\/fetch\/[^/]+$/.test(p) && method === "PUT") await record(events.create);
  else if (/^\/fetch\/[^/]+$/.test(p) && method === "GET") await record(events.reference);
  else if (/^\/report\/[^/]+\/favorites$/.test(p) && method === "PUT") await record(events.favoritesPut);
  else if (/^\/report\/[^/]+\/favorites$/.test(p) && method === "GET") await record(events.favoritesGet);
});
function safeJson(s) { try { return JSON.parse(s); } catch { return s; } }

let shot = 0;
async function screenshot(name) {
  shot++;
  const file = path.join(cfg.artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

// Nothing invented on screen: no mock brand, no picsum image.
async function noMockShown(where) {
  const found = await page.evaluate((brands) => {
    const text = document.body.innerText;
    const hits = brands.filter((b) => text.includes(b));
    const imgs = [...document.images].map((i) => i.src).filter((s) => s.includes("picsum.photos"));
    return [...hits, ...imgs];
  }, MOCK_BRANDS);
  if (found.length) fail(`mock data shown on ${where}: ${found.join(", ")}`);
}

// A step: a name, the action, then the checks; any problem recorded so far stops the journey.
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (e) {
    fail(`${name}: ${e.message}`);
  }
  try { await noMockShown(name); } catch { /* the page may be navigating */ }
  try { await screenshot(name); } catch (e) { log(`screenshot ${name}: ${e.message}`); }
  say(`${problems.length ? "FAIL" : "ok  "} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (problems.length) await finish(1);
}

function check(cond, what) { if (!cond) throw new Error(what); }

// The access token's exp (seconds), as the app reads it (token.ts).
const tokenExp = () => page.evaluate(() => {
  const t = JSON.parse(localStorage.getItem("k9:auth:tokens") || "null");
  if (!t || !t.accessToken) return 0;
  const b = t.accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(b + "=".repeat((4 - (b.length % 4)) % 4))).exp;
});
// Until the app's access token has expired (its next call refreshes first).
async function untilTokenExpired() {
  await page.waitForFunction(() => {
    const t = JSON.parse(localStorage.getItem("k9:auth:tokens") || "null", { polling: 100 });
    if (!t) return false;
    const b = t.accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const exp = JSON.parse(atob(b + "=".repeat((4 - (b.length % 4)) % 4))).exp;
    return exp <= Math.floor(Date.now() / 1000);
  }, { timeout: ((cfg.tokenLifetime || 60) + 60) * 1000, polling: 250 });
}
// Before an action: a token about to expire is let expire first, so that no call leaves with a
// token that dies on its way (K9's local tokens have no leeway; the app judges on its own clock).
async function notAboutToExpire(marginSeconds = 5) {
  const left = (await tokenExp()) - Date.now() / 1000;
  if (left > 0 && left < marginSeconds) await untilTokenExpired();
}

async function imagesLoaded(selector, count) {
  await page.waitForFunction((sel, n) => {
    const imgs = [...document.querySelectorAll(sel)];
    return imgs.length >= n && imgs.slice(0, n).every((i) => i.complete && i.naturalWidth > 0);
  }, { polling: 100 }, selector, count);
}

async function waitFor(list, n) {
  const deadline = Date.now() + WAIT;
  while (list.length < n) {
    if (Date.now() > deadline) throw new Error(`no answer ${n} within ${WAIT / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return list[n - 1];
}

async function signIn() {
  await page.goto(origin.origin + "/", { waitUntil: "load" });
  const start = await page.waitForSelector("button.landing-page__login-button");
  await start.click();
  await page.waitForSelector("#username", { visible: true });
  await page.type("#username", cfg.username);
  await page.type("#password", cfg.password);
  await page.click("button.login-form__button--primary");
  await page.waitForFunction(() => location.pathname.startsWith("/dashboard"), { polling: 100 });
  const login = await waitFor(events.login, 1);
  check(login.status === 200 && login.body.refreshToken, `login answered ${login.status}`);
}

async function fillCreateForm(title) {
  await page.waitForSelector("#report-name");
  await page.type("#report-name", title);
  await page.select("#flooring-type", cfg.type);
  await page.type("#length", String(cfg.size.length));
  await page.type("#width", String(cfg.size.width));
  if (cfg.size.thickness) await page.type("#thickness", String(cfg.size.thickness));
  const input = await page.$('input[type="file"]');
  await input.uploadFile(...cfg.photos);
  await page.waitForFunction((n) => document.body.innerText.includes(`${n} images added`), { polling: 100 }, cfg.photos.length);
}

// From the click on "Create Report" to the report page, then a click on Search to the results.
async function submitAndSearch() {
  const searchesBefore = events.search.length;
  const submit = await page.waitForSelector('#report-form button[type="submit"]:not([disabled])');
  const t = Date.now();
  await submit.click();
  await page.waitForFunction(() => new URLSearchParams(location.search).get("report") && !new URLSearchParams(location.search).get("product"), { timeout: WAIT }, { polling: 100 });
  const button = await page.waitForSelector("xpath///button[contains(., 'Search Similar Products') and not(@disabled)]");
  const tPage = Date.now();
  await button.click();
  await page.waitForSelector(".search-result-card");
  const tCards = Date.now();
  await imagesLoaded(".search-result-card img", 1);
  const tImage = Date.now();
  const search = await waitFor(events.search, searchesBefore + 1);
  return { page: tPage - t, results: tCards - t, firstImage: tImage - t, search };
}

// The grid as shown: name text and percentage of every card, in order.
const cards = () => page.$$eval(".search-result-card", (els) => els.map((e) => ({
  name: e.querySelector(".search-result-card__title")?.innerText.replace(/\s+/g, " ").trim(),
  pct: parseInt(e.querySelector(".search-result-card__similarity")?.innerText, 10),
  favorite: !!e.querySelector(".search-result-card__favorite--active"),
})));

// The app's own numbers (originalApiAdapter.ts transformSearchResultToProduct).
const appPct = (r) => {
  const s = r.scores;
  const d = [s.color.primary || 0, s.color.secondary || 0, s.pattern.primary || 0, s.pattern.secondary || 0];
  return Math.round((1 - d.reduce((a, b) => a + b, 0) / 4) * 100);
};
const appName = (r) => [r.description.store, r.description.name].filter(Boolean).join(" ").replace(/\s+/g, " ").trim();

function checkGrid(shown, results, where) {
  check(results.length > 0, `${where}: K9 answered no result`);
  for (const r of results) check(!/^p[1-8]$/.test(r.id), `${where}: mock product id ${r.id}`);
  check(shown.length === new Set(results.map((r) => r.id)).size,
    `${where}: ${shown.length} cards for ${results.length} results`);
  const want = results.map((r) => `${appPct(r)} ${appName(r)}`).sort();
  const got = shown.map((c) => `${c.pct} ${c.name}`).sort();
  check(JSON.stringify(want) === JSON.stringify(got), `${where}: cards ${JSON.stringify(got.slice(0, 5))} are not K9's results ${JSON.stringify(want.slice(0, 5))}`);
}

async function finish(code) {
  const out = { problems, events: summary(), downloads: [...downloads.values()], seconds: (Date.now() - t0) / 1000 };
  fs.writeFileSync(path.join(cfg.artifacts, cfg.task === "journey" ? "journey.json" : "timing.json"),
    JSON.stringify({ ...out, ...result }, null, 2));
  for (const p of problems) console.log(`PROBLEM ${p}`);
  try { await browser.close(); } catch { /* gone */ }
  logFile.end();
  process.exit(code);
}
const summary = () => Object.fromEntries(Object.entries(events).map(([k, v]) => [k, Array.isArray(v) ? v.length : v]));
const result = {};

if (cfg.task === "submit-timing") {
  await step("sign-in", signIn);
  result.runs = [];
  for (let i = 0; i < (cfg.repeat || 5); i++) {
    await page.goto(origin.origin + "/create/", { waitUntil: "load" });
    await fillCreateForm(`Timing ${i + 1}`);
    const t = await submitAndSearch();
    check(t.search.status === 200 && Array.isArray(t.search.body) && t.search.body.length > 0, "search answered no result");
    result.runs.push({ page: t.page, results: t.results, firstImage: t.firstImage, count: t.search.body.length });
    say(`report ${i + 1}: report page ${t.page} ms, results shown ${t.results} ms, first image ${t.firstImage} ms (${t.search.body.length} results)`);
  }
  await finish(problems.length ? 1 : 0);
}

// ---- the journey ------------------------------------------------------------------------------
const title = "Kitchen Floor";
let job = null;
let results = null;

await step("signed-in-dashboard", async () => {
  await signIn();
  await page.waitForFunction(() => document.querySelector(".report-card") || document.body.innerText.includes("No reports yet"), { polling: 100 });
  const dash = await page.evaluate(() => document.body.innerText);
  check(dash.includes("No reports yet"), "a new user's dashboard is not empty");
  check(await page.evaluate(() => !!document.querySelector(".app-header-universal__username")), "no user in the header");
});

await step("create-filled", async () => {
  await notAboutToExpire();
  await page.click(".floating-add-button");
  await page.waitForFunction(() => location.pathname.startsWith("/create"), { polling: 100 });
  await fillCreateForm(title);
});

await step("report-results", async () => {
  await notAboutToExpire();
  const t = await submitAndSearch();
  result.submitToResultsMs = t.results;
  result.submitToReportPageMs = t.page;
  const albums = events.album.map((a) => a.status);
  check(albums.length === 2 && albums.every((s) => s === 200), `album uploads answered ${albums}`);
  check(events.create.length === 1 && events.create[0].status === 200, "PUT /fetch/{job} did not answer 200");
  check(events.create[0].body?.analysis?.status === "ready", "the report was not ready when created");
  job = new URLSearchParams(await page.evaluate(() => location.search)).get("report");
  check(job.endsWith("__title__kitchen-floor"), `job id ${job}`);
  const sent = events.create[0].sent;
  check(sent.length === cfg.size.length && sent.width === cfg.size.width && sent.images.length === 2,
    `the report sent ${JSON.stringify(sent)}`);
  results = t.search.body;
  check(t.search.status === 200, `search answered ${t.search.status}`);
  checkGrid(await cards(), results, "results");
  check(results[0].id === cfg.expect.id, `best match ${results[0].id}, photographed ${cfg.expect.id}`);
  const shown = await cards();
  check(shown[0].name === `${cfg.expect.brand} ${cfg.expect.model}`, `first card ${shown[0].name}`);
  await imagesLoaded(".search-result-card img", Math.min(shown.length, 4));
  const header = await page.$eval(".app-header-universal__title", (e) => e.innerText);
  check(header.includes(job), `header says ${header}`); // the app titles the page with the job id (AppHeader.tsx)
  say(`submit -> report page ${t.page} ms, results shown ${t.results} ms (${results.length} results)`);
});

await step("filter-moved", async () => {
  // The first refresh: the access token expires, the next call refreshes first.
  await untilTokenExpired();
  const refreshes = events.refresh.length;
  const searches = events.search.length;
  const slider = (await page.$$(".slider-control"))[0]; // Color Similarity, Primary
  const before = await slider.evaluate((e) => Number(e.value));
  await slider.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
  const after = await slider.evaluate((e) => Number(e.value));
  check(after === before + 10, `slider moved from ${before} to ${after}`);
  await page.waitForFunction((v) => document.body.innerText.includes(`${v}%`), { polling: 100 }, after);
  await page.click("xpath///button[contains(., 'Search Similar Products')]");
  const search = await waitFor(events.search, searches + 1);
  check(events.refresh.length > refreshes, "no token refresh before the search");
  check(search.status === 200, `search answered ${search.status}`);
  const limit = (100 - after) / 100;
  check(Math.abs(search.sent.color.primary - limit) < 1e-9, `sent color.primary ${search.sent.color.primary}`);
  check(search.body.every((r) => r.scores.color.primary <= limit + 1e-9), "a result over the moved threshold");
  check(search.body.length >= 2, `only ${search.body.length} results at colour ${after}%: nothing to favorite`);
  await page.waitForFunction((n) => document.querySelectorAll(".search-result-card").length === n &&
    document.body.innerText.includes(`${n} products found`), { polling: 100 }, search.body.length);
  results = search.body;
  checkGrid(await cards(), results, "filtered results");
});

await step("two-favorites", async () => {
  await notAboutToExpire();
  const hearts = await page.$$(".search-result-card__favorite");
  for (let i = 0; i < 2; i++) {
    const before = events.favoritesPut.length;
    await hearts[i].click();
    const put = await waitFor(events.favoritesPut, before + 1);
    check(put.status === 200 && put.sent.product_ids.length === i + 1, `heart ${i + 1}: ${put.status} ${JSON.stringify(put.sent)}`);
  }
  await page.waitForFunction(() => document.querySelectorAll(".search-result-card__favorite--active").length === 2, { polling: 100 });
  result.favorites = events.favoritesPut.at(-1).body.product_ids;
  check(result.favorites.length === 2, `favorites stored ${result.favorites}`);
});

await step("product-beside-reference", async () => {
  await notAboutToExpire();
  const products = events.product.length;
  const first = await page.$(".search-result-card .search-result-card__content");
  await first.click();
  await page.waitForFunction(() => new URLSearchParams(location.search).get("product"), { polling: 100 });
  const pid = new URLSearchParams(await page.evaluate(() => location.search)).get("product");
  const product = await waitFor(events.product, products + 1);
  check(product.status === 200 && product.body.id === pid, `product answered ${product.status}`);
  await page.waitForFunction(() => document.querySelectorAll(".product-comparison__column").length === 2, { polling: 100 });
  await imagesLoaded(".product-comparison__column:nth-child(1) .product-comparison__image-container img", 1);
  await imagesLoaded(".product-comparison__column:nth-child(2) .product-comparison__image-container img", 1);
  const model = await page.$eval(".product-info__model", (e) => e.innerText.trim());
  check(model === product.body.description.name, `product page shows ${model}`);
  result.productOpened = pid;
});

await step("back-to-report", async () => {
  await notAboutToExpire();
  await page.click(".app-header-universal__back-btn");
  await page.waitForFunction(() => !new URLSearchParams(location.search).get("product") && document.querySelector(".search-result-card"), { polling: 100 });
  await page.waitForFunction(() => document.querySelectorAll(".search-result-card__favorite--active").length === 2, { polling: 100 });
  checkGrid(await cards(), results, "results again");
});

await step("exported", async () => {
  // The second refresh, then the ZIP the app builds in the browser.
  await untilTokenExpired();
  const refreshes = events.refresh.length;
  await page.waitForSelector(".search-results__export-btn:not([disabled])");
  await page.click(".search-results__export-btn");
  const deadline = Date.now() + WAIT;
  while (![...downloads.values()].some((d) => d.state === "completed")) {
    check(![...downloads.values()].some((d) => d.state === "canceled"), "the download was canceled");
    check(Date.now() < deadline, "no download within the wait");
    await new Promise((r) => setTimeout(r, 100));
  }
  check(events.refresh.length > refreshes, "no token refresh before the export");
  const [guid, d] = [...downloads.entries()].find(([, v]) => v.state === "completed");
  const zip = path.join(cfg.artifacts, d.name);
  fs.renameSync(path.join(cfg.artifacts, guid), zip);
  result.zip = zip;
  await page.waitForFunction(() => document.querySelector(".search-results__export-btn")?.innerText.includes("Export"), { polling: 100 });
});

await step("dashboard-again", async () => {
  await notAboutToExpire();
  await page.click(".app-header-universal__back-btn");
  await page.waitForFunction(() => location.pathname.startsWith("/dashboard") && document.querySelector(".report-card"), { polling: 100 });
  const titles = await page.$$eval(".report-card__title", (els) => els.map((e) => e.innerText.trim()));
  check(titles.length === 1 && titles[0] === title, `dashboard shows ${titles}`);
  await imagesLoaded(".report-card img", 1);
  check((await tokenExp()) > 0, "signed out");
});

// The session: one sign-in, every refresh 200 with the first refresh token, at least two.
const firstRefreshToken = events.login[0]?.body?.refreshToken;
if (events.login.length !== 1) fail(`${events.login.length} sign-ins during the session`);
if (events.refresh.length < 2) fail(`${events.refresh.length} token refreshes (two wanted)`);
for (const r of events.refresh) {
  if (r.status !== 200) fail(`a refresh answered ${r.status}`);
  if (r.sent?.refreshToken !== firstRefreshToken) fail("a refresh did not present the session's first refresh token");
}
result.job = job;
result.refreshes = events.refresh.length;
result.title = title;
say(`${events.refresh.length} refreshes, ${events.search.length} searches, ${events.files} image loads, ` +
  `${problems.length} problems`);
await finish(problems.length ? 1 : 0);
