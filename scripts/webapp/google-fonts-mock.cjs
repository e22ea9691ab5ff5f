// Google Fonts answers for `next build` of the web app, offline (scripts/build-webapp.sh).
//
// Next's `next/font/google` loader requires the CommonJS file named by
// NEXT_FONT_GOOGLE_MOCKED_RESPONSES and looks up each Google Fonts CSS url it would fetch as a
// key of its exports; it then reads every `src: url(...)` starting with `/` from disk. The app
// (src/app/layout.tsx) asks for Geist and Geist Mono, variable weight, subset latin. The woff2
// files come from the npm package `geist`, pinned in scripts/webapp/package-lock.json and
// installed by scripts/build-webapp.sh into K9_WEBAPP_FONTS_DIR (its node_modules folder).
'use strict';
const fs = require('fs');
const path = require('path');

const modules = process.env.K9_WEBAPP_FONTS_DIR || path.join(__dirname, 'node_modules');
const fontsDir = path.join(modules, 'geist', 'dist', 'fonts');

function woff2(relative) {
  const file = path.join(fontsDir, relative);
  if (!fs.existsSync(file)) {
    throw new Error(`google-fonts-mock: ${file} is missing (npm ci in scripts/webapp, or set K9_WEBAPP_FONTS_DIR)`);
  }
  return file;
}

// Google's latin unicode-range, as fonts.googleapis.com/css2 serves it.
const LATIN =
  'U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, ' +
  'U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD';

function fontFace(family, file) {
  return `/* latin */
@font-face {
  font-family: '${family}';
  font-style: normal;
  font-weight: 100 900;
  font-display: swap;
  src: url(${file}) format('woff2');
  unicode-range: ${LATIN};
}
`;
}

const sans = fontFace('Geist', woff2('geist-sans/Geist-Variable.woff2'));
const mono = fontFace('Geist Mono', woff2('geist-mono/GeistMono-Variable.woff2'));

// The urls Next 15.5 builds for `Geist({subsets: ['latin']})` and `Geist_Mono(...)`: variable
// fonts ask for the whole weight axis. A url missing here fails the build with Next's
// "Missing mocked response for URL: ..." naming it (then add it).
module.exports = {
  'https://fonts.googleapis.com/css2?family=Geist:wght@100..900&display=swap': sans,
  'https://fonts.googleapis.com/css2?family=Geist+Mono:wght@100..900&display=swap': mono,
};
