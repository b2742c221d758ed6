"""Check the built site as a reader would: headless Chromium opens every page of docs/_build/html, served on 127.0.0.1.

Usage: python docs/check_site.py [--search TERM=PAGE ...] [--browser PATH] [--site DIR]
Fails (exit 1) when any page logs a console error or a JavaScript exception, a request fails or answers >= 400,
an image does not load, math is left untypeset, a `#|` directive, an `In [ ]:` prompt or a figure saved as
`<Figure ...>` text shows, a code cell has no copy button, an internal link points to a missing page or anchor, a page
is linked from no other page, or a search for TERM does not list PAGE (a notebook such as 01_model, or an .html name).
It also asserts the page rules of issue 31, at 1280x900 px:
  - every Book chapter (nbs/NN[a-z]_name.ipynb) opens with its lesson: at least MIN_LESSON_WORDS words of prose come
    before its first code block, and the first of them within the first screen (SCREEN px); its first TensorFlow 1 |
    PyTorch tab set lies within the first third of the page; it shows at most MAX_HELPERS private helpers (`def _x` or
    `class _x` in its code blocks, folded tests aside); it is at most MAX_SCREENS screens high;
  - on every page, no output is wider than the content column (its box would scroll), in every tab;
  - every label of the top menu and of a section's page is its page's title, or the title's part before the colon;
  - the home page links every page of the Book, the Guides and the Explanations;
  - the API index fits the content column at 1280 px.
It prints a table per page: words of prose (API entries aside), screens at 1280 px, private helpers shown, the screen of the first tab set
(--table FILE also writes it as Markdown).
Saves a screenshot of the top of each page and of the whole page in docs/_screenshots/.
Needs Chromium (Debian: apt-get install chromium) and the `playwright` Python package (its driver only: no browser
download; we launch the system's Chromium).
"""
import argparse, functools, http.server, json, re, sys, tempfile, threading, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

docs = Path(__file__).resolve().parent
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']
SEARCH = ['EmbeddingBag=01_model']  # a term from the model notebook, and the page it must find
SCREEN = 900            # px: one screen at 1280x900
MAX_SCREENS = 15        # a Book chapter is at most this many screens high at 1280 px
MAX_HELPERS = 3         # private helpers (`def _x`, `class _x`) a Book chapter may show
MIN_LESSON_WORDS = 30   # words of prose before a Book chapter's first code block
TEACHING = ('Book', 'Guides', 'Explanations')  # the sections the home page links page by page

def serve(site:Path):
    "A quiet static file server for `site` on 127.0.0.1, on a free port, in a daemon thread."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}/'

# Runs in the page: everything we check about it, once it has loaded.
PAGE_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => i.loading = 'eager');
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  let mathOk = true;
  const math = document.querySelectorAll('span.math, div.math');
  if (math.length) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - t0 < 10000)
      await new Promise(r => setTimeout(r, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise; else mathOk = false;
  }
  return {
    title: document.title,
    h1: (document.querySelector('article h1') || {textContent: ''}).textContent.replace(/#$/, '').trim(),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    badImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src),
    nImages: imgs.length,
    nMath: math.length,
    untypeset: mathOk ? [...math].filter(m => !m.querySelector('mjx-container') || m.querySelector('mjx-merror')).map(m => m.textContent.slice(0, 60)) : ['MathJax did not load'],
    visibleDirectives: [...document.querySelectorAll('.cell_input pre, .cell_output pre, article p')].map(e => e.textContent).filter(t => /^\\s*#\\|/m.test(t)).map(t => t.slice(0, 60)),
    prompts: [...document.querySelectorAll('article')].map(e => e.innerText).filter(t => /In \\[[ \\d]*\\]:/.test(t)).length,
    noCopy: [...document.querySelectorAll('div.cell_input div.highlight')].filter(d => !d.querySelector('button.copybtn')).length,
    lostFigures: [...document.querySelectorAll('.cell_output pre')].map(e => e.textContent).filter(t => /^<Figure size \\d+x\\d+ with \\d+ Axes>/m.test(t)).length,
  };
}"""

# Runs in a page at 1280 px: what the book must show (issue 23).
BOOK_JS = r"""() => {
  const vis = e => !e.closest('details:not([open])') && e.getClientRects().length > 0;
  const art = document.querySelector('article') || document.body;
  // 1. source: an exported cell's code (an anchor `src-...` then a code cell)
  const sources = [...document.querySelectorAll('span[id^="src-"]')].filter(s => {
    const cell = s.closest('p') ? s.closest('p').nextElementSibling : null;
    return cell && cell.matches('div.cell') && cell.querySelector('.cell_input pre') && vis(cell); });
  const srcLinks = [...document.querySelectorAll('dl.py > dt a.reference.external, dl.py > dt a.reference')]
    .filter(a => /\[source\]/.test(a.textContent)).map(a => a.href);
  // 2. tabs
  const tabsets = [...document.querySelectorAll('.sd-tab-set')].map(ts => ({
    labels: [...ts.querySelectorAll(':scope > label')].map(l => l.textContent.trim()),
    code: [...ts.querySelectorAll(':scope > .sd-tab-content')].map(c => !!c.querySelector('div.tab-input pre')),
    outputs: ts.querySelectorAll('div.tab-output, img').length,
    section: (ts.closest('section') && ts.closest('section').querySelector('h1,h2,h3,h4')) ? ts.closest('section').querySelector('h1,h2,h3,h4').textContent.replace('#','').trim() : ''}));
  const vsSections = [...document.querySelectorAll('article section')].filter(s => {
    const h = s.querySelector(':scope > h2, :scope > h3'); return h && /^TensorFlow 1 vs PyTorch/.test(h.textContent); })
    .map(s => ({title: s.querySelector(':scope > h2, :scope > h3').textContent.replace('#','').trim(), tabs: s.querySelectorAll('.sd-tab-set').length}));
  // 3. tests folded; no visible block of test calls only
  const folds = [...document.querySelectorAll('div.cell.tag_hide-cell > details')].map(d => ({open: d.open, summary: d.querySelector('summary').innerText.trim().split('\n')[0]}));
  const testish = t => { const ls = t.split('\n').filter(l => l.trim() && !/^\s/.test(l) && !/^#/.test(l)); return ls.length > 0 && ls.every(l => /^(test_\w+\(|assert\b)/.test(l)); };
  const openTests = [...document.querySelectorAll('div.cell_input pre')].filter(p => vis(p) && testish(p.textContent)).map(p => p.textContent.slice(0, 60));
  // 4. no printed output or data frame wraps; wide ones scroll in their box (a Markdown table's cells may wrap)
  const wraps = [], noScroll = [];
  for (const pre of document.querySelectorAll('div.cell_output pre, div.tab-output pre')) {
    if (!pre.offsetParent) continue;
    const cs = getComputedStyle(pre), lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
    const n = pre.textContent.replace(/\n+$/, '').split('\n').length;
    const h = pre.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    if (h > (n + 0.6) * lh) wraps.push(pre.textContent.slice(0, 60));
    if (pre.scrollWidth > pre.clientWidth + 1 && !['auto', 'scroll'].includes(cs.overflowX)) noScroll.push(pre.textContent.slice(0, 60));
  }
  for (const td of document.querySelectorAll('div.cell_output table.dataframe td, div.cell_output table.dataframe th')) {
    const cs = getComputedStyle(td), lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
    if (td.offsetParent && td.textContent.trim() && td.getClientRects()[0] && td.firstChild && (() => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1 && [...r.getClientRects()].some(x => Math.abs(x.top - r.getClientRects()[0].top) > lh / 2); })())
      wraps.push('table cell: ' + td.textContent.slice(0, 40));
  }
  // 5. API entries: every parameter of the signature listed, Returns not a parameter's comment
  const api = [...document.querySelectorAll('dl.py.function, dl.py.method, dl.py.class, dl.py.exception')].map(dl => {
    const dt = dl.querySelector(':scope > dt');
    const sig = [...dt.querySelectorAll('em.sig-param')].map(p => p.textContent.split(/[:=]/)[0].replace(/\s|\*/g, ''));
    const fl = dl.querySelector(':scope > dd > dl.field-list');
    const field = name => { if (!fl) return null; const d = [...fl.children].find(e => e.tagName == 'DT' && e.textContent.trim().startsWith(name)); return d ? d.nextElementSibling : null; };
    const pf = field('Parameters');
    const listed = pf ? [...pf.querySelectorAll('strong')].map(s => s.textContent.replace(/\*/g, '').trim()) : [];
    const descs = pf ? [...pf.querySelectorAll('li, p')].map(x => x.textContent.split('–').slice(1).join('–').trim()) : [];
    const rf = field('Returns');
    return {id: dt.id, sig, listed, returns: rf ? rf.textContent.trim() : null, badReturn: !!(rf && descs.includes(rf.textContent.trim()))};
  });
  // 9. in-page contents
  const toc = [...document.querySelectorAll('#pst-page-toc-nav a.nav-link')].map(a => decodeURIComponent(new URL(a.href).hash.slice(1)));
  const heads = [...art.querySelectorAll('section > h2, section > h3, section > h4')].map(h => h.parentElement.id);
  const home = [...document.querySelectorAll('section')].find(s => s.querySelector(':scope > h2') && /^In Python/.test(s.querySelector(':scope > h2').textContent));
  return {sources: sources.length, srcLinks, tabsets, vsSections, folds, openTests, wraps, noScroll, api, toc, heads,
          download: [...document.querySelectorAll('.download-nb a.download')].map(a => a.href),
          snippet: home && home.querySelector('div.cell_input pre') ? home.querySelector('div.cell_input pre').textContent.split('\n')[0] : null,
          imgs: [...document.querySelectorAll('div.cell_output img, .sd-tab-content img')].map(i => ({src: i.src.split('/').pop(), nw: i.naturalWidth, w: i.width})),
          outputsText: [...document.querySelectorAll('div.cell_output, div.tab-output')].map(e => e.textContent).join('\n'),
          pageWide: document.documentElement.scrollWidth > window.innerWidth + 1,
          apiIds: [...document.querySelectorAll('dl.py > dt[id^="newsclf."]')].map(d => d.id)};
}"""

# Scrolled to the middle of a page: the in-page contents is on screen and marks where the reader is.
TOC_JS = r"""async () => {
  const nav = document.querySelector('#pst-page-toc-nav'); if (!nav) return {none: true};
  window.scrollTo(0, document.body.scrollHeight * 0.6); await new Promise(r => setTimeout(r, 400));
  const r = nav.getBoundingClientRect(), links = [...nav.querySelectorAll('a.nav-link')];
  return {top: r.top, bottom: r.bottom, h: window.innerHeight, active: links.filter(a => a.classList.contains('active')).length,
          cut: links.filter(a => a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().right > window.innerWidth).map(a => a.textContent.trim())};
}"""

# At 390 px: the page does not overflow sideways, and no table cell wraps (a wide table scrolls in its own box).
PHONE_JS = r"""() => {
  const tables = [...document.querySelectorAll('article table')];
  const bad = [];
  for (const t of tables) {
    const box = t.closest('.pst-scrollable-table-container') || t.parentElement;
    if (t.scrollWidth > box.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) bad.push('table overflows its box: ' + t.textContent.slice(0, 40));
    for (const td of t.querySelectorAll('td, th')) {
      const cs = getComputedStyle(td), lh = parseFloat(cs.lineHeight) || 1.5 * parseFloat(cs.fontSize);
      const h = td.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);  // inline code boxes are taller than text: height, not rects
      if (h > 1.7 * lh) { bad.push('table cell wraps: ' + td.textContent.slice(0, 40)); break; }
      if (parseFloat(getComputedStyle(td).fontSize) < 12) { bad.push('table text under 12 px'); break; }
    }
  }
  return {wide: document.documentElement.scrollWidth > window.innerWidth + 1, tables: tables.length, bad};
}"""

SWITCH_JS = r"""(label) => {
  const sets = [...document.querySelectorAll('.sd-tab-set')];
  const l = [...sets[0].querySelectorAll(':scope > label')].find(x => x.textContent.trim() === label);
  l.click();
  return sets.map(ts => { const i = [...ts.querySelectorAll(':scope > input')].find(x => x.checked); return i ? i.nextElementSibling.textContent.trim() : null; });
}"""
CHECKED_JS = r"""() => [...document.querySelectorAll('.sd-tab-set')].map(ts => { const i = [...ts.querySelectorAll(':scope > input')].find(x => x.checked); return i ? i.nextElementSibling.textContent.trim() : null; })"""

SEARCH_JS = """async () => {
  const t0 = Date.now();
  while (Date.now() - t0 < 15000) {
    const s = document.querySelector('#search-results p.search-summary, #search-results .search-summary');
    if (s && s.textContent.trim()) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.href);
}"""

# Runs in every page at 1280x900: the measures of issue 31's page rules (see the module's docstring).
RULES_JS = r"""async (screen) => {
  const art = document.querySelector('article.bd-article') || document.querySelector('article') || document.body;
  const top = e => e.getBoundingClientRect().top + window.scrollY;
  const shown = e => !e.closest('details:not([open])');
  const nwords = t => (t.match(/[\wÀ-ɏ][^\s]*/g) || []).length;
  const height = document.documentElement.scrollHeight;
  const clone = art.cloneNode(true);
  clone.querySelectorAll('div.cell, div.highlight, pre, dl.py, script, style, a.headerlink, .download-nb, .toctree-wrapper').forEach(e => e.remove());
  const words = nwords(clone.textContent);
  const notProse = 'div.cell, div.highlight, pre, .sd-tab-set, dl.py, .lead, .download-nb, table, nav, .toctree-wrapper';
  const prose = [...art.querySelectorAll('p, li')].filter(e => !e.closest(notProse) && !(e.tagName == 'LI' && e.querySelector('p'))
    && e.textContent.trim() && e.getClientRects().length);
  const code = [...art.querySelectorAll('div.cell_input, .sd-tab-set, dl.py')].filter(e => shown(e) && e.getClientRects().length);
  const codeTop = code.length ? Math.min(...code.map(top)) : height;
  const before = prose.filter(e => top(e) < codeTop);
  const tabs = [...document.querySelectorAll('.sd-tab-set')];
  const helpers = [];
  for (const pre of art.querySelectorAll('div.cell_input pre, div.tab-input pre')) {
    if (!shown(pre)) continue;
    for (const m of pre.textContent.matchAll(/^\s*(?:async\s+)?(?:def|class)\s+(_\w*)/gm))
      if (!/^__\w+__$/.test(m[1])) helpers.push(m[1]);
  }
  const wide = new Set();
  const measure = () => {
    for (const e of art.querySelectorAll('div.cell_output pre, div.tab-output pre, div.cell_output .text_html, div.cell_output .pst-scrollable-table-container'))
      if (e.offsetParent && e.scrollWidth > e.clientWidth + 1) wide.add(`${e.scrollWidth} px in ${e.clientWidth} px: ` + e.textContent.trim().slice(0, 50));
  };
  measure();
  if (tabs.length) {  // every tab: the sets switch together, so clicking each label of the first shows every set's tab
    const labels = [...tabs[0].querySelectorAll(':scope > label')];
    for (const l of labels) { l.click(); await new Promise(r => setTimeout(r, 30)); measure(); }
    if (labels.length) labels[0].click();
  }
  window.scrollTo(0, 0);  // clicking a tab scrolled to it: the screenshots that follow show the top of the page
  const apiTable = document.querySelector('.api-index table');
  return {words, height, screens: height / screen, helpers,
          lessonWords: before.reduce((n, e) => n + nwords(e.textContent), 0),
          firstProseTop: prose.length ? top(prose[0]) : null, codeTop: code.length ? codeTop : null,
          tabTop: tabs.length ? top(tabs[0]) : null, wide: [...wide],
          apiWide: apiTable ? apiTable.scrollWidth > (apiTable.closest('.pst-scrollable-table-container') || art).clientWidth + 1 : false,
          menu: [...document.querySelectorAll('.bd-header .navbar-nav a.nav-link')].map(a => [a.textContent.trim(), a.href]),
          listed: [...art.querySelectorAll('li > p > a.reference.internal, li > a.reference.internal')].map(a => [a.textContent.trim(), a.href])};
}"""

def check_rules(name:str, r:dict, pg:dict|None, err) -> None:
    "Issue 31's page rules, from RULES_JS's measures at 1280x900."
    for w in r['wide']: err(f'an output is wider than the content column at 1280 px: {w!r}')
    if r['apiWide']: err('the API index is wider than the content column at 1280 px')
    if not pg or pg.get('section') != 'Book': return
    if r['lessonWords'] < MIN_LESSON_WORDS: err(f"{r['lessonWords']} words of prose before the first code block (the lesson first: at least {MIN_LESSON_WORDS})")
    elif r['firstProseTop'] is None or r['firstProseTop'] >= SCREEN: err(f"no prose on the first screen (the first paragraph starts at {r['firstProseTop']} px)")
    if r['tabTop'] is None: err('no TensorFlow 1 | PyTorch tab set')
    elif r['tabTop'] > r['height'] / 3: err(f"the first tab set is on screen {screen_of(r['tabTop'])} of {r['screens']:.0f}, after the first third of the page")
    if len(r['helpers']) > MAX_HELPERS: err(f"{len(r['helpers'])} private helpers shown (at most {MAX_HELPERS}): {', '.join(r['helpers'])}")
    if r['screens'] > MAX_SCREENS: err(f"{r['screens']:.1f} screens high at 1280 px (at most {MAX_SCREENS})")

def screen_of(y:float|None) -> int|None: return None if y is None else int(y // SCREEN) + 1

def check_menus(rules:dict, seen:dict, pgs:dict, err) -> None:
    "Menu labels against titles; the home page links every page of the Book, Guides and Explanations."
    def page_of(url): return urlsplit(url).path.rsplit('/', 1)[-1] or 'index.html'
    want = lambda html: seen[html]['h1'].split(':')[0].strip()
    menu = rules.get('index.html', {}).get('menu', [])
    if not menu: err('menu: the top menu has no entries')
    for label, url in menu:
        if page_of(url) in seen and label != want(page_of(url)): err(f'menu: label {label!r} for {page_of(url)}, whose title is {seen[page_of(url)]["h1"]!r}')
    sections = {page_of(u) for _, u in menu}
    for sec in sorted(sections & set(rules)):
        for label, url in rules[sec]['listed']:
            p = page_of(url)
            if p in seen and not urlsplit(url).fragment and label != want(p):
                err(f'menu: {sec} lists {p} as {label!r}, its title is {seen[p]["h1"]!r}')
    home = {page_of(u) for u in seen.get('index.html', {}).get('links', []) if '/_' not in u}
    for html, pg in pgs.items():
        if pg.get('section') in TEACHING and html not in home: err(f"home page: no link to {html} (nbs/{pg['nb']}, {pg['section']})")

def page_table(rules:dict, pgs:dict) -> str:
    "Markdown table per page: section, words, screens at 1280 px, private helpers shown, the first tab set's screen."
    rows = ['| page | notebook | section | words | screens at 1280 px | private helpers shown | first tab set on screen | '
            'words before the first code |', '|---|---|---|---:|---:|---:|---:|---:|']
    order = {p: i for i, p in enumerate(pgs)}
    for html in sorted(set(rules) & set(pgs), key=order.get):
        r, pg = rules[html], pgs[html]
        tab = screen_of(r['tabTop'])
        tab = f"{tab} of {r['screens']:.0f}" if tab else '-'
        rows.append(f"| {html} | {pg.get('nb', '')} | {pg.get('section') or ''} | {r['words']:,} | {r['screens']:.1f} | "
                    f"{len(r['helpers'])} | {tab} | {r['lessonWords']:,} |")
    return '\n'.join(rows)

def pages_list() -> list[dict]:
    "The build's page list (docs/_src/_pages.json): notebook, page, module, and how many sources, tab sets, tests it has."
    f = docs/'_src'/'_pages.json'
    return json.loads(f.read_text()) if f.exists() else []

def pages_map() -> dict:
    "notebook name -> html page name, from the build's page list."
    return {p['nb']: p['doc'] + '.html' for p in pages_list()}

MACHINE_PATH = re.compile(r"(PosixPath\('/|(?<![\w.~])/(?:work|root|home|tmp|usr|opt|var|private|Users)/|site-packages)")
# Links that must go to one entry (issue 23): (page, link text, the entry's id).
RIGHT_LINKS = [('newsclf.cli', 'main', 'newsclf.cli.main'), ('newsclf.cli', 'evaluate', 'newsclf.cli.cmd_evaluate'),
               ('newsclf.classifier', 'encode', 'newsclf.classifier.NewsClassifier.encode')]
LINKS_JS = """() => [...document.querySelectorAll('article a.reference.internal')].map(a => [a.textContent.trim(), new URL(a.href).hash.slice(1)])"""

def check_book(name:str, r:dict, pg:dict|None, err) -> None:
    "What issue 23 asks of each page, from BOOK_JS's findings at 1280 px."
    chapter = pg is not None and pg.get('mod') is not None
    if chapter and r['sources'] < 1: err('shows the source of no exported function or class')
    if pg is not None and r['sources'] != pg.get('sources', 0): err(f"{r['sources']} exported cells shown, the notebook has {pg.get('sources')}")
    if pg is not None and len(r['tabsets']) != pg.get('tabs', 0): err(f"{len(r['tabsets'])} tab sets, the notebook has {pg.get('tabs')} runs of `#| tab` cells")
    for t in r['tabsets']:
        if len(t['labels']) < 2 or not all(t['code']): err(f"tab set in {t['section']!r}: labels {t['labels']}, code in each tab: {t['code']}")
    if pg is not None and sum(t['outputs'] for t in r['tabsets']) != pg.get('tab_outputs', 0):
        err(f"{sum(t['outputs'] for t in r['tabsets'])} outputs inside tabs, the notebook's tab cells have {pg.get('tab_outputs')}")
    if pg is not None and pg.get('tabs'):  # a notebook that has tabs has them in every comparison
        for v in r['vsSections']:
            if not v['tabs']: err(f"section {v['title']!r} compares TensorFlow 1 and PyTorch without a tab set")
    if pg is not None and len(r['folds']) != pg.get('tests', 0): err(f"{len(r['folds'])} folded test cells, the build folded {pg.get('tests')}")
    for f in r['folds']:
        if f['open'] or f['summary'] != 'Tests': err(f"a test block is not folded under 'Tests': {f}")
    for t in r['openTests']: err(f'a test-only code block is not folded: {t!r}')
    for w in r['wraps']: err(f'an output wraps at 1280 px: {w!r}')
    for w in r['noScroll']: err(f'a wide output does not scroll in its box: {w!r}')
    if r['pageWide']: err('the page is wider than the window at 1280 px')
    for a in r['api']:
        if a['sig'] != a['listed']: err(f"API entry {a['id']}: signature has {a['sig']}, the parameter list {a['listed']}")
        if a['badReturn']: err(f"API entry {a['id']}: 'Returns' repeats a parameter's comment: {a['returns']!r}")
    apis = {h.split('#')[0].rsplit('/', 1)[-1] for h in r['srcLinks']}
    for h in r['srcLinks']:
        if '#src-' not in h or not h.startswith('http://127.0.0.1'): err(f'[source] link goes off the site, or not to shown source: {h}')
    if set(r['toc']) != set(r['heads']): err(f"in-page contents {len(r['toc'])} entries, sections {len(r['heads'])}: extra {sorted(set(r['toc']) - set(r['heads']))[:5]}, missing {sorted(set(r['heads']) - set(r['toc']))[:5]}")
    for m in sorted(set(MACHINE_PATH.findall(r['outputsText']))):
        line = next(l for l in r['outputsText'].splitlines() if m in l)
        err(f'an output shows a path of the machine that ran it: {line.strip()[:100]!r}')
    for i in r['imgs']:
        if i['w'] and i['nw'] < 1.9 * i['w']: err(f"plot {i['src']} is {i['nw']} px wide shown at {i['w']} px: not saved at 2x")
    if pg is not None and pg['doc'] != 'index':
        if len(r['download']) != 1: err(f"{len(r['download'])} 'download this notebook' links")
    if name == 'index.html' and not (r['snippet'] or '').startswith(('from ', 'import ')):
        err(f"the 'In Python' snippet does not start with its imports: {r['snippet']!r}")

def check(site:Path, browser:str, searches:list[str], shots:Path) -> list[str]:
    from playwright.sync_api import sync_playwright
    errors, seen, ids, links, rules = [], {}, {}, [], {}
    pgs = {p['doc'] + '.html': p for p in pages_list()}
    api_ids, page_links = {}, {}
    html = sorted(p.relative_to(site).as_posix() for p in site.glob('*.html'))
    srv, base = serve(site)
    shots.mkdir(parents=True, exist_ok=True)
    for f in shots.glob('*.png'): f.unlink()
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=browser, headless=True, args=FLAGS,
                                                    viewport={'width': 1280, 'height': 900})
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        cur = {'page': None}
        def err(msg): errors.append(f"{cur['page']}: {msg}")
        page.on('console', lambda m: m.type == 'error' and err(f'console error: {m.text}'))
        page.on('pageerror', lambda e: err(f'JavaScript exception: {e}'))
        page.on('requestfailed', lambda r: err(f'request failed: {r.url} ({r.failure})'))
        page.on('response', lambda r: r.status >= 400 and err(f'HTTP {r.status}: {r.url}'))
        for name in html:
            cur['page'] = name
            t = time.perf_counter()
            page.goto(base + name, wait_until='load')
            r = page.evaluate(PAGE_JS)
            page.wait_for_load_state('networkidle')
            seen[name], ids[name] = r, set(r['ids'])
            links += [(name, l) for l in r['links']]
            for b in r['badImages']: err(f'image not loaded: {b}')
            for m in r['untypeset']: err(f'math not typeset: {m!r}')
            for d in r['visibleDirectives']: err(f'nbdev directive visible: {d!r}')
            if r['prompts']: err('an "In [ ]:" prompt is visible')
            if r['noCopy']: err(f"{r['noCopy']} code cell(s) without a copy button")
            if r['lostFigures']: err(f"{r['lostFigures']} figure(s) saved as '<Figure size ...>' text, not as an image: "
                                     "execute the notebook with Jupyter's inline backend (not MPLBACKEND=Agg)")
            b = page.evaluate(BOOK_JS)
            check_book(name, b, pgs.get(name), err)
            rules[name] = page.evaluate(RULES_JS, SCREEN)
            check_rules(name, rules[name], pgs.get(name), err)
            api_ids[name] = b['apiIds']
            page_links[name] = page.evaluate(LINKS_JS)
            stem = name[:-5]
            page.screenshot(path=shots/f'{stem}.png')
            page.screenshot(path=shots/f'{stem}-full.png', full_page=True)
            if b['toc']:
                t2 = page.evaluate(TOC_JS)
                if not (0 <= t2['top'] < t2['h'] and t2['active']): err(f"in-page contents does not follow the scroll: {t2}")
                for c in t2['cut']: err(f'in-page contents entry cut off: {c!r}')
                if stem in ('model', 'train'): page.screenshot(path=shots/f'{stem}-scrolled.png')
            print(f"  {name:28} {time.perf_counter()-t:4.1f} s  {r['nImages']} images, {r['nMath']} math, {len(r['links'])} links  ({r['title']})")
        cur['page'] = 'menus'
        check_menus(rules, seen, pgs, err)
        cur['page'] = 'links to one entry'
        by_mod = {p.get('mod'): h for h, p in pgs.items()}
        for mod, text, want in RIGHT_LINKS:
            pg_name = by_mod.get(mod)
            if pg_name is None: err(f'no page documents {mod}'); continue
            got = [h for t, h in page_links.get(pg_name, []) if t == text]
            if not got or any(h != want for h in got): err(f"{pg_name}: links `{text}` go to {sorted(set(got)) or 'nothing'}, not {want}")
        cur['page'] = 'api.html'
        listed = {h for t, h in page_links.get('api.html', []) if h.startswith('newsclf.')}
        entries = {i for n, l in api_ids.items() for i in l}  # api.html holds the entries of names whose code is hidden
        if entries - listed: err(f'API entries missing from the index: {sorted(entries - listed)[:8]}')
        if listed - entries: err(f'index links to no API entry: {sorted(listed - entries)[:8]}')
        check_tabs(page, base, pgs, err, cur, shots)
        check_phone(page, base, err, cur, shots)
        nb2html = pages_map()
        for s in searches:
            term, _, want = s.partition('=')
            want = want if want.endswith('.html') else nb2html.get(want if want.endswith('.ipynb') else want + '.ipynb', want)
            cur['page'] = f'search for {term!r}'
            page.goto(base + f'search.html?q={term}', wait_until='load')
            hits = [urlsplit(h).path.lstrip('/') for h in page.evaluate(SEARCH_JS)]
            page.screenshot(path=shots/f"search-{''.join(c for c in term if c.isalnum())}.png")
            print(f'  search {term!r}: {len(hits)} results: {", ".join(dict.fromkeys(hits))}')
            if want not in hits: err(f'{want} is not among the results ({", ".join(hits) or "none"})')
        ctx.close()
    srv.shutdown()
    cur['page'] = 'links'
    reached = {'index.html'}
    for frm, url in links:  # internal links: the page exists, and so does the anchor
        u = urlsplit(url)
        if not url.startswith(base): continue
        path = unquote(u.path.lstrip('/')) or 'index.html'
        if path.endswith('/'): path += 'index.html'
        if not (site/path).is_file(): err(f'{frm} links to {url}: no such file'); continue
        if path in ids:
            if path != frm: reached.add(path)
            if u.fragment and unquote(u.fragment) not in ids[path]: err(f'{frm} links to {path}#{u.fragment}: no such anchor')
    for p in sorted(set(html) - reached - {'genindex.html', 'search.html', 'py-modindex.html'}):
        err(f'{p} is not linked from any page')
    return list(dict.fromkeys(errors)), page_table(rules, pgs)

def check_tabs(page, base, pgs, err, cur, shots):
    "Choosing PyTorch in one tab set switches every set on the page, and on the next page opened (sphinx-design's sync)."
    with_tabs = [n for n, p in pgs.items() if p.get('tabs')]
    if not with_tabs: err('no tab set on the site'); return
    first = max(with_tabs, key=lambda n: pgs[n]['tabs'])
    cur['page'] = f'tabs on {first}'
    page.goto(base + first, wait_until='load')
    for label in ('PyTorch', 'TensorFlow 1'):
        got = page.evaluate(SWITCH_JS, label)
        if set(got) != {label}: err(f'choosing {label} in the first tab set left the sets at {got}')
    page.evaluate(SWITCH_JS, 'PyTorch')
    other = next((n for n in with_tabs if n != first), first)
    page.goto(base + other, wait_until='load')
    got = page.evaluate(CHECKED_JS)
    if set(got) != {'PyTorch'}: err(f'after choosing PyTorch on {first}, {other} shows {got}')
    page.locator('.sd-tab-set').first.scroll_into_view_if_needed()
    page.screenshot(path=shots/f'tabs-{other[:-5]}.png')
    page.evaluate(SWITCH_JS, 'TensorFlow 1')

def check_phone(page, base, err, cur, shots):
    "At 390 px: the home page's tables read (rows on one line, scrolling in their box), no page overflows sideways."
    page.set_viewport_size({'width': 390, 'height': 844})
    for name in ('index.html', 'model.html', 'train.html'):
        cur['page'] = f'{name} at 390 px'
        page.goto(base + name, wait_until='load')
        r = page.evaluate(PHONE_JS)
        if r['wide']: err('the page is wider than a 390 px screen')
        for b in r['bad'] if name == 'index.html' else []: err(b)
        page.screenshot(path=shots/f'{name[:-5]}-390.png')
        page.screenshot(path=shots/f'{name[:-5]}-390-full.png', full_page=True)
    page.set_viewport_size({'width': 1280, 'height': 900})

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--search', action='append', help=f'TERM=PAGE (default: {" ".join(SEARCH)})')
    ap.add_argument('--browser', default='/usr/bin/chromium')
    ap.add_argument('--site', type=Path, default=docs/'_build'/'html')
    ap.add_argument('--screenshots', type=Path, default=docs/'_screenshots')
    ap.add_argument('--table', type=Path, help="also write the per-page table (Markdown) to this file")
    a = ap.parse_args()
    if not (a.site/'index.html').exists(): sys.exit(f'No site at {a.site}: build it first with python docs/build.py')
    t = time.perf_counter()
    print(f'checking {a.site} in {a.browser}')
    errors, table = check(a.site, a.browser, a.search or SEARCH, a.screenshots)
    print(f'screenshots in {a.screenshots}\n\nper page at 1280x900 (Book: at most {MAX_SCREENS} screens, {MAX_HELPERS} private helpers shown, '
          f'the first tab set in the first third):\n{table}\n')
    if a.table: a.table.write_text(table + '\n')
    if errors: sys.exit(f'FAIL: {len(errors)} problem(s) on the site:\n  ' + '\n  '.join(errors))
    print(f'site check OK in {time.perf_counter()-t:.1f} s: every page loads cleanly, images and math render, search works, no broken internal link;\n'
          '  each chapter shows its exported source, tab sets switch together, tests are folded, no output wraps at 1280 px,\n'
          '  every API entry lists its parameters, the API index and the named links resolve, plots are 2x, no machine path shows;\n'
          '  each Book chapter opens with its lesson, has its first tab set in its first third, shows at most '
          f'{MAX_HELPERS} private helpers\n  and is at most {MAX_SCREENS} screens high; no output is wider than its column; '
          'menu labels are titles; the home page links every page')

if __name__ == '__main__': main()
