"""Build the documentation site offline: nbdev processes the notebooks, we turn them into what myst-nb reads, Sphinx renders.

Usage: python docs/build.py [--clean] [--draft]
  nbs/*.ipynb --nbdev.serve.proc_nbs--> _proc/*.ipynb --this script--> docs/_src/*.ipynb --sphinx-build -W--> docs/_build/html
  The site has five sections, in reading order, each a page of its own in the top menu that lists its pages:
  Book (nbs/NN[a-z]_name.ipynb, file-name order), Guides (nbs/guides/), Explanations (nbs/explanations/),
  Library (nbs/library/) and API (the index of every documented name). nbs/guides/x.ipynb becomes the page
  guides_x, and so on; a section without notebooks is left out.
--clean: forget the previous build (Sphinx's environment and nbdev's processed notebooks) and build everything again.
--draft: while a chapter is being written, a link to a notebook that does not exist yet becomes plain text (listed);
         without it (as in CI) such a link fails the build.
Nothing is executed: the site shows the outputs saved in the notebooks. Then check it as a reader would:
python docs/check_site.py
"""
import ast, inspect, importlib, json, os, posixpath, re, shutil, subprocess, sys, time
from pathlib import Path
import nbformat, yaml

docs = Path(__file__).resolve().parent
root = docs.parent
src, out = docs/'_src', docs/'_build'/'html'
os.chdir(root)  # nbdev finds settings.ini from the working directory
from nbdev.serve import proc_nbs  # hides `#| hide` cells, drops `#| export` ones and `default_exp`, adds show_doc cells
import nbdev.processors as _nbproc

def _do_eval(cell) -> bool|None:
    """Which cells nbdev runs to render API entries: exported cells, show_doc cells and cells of imports only.
    nbdev also runs any cell that imports something among other code (a test, an example that trains a model),
    out of its context: slow, and it fails the build when the cell needs an earlier one."""
    if cell.cell_type != 'code' or _nbproc.cell_lang(cell) != 'python' or not cell.source or 'nbdev_export()' in cell.source: return None
    try: stmts = cell.parsed_()
    except SyntaxError: return None
    if not stmts or cell.directives_.get('eval:', [''])[0].lower() == 'false': return None
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return True
    return all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in stmts) or bool(_nbproc._show_docs(stmts)) or None
_nbproc._do_eval = _do_eval

_re_nb = re.compile(r'^(\d+[a-z]?)_(\w+)\.ipynb$')
_re_link = re.compile(r'\[([^\]]*)\]\(([^)\s]+)\)')  # link text may wrap onto the next line, as Markdown allows
_re_link2 = re.compile(r'\[\[([^\]\n]*)\]\([^)\s]+\)\]\(([^)\s]+)\)')  # nbdev links names inside a link the author wrote
_re_directive = re.compile(r'^\s*#\|\s*(.*?)\s*$')
_re_showdoc = re.compile(r'^show_doc\((\s*[\w.]+\s*)[,)]')
_re_code = re.compile(r'^`([^`]+)`$')
_re_tab = re.compile(r'^\s*#\|\s*tab\s+(\S.*?)\s*$', re.M)  # `#| tab TensorFlow 1`: one tab of a TensorFlow 1 | PyTorch set
_re_export = re.compile(r'^\s*#\|\s*export\s*$', re.M)
_re_hide = re.compile(r'^\s*#\|\s*hide\s*$', re.M)  # `#| export` + `#| hide`: exported, not shown
_widget_mimes = ('application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json')

def settings() -> dict:
    "The `[DEFAULT]` section of settings.ini, interpolated."
    from configparser import ConfigParser
    cp = ConfigParser(); cp.read(root/'settings.ini')
    return dict(cp['DEFAULT'])

_sections = {'guides': 'Guides', 'explanations': 'Explanations', 'library': 'Library'}  # folders of nbs/ -> their section
# The site's sections in reading order: page name, title, and the sentence that opens the section's page.
SECTIONS = [('book', 'Book', "The chapters teach the tutorial's pipeline in order, each TensorFlow 1 concept beside its PyTorch "
             'counterpart: posts, tokens, a vocabulary, bags and batches; the model; training; the classifier and saving it; '
             'measuring; evaluating. Each exports the code it teaches.'),
            ('guides', 'Guides', 'Pages for a task: train on your own texts, use the command line, read the benchmark.'),
            ('explanations', 'Explanations', 'Why newsclf is as it is: each page opens with the decision and its reason, '
             'then the record of the experiments behind it.'),
            ('library', 'Library', "Reference notebooks that export newsclf's machinery (the corpus reader, the download, "
             "the text readers, the model file format, the command line's parser), literate and tested."),
            ('api', 'API', '')]

def section_of(nb:Path) -> str|None:
    "The section a notebook's page belongs to: Book for a numbered notebook, its folder's section, None for the home page."
    rel = nb.relative_to(root/'nbs')
    if len(rel.parts) == 1: return 'Book' if _re_nb.match(rel.name) else None
    return _sections.get(rel.parts[0])

def notebooks() -> list[Path]:
    "index.ipynb, the numbered notebooks in file-name order (the order of the story), then each folder of `_sections`."
    nbs = sorted(p for p in (root/'nbs').glob('*.ipynb') if _re_nb.match(p.name))
    return [root/'nbs'/'index.ipynb'] + nbs + [p for d in _sections for p in sorted((root/'nbs'/d).glob('*.ipynb'))]

def front_matter(nb) -> dict:
    "Title, description, output-file from nbdev's front matter raw cell (removed from `nb`)."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            nb.cells.remove(c)
            return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}

def default_exp(path:Path) -> str|None:
    "The module a notebook exports to (`#| default_exp`), from the unprocessed notebook."
    for c in nbformat.read(path, as_version=4).cells:
        m = re.search(r'^\s*#\|\s*default_exp\s+(\S+)', c.source, re.M) if c.cell_type == 'code' else None
        if m: return m.group(1)

# ---------------------------------------------------------------- API entries from show_doc cells
def _resolve(name:str, mod:str|None):
    "The object `name` (as written in `show_doc(name)`) in module `mod`, or None."
    if not mod: return None
    obj = importlib.import_module(mod)
    for part in name.split('.'):
        try: obj = inspect.getattr_static(obj, part) if inspect.isclass(obj) else getattr(obj, part)
        except AttributeError: return None
    return obj

def _is_clsmethod(obj) -> bool: return isinstance(obj, classmethod) or type(obj).__name__ == '_clsmethod'  # fastcore's @patch(cls_method=True)

def _func(obj):
    "The function behind a method, classmethod, staticmethod or property."
    if isinstance(obj, (classmethod, staticmethod)): return obj.__func__
    if _is_clsmethod(obj): return obj.f
    if isinstance(obj, property): return obj.fget
    return obj

def _src_defaults(obj) -> dict:
    "Default values as written in the source (`TUTORIAL_GROUPS`, not its value), where the source can be read."
    f = obj.__init__ if inspect.isclass(obj) and not hasattr(obj, '__dataclass_fields__') else obj
    try: tree = ast.parse(inspect.cleandoc('\n' + inspect.getsource(f)) if not inspect.isclass(f) else inspect.getsource(f).strip())
    except (OSError, TypeError, SyntaxError): return {}
    txt, node = ast.unparse, tree.body[0]
    if isinstance(node, ast.ClassDef):  # dataclass: `name: type = default` in the class body
        return {s.target.id: txt(s.value) for s in node.body if isinstance(s, ast.AnnAssign) and s.value is not None}
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): return {}
    a = node.args
    pos = a.posonlyargs + a.args
    res = {p.arg: txt(d) for p, d in zip(pos[len(pos)-len(a.defaults):], a.defaults)}
    res.update({p.arg: txt(d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    return res

def _arglist(obj, drop_first:bool) -> str|None:
    "`(a: int, b: str = 'x') -> T` for Sphinx's signature parser; None when there is no signature to show."
    try: sig = inspect.signature(_func(obj))
    except (ValueError, TypeError): return None
    srcd, ps = _src_defaults(_func(obj)), list(sig.parameters.values())
    if drop_first and ps and ps[0].name in ('self', 'cls'): ps = ps[1:]
    parts, star = [], False
    for p in ps:
        if p.kind is p.KEYWORD_ONLY and not star: parts.append('*'); star = True
        s = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '') + p.name
        star = star or p.kind is p.VAR_POSITIONAL
        if p.annotation is not p.empty: s += ': ' + (p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation))
        if p.default is not p.empty:
            d = srcd.get(p.name) or (p.default.__name__ if callable(p.default) else repr(p.default))
            try: ast.parse(d, mode='eval')
            except SyntaxError: d = '...'
            s += ' = ' + d
        parts.append(s)
    ret = sig.return_annotation
    r = '' if ret is sig.empty or ret is None or ret == 'None' else ' -> ' + (ret if isinstance(ret, str) else inspect.formatannotation(ret))
    return f"({', '.join(parts)}){r}"

def _kind(name:str, obj, mod) -> tuple[str, list[str]]:
    "Sphinx python-domain directive and its flags for `obj`."
    if inspect.isclass(obj): return ('exception' if issubclass(obj, BaseException) else 'class'), []
    if '.' in name and inspect.isclass(_resolve(name.rsplit('.', 1)[0], mod)):
        if isinstance(obj, property): return 'property', []
        return 'method', [':classmethod:'] if _is_clsmethod(obj) else [':staticmethod:'] if isinstance(obj, staticmethod) else []
    return 'function', []

def _comments(obj) -> tuple[dict, str|None]:
    """Docments read from the source: each parameter's (or dataclass field's) comment, from the line it is on (one
    comment serves all the parameters of its line), and the return's, from the line of the return annotation."""
    import textwrap, tokenize, io
    f = _func(obj)
    src = textwrap.dedent(inspect.getsource(f))
    com = {t.start[0]: t.string.lstrip('#').strip() for t in tokenize.generate_tokens(io.StringIO(src).readline)
           if t.type == tokenize.COMMENT}
    node = ast.parse(src).body[0]
    if isinstance(node, ast.ClassDef):
        if hasattr(f, '__dataclass_fields__'):
            return {n.target.id: com.get(n.lineno) for n in node.body if isinstance(n, ast.AnnAssign)}, None
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == '__init__'), None)
        if init is None: return {}, None
        node = init
    a = node.args
    args = a.posonlyargs + a.args + ([a.vararg] if a.vararg else []) + a.kwonlyargs + ([a.kwarg] if a.kwarg else [])
    return {x.arg: com.get(x.lineno) for x in args}, (com.get(node.returns.end_lineno) if node.returns else None)

def _params(obj) -> list[str]:
    "`:param x: docment` for every parameter (the docments: fastcore's inline comments) and `:returns: docment`."
    try: ds, ret = _comments(obj)
    except (OSError, TypeError, SyntaxError, IndexError): return []
    try: sig = inspect.signature(_func(obj))
    except (ValueError, TypeError): sig = None
    names = [n for n in (sig.parameters if sig else ds) if n not in ('self', 'cls')]
    stars = {p.name: {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '') for p in sig.parameters.values()} if sig else {}
    res = [f":param {stars.get(n, '')}{n}: {ds.get(n) or '(no comment in the source)'}" for n in names]
    if ret and ret not in ds.values(): res.append(f':returns: {ret}')
    return res

def obj_module(obj, lib:str) -> str|None:
    "The module of ours that defines `obj`, or None."
    m = getattr(_func(obj), '__module__', None) if obj is not None else None
    return m if isinstance(m, str) and m.startswith(lib + '.') else None

def _doc(obj, name:str) -> str:
    "The object's own docstring: not one inherited from a base class, nor the signature a dataclass makes up."
    d = obj.__dict__.get('__doc__') if inspect.isclass(obj) else _func(obj).__doc__
    if not d or (inspect.isclass(obj) and d.startswith(obj.__name__ + '(')): return ''
    return inspect.cleandoc(d)

def api_entry(name:str, obj, ctx) -> str|None:
    "A MyST python-domain directive documenting `obj`, as nbdev's `show_doc` does; None if it is not ours."
    mod = obj_module(obj, ctx.lib)
    if mod is None: return None
    kind, flags = _kind(name, obj, mod)
    args = '' if kind == 'property' else _arglist(obj, drop_first=kind == 'method' and ':staticmethod:' not in flags)
    full = f'{mod}.{name}'
    opts = [f':module: {mod}'] + flags + ([':no-index:'] if full in ctx.seen else [])
    ctx.seen.add(full)
    doc = ctx.linkify_code(_doc(obj, name))
    body = '\n'.join(opts) + '\n\n' + doc + '\n\n' + '\n'.join(ctx.linkify_code(p) for p in _params(obj))
    anchor = name.lower()  # nbdev's anchor (`data.html#load_posts`), so links into the published site keep working
    html = f'<span id="{anchor}"></span>\n\n' if anchor not in ctx.page_ids else ''
    ctx.page_ids.add(anchor)
    return f"{html}```{{py:currentmodule}} {mod}\n```\n\n````{{py:{kind}}} {name}{args or ''}\n{body.strip()}\n````"

def nbdev_md(md:str) -> str:
    "nbdev's show_doc markdown, for objects we cannot introspect: no rule, no Quarto attributes, heading as bold text."
    md = re.sub(r'^---\s*$', '', md, flags=re.M)
    md = re.sub(r'\)\{[^}]*\}', ')', md)
    return re.sub(r'^#+\s+(.*)$', r'**\1**', md, flags=re.M).strip()

# ---------------------------------------------------------------- links
class Ctx:
    "What every page needs to know about the others: pages, documented objects, nbdev's link targets."
    def __init__(self, pages:list[dict], draft:bool=False):
        s = settings()
        self.lib, self.doc_base = s['lib_name'], s['doc_host'].rstrip('/') + '/' + s['doc_baseurl'].strip('/') + '/'
        self.nb2doc = {p['nb']: p['doc'] for p in pages}
        self.html2doc = {p['doc'] + '.html': p['doc'] for p in pages}
        for p in pages:  # nbdev's address of a page in a folder: library/files.html for the page library_files
            d = posixpath.dirname(p['nb'])
            if d: self.html2doc[f"{d}/{p['doc'][len(d) + 1:]}.html"] = p['doc']
        modidx = importlib.import_module(f'{self.lib}._modidx').d['syms']
        self.syms = {v[0]: k for m in modidx.values() for k, v in m.items()}  # 'data.html#load_posts' -> 'newsclf.data.load_posts'
        anchors = {}
        for a in self.syms: anchors.setdefault(a.partition('#')[2], []).append(a)
        self.moved = {f"{m.split('.')[-1]}.html#{k}": v[0] for k, v in anchors.items() if k and len(v) == 1
                      for m in modidx if f"{m.split('.')[-1]}.html#{k}" not in self.syms}
        self.documented, self.short, self.seen, self.page_ids, self.source_of = {}, {}, set(), set(), {}
        self.mod = None  # the module of the page being converted: a bare name links to its object first
        self.problems, self.draft, self.hidden = [], draft, []

    def document(self, full:str, doc:str):
        self.documented.setdefault(full, doc)
        short = full.split('.', 2)[-1]  # newsclf.data.Vocab.fit -> Vocab.fit
        self.short[short] = full if self.short.get(short, full) == full else None  # ambiguous short names get no link

    def prefer(self, name:str, mod:str|None, default:str|None=None) -> str|None:
        "The object a bare `name` means on a page of module `mod`: its own `name` or `cmd_name` (a subcommand), else its one method `*.name`."
        if mod:
            if f'{mod}.{name}' in self.documented: return f'{mod}.{name}'
            if f'{mod}.cmd_{name}' in self.documented: return f'{mod}.cmd_{name}'  # the CLI's `evaluate`: its subcommand
            meth = [f for f in self.documented if f.startswith(mod + '.') and f.endswith('.' + name) and f.count('.') == 3]
            if '.' not in name and len(meth) == 1: return meth[0]
        return default

    def role(self, text:str, full:str) -> str:
        m = _re_code.match(text)
        return f'{{py:obj}}`{m.group(1) if m else text} <{full}>`'

    def link(self, m, where:str) -> str:
        text, url = m.group(1), m.group(2)
        if url.startswith(self.doc_base):  # nbdev's link into the published site
            rel = url[len(self.doc_base):]
            rel = self.moved.get(rel, rel)  # a name a module imports from another (`newsclf.data.load_posts`): its home
            if rel in self.syms:  # an API anchor: link only to what the site documents (private helpers are not)
                full = self.syms[rel]
                m = _re_code.match(text)
                if m and '.' not in m.group(1): full = self.prefer(m.group(1), self.mod, full)  # `main` in the CLI: cli.main
                return self.role(text, full) if full in self.documented else text
            page, _, frag = rel.partition('#')
            if page in ('', 'index.html'): page = 'index.html'
            if page not in self.html2doc:
                self.problems.append(f'{where}: link to {url}, which is no page of this site'); return m.group(0)
            return f'[{text}]({self.html2doc[page]}.ipynb{"#" + frag if frag else ""})'
        page, _, frag = url.partition('#')
        if page.endswith('.ipynb') and '://' not in page:  # relative to the linking notebook, as Jupyter and GitHub read it
            page = posixpath.normpath(posixpath.join(posixpath.dirname(where), page))
        if page in self.nb2doc:  # a link to another notebook: to its page (all pages sit side by side in docs/_src)
            return f'[{text}]({self.nb2doc[page]}.ipynb{"#" + frag if frag else ""})'
        if _re_nb.match(posixpath.basename(page)) or page.split('/')[0] in _sections:
            self.problems.append(f'{where}: link to {page}, which is not in nbs/')
            if self.draft: return text
        d = posixpath.dirname(where)
        if d and page and '://' not in page and not page.startswith(('/', 'mailto:')):  # a file beside the notebooks:
            rel = posixpath.normpath(posixpath.join(d, page))  # the pages sit side by side in docs/_src, the files as in nbs/
            if (root/'nbs'/rel).is_file(): return f'[{text}]({rel}{"#" + frag if frag else ""})'
        return m.group(0)

    def linkify_md(self, md:str, where:str) -> str:
        "Rewrite links outside fenced code blocks."
        parts = re.split(r'(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$)', md, flags=re.M|re.S)
        return ''.join(p if i % 2 else _re_link.sub(lambda m: self.link(m, where), _re_link2.sub(r'[\1](\2)', p))
                       for i, p in enumerate(parts))

    def linkify_code(self, s:str, mod:str|None=None) -> str:
        "`Name` of a documented object -> a link to it (as nbdev does in docstrings), the page's module's first."
        def f(m):
            full = self.prefer(m.group(1), mod or self.mod, self.short.get(m.group(1)))
            return self.role(m.group(0), full) if full else m.group(0)
        return re.sub(r'(?<![`{\w])`([A-Za-z_][\w.]*)`(?!`)', f, s)

# ---------------------------------------------------------------- notebooks -> myst-nb notebooks
def _directives(src:str) -> tuple[dict, str]:
    "Quarto/nbdev `#| key: value` lines of a code cell, and its source without them."
    d, keep = {}, []
    for line in src.splitlines():
        m = _re_directive.match(line)
        if m:
            k, _, v = m.group(1).partition(':')
            d[k.strip()] = v.strip().strip('"\'')
        else: keep.append(line)
    return d, '\n'.join(keep).strip('\n')

def _clean_outputs(cell):
    "Drop widget outputs (a progress bar frozen at 0% is all a static page could show of them)."
    cell.outputs = [o for o in cell.get('outputs', []) if not any(k in o.get('data', {}) for k in _widget_mimes)]

def _heading_ids(nb) -> set:
    from docutils.nodes import make_id
    return {make_id(h) for c in nb.cells if c.cell_type == 'markdown' for h in re.findall(r'^#+\s+(.*)$', c.source, re.M)}

def show_doc_targets(nb, mod:str|None) -> list[tuple]:
    "`(cell, name, obj)` of each show_doc cell."
    res = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        m = _re_showdoc.match(_directives(c.source)[1])
        if m: name = m.group(1).strip(); res.append((c, name, _resolve(name, mod)))
    return res

# ---------------------------------------------------------------- what a cell is: exported source, a tab, a test
def _patched_classes(fn:ast.FunctionDef) -> list[str]:
    "The classes a fastcore `@patch`ed function is added to (the annotation of its first argument)."
    if not any((d.func if isinstance(d, ast.Call) else d).__dict__.get('id') == 'patch' for d in fn.decorator_list): return []
    a = (fn.args.posonlyargs + fn.args.args)[:1]
    ann = a[0].annotation if a else None
    if isinstance(ann, ast.Name): return [ann.id]
    if isinstance(ann, (ast.Tuple, ast.BinOp)): return re.findall(r'\w+', ast.unparse(ann))
    return []

def defined_names(src:str) -> list[str]:
    "What an exported cell defines, named as nbdev's show_doc names it: `f`, `C`, `C.m` (in the class or `@patch`ed)."
    try: tree = ast.parse(src)
    except SyntaxError: return []
    res = []
    for n in tree.body:
        if isinstance(n, ast.ClassDef):
            res += [n.name] + [f'{n.name}.{m.name}' for m in n.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            res += [f'{c}.{n.name}' for c in _patched_classes(n)] or [n.name]
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                res += [e.id for e in ast.walk(t) if isinstance(e, ast.Name)]
    return res

def _call_name(node) -> str:
    f = node.func if isinstance(node, ast.Call) else None
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ''

def _is_test_stmt(n) -> bool:
    "An `assert`, a call of a `test_*` function, or a `with`/`for`/`if` block holding only those."
    if isinstance(n, ast.Assert): return True
    if isinstance(n, ast.Expr): return _call_name(n.value).startswith('test_')
    if isinstance(n, (ast.With, ast.For, ast.If)):
        body = n.body + getattr(n, 'orelse', [])
        return bool(body) and all(_is_test_stmt(s) for s in body)
    return False

def is_test_cell(src:str) -> bool:
    "Whether a code cell only tests (`test_eq`, `test_fail`, `assert`, ...): the site folds it under 'Tests'."
    try: body = ast.parse(src).body
    except SyntaxError: return False  # IPython magics, shell lines: not a plain test
    return bool(body) and all(_is_test_stmt(n) for n in body)

def tab_runs(orig) -> dict:
    "Index of the first cell of each run of consecutive `#| tab LABEL` code cells -> [(label, cell), ...]."
    runs, cur = {}, None
    for i, c in enumerate(orig.cells):
        m = _re_tab.search(c.source) if c.cell_type == 'code' else None
        if not m: cur = None; continue
        if cur is None: cur = i; runs[i] = []
        runs[cur].append((m.group(1), c))
    return runs

def _slug(s:str) -> str: return re.sub(r'[^a-z0-9]+', '-', s.lower()).strip('-')

def _fence(text:str, info:str, opts:str='') -> str:
    "A fenced block that no run of backticks inside `text` can close."
    n = max([3] + [len(m) + 1 for m in re.findall(r'`{3,}', text)])
    return f"{'`'*n}{info}\n{opts}{text.rstrip()}\n{'`'*n}"

def _output_md(o, imgdir:Path, ctx) -> str:
    "One saved output of a tab's cell as MyST: text in an output block, an image, or HTML."
    d = o.get('data', {})
    if o.get('output_type') == 'stream': txt = ''.join(o.get('text', ''))
    elif o.get('output_type') == 'error': txt = re.sub(r'\x1b\[[\d;]*m', '', '\n'.join(o.get('traceback', [])))
    elif 'image/png' in d:
        import base64, hashlib
        raw = base64.b64decode(''.join(d['image/png']))
        name = hashlib.sha256(raw).hexdigest()[:16] + '.png'
        imgdir.mkdir(parents=True, exist_ok=True); (imgdir/name).write_bytes(raw)
        w = o.get('metadata', {}).get('image/png', {}).get('width')
        return f"```{{image}} {imgdir.name}/{name}\n" + (f":width: {w}px\n" if w else '') + "```"
    elif 'text/html' in d: return _fence(''.join(d['text/html']), '{raw} html')
    elif 'text/markdown' in d: return ctx.linkify_md(''.join(d['text/markdown']), '')
    else: txt = ''.join(d.get('text/plain', ''))
    return _fence(txt, '{code-block} none', ':class: output tab-output\n\n') if txt.strip() else ''

def tab_set(run:list, imgdir:Path, ctx) -> tuple[str, int]:
    "A sphinx-design tab set, one tab per cell (its code, then its saved outputs), synced across the site by label; its outputs."
    items, n = [], 0
    for label, c in run:
        _clean_outputs(c)
        code = _directives(c.source)[1]
        outs = [_output_md(o, imgdir, ctx) for o in c.get('outputs', []) if o.get('name') != 'stderr']
        outs = [x for x in outs if x]; n += len(outs)
        body = '\n\n'.join([_fence(code, '{code-block} python', ':class: tab-input\n\n')] + outs)
        items.append(f"::::{{tab-item}} {label}\n:sync: {_slug(label)}\n\n{body}\n::::")
    return ':::::{tab-set}\n:sync-group: framework\n:class: framework-tabs\n\n' + '\n\n'.join(items) + '\n:::::', n

def _code_cell(src:str, tags=(), meta=None):
    c = nbformat.v4.new_code_cell(src)
    c.metadata = {**({'tags': sorted(tags)} if tags else {}), **(meta or {})}
    return c

_fold = {'mystnb': {'code_prompt_show': 'Tests', 'code_prompt_hide': 'Tests'}}  # myst-nb's hide-cell, labelled

def convert(nb, orig, page:dict, ctx:Ctx, pages:list[dict]):
    """Turn one processed notebook into the notebook myst-nb renders, walking the original notebook's cells:
    nbdev dropped `#| export` cells (we show their code, then the API entries nbdev placed after them) and the
    directive lines (`#| tab` among them) of every cell, so the original notebook says what each cell is."""
    where, mod = page['nb'], page['mod']
    ctx.page_ids, ctx.mod = _heading_ids(nb), mod
    docs_of = {id(c): (n, o) for c, n, o in show_doc_targets(nb, mod)}
    ids = {c.get('id'): i for i, c in enumerate(orig.cells) if c.get('id')}
    exported = [i for i, c in enumerate(orig.cells) if c.cell_type == 'code' and _re_export.search(c.source)]
    proc_at, cards, last = {}, {i: [] for i in exported}, -1  # original index -> processed cell; export -> its cards
    for c in nb.cells:
        if c.get('id') in ids: last = ids[c['id']]; proc_at[last] = c; continue
        if id(c) in docs_of and exported:  # a show_doc cell nbdev added after an exported cell
            name = docs_of[id(c)][0]
            after = [i for i in exported if i > last] or exported
            owner = next((i for i in after if name in defined_names(orig.cells[i].source)), after[0])
            cards[owner].append(c)
    for i, cs in cards.items():  # nbdev adds a cell's show_docs last name first: list them in the source's order
        names = defined_names(orig.cells[i].source)
        cs.sort(key=lambda c: names.index(docs_of[id(c)][0]) if docs_of[id(c)][0] in names else len(names))
    runs = tab_runs(orig)
    in_run = {id(c) for r in runs.values() for _, c in r}
    lead = f"\n\n```{{container}} lead\n{ctx.linkify_md(page['description'], where)}\n```" if page['description'] else ''
    dl = f"\n\n```{{container}} download-nb\n{{download}}`Download this notebook <_notebooks/{where}>`\n```" if page['doc'] != 'index' else ''
    cells = [nbformat.v4.new_markdown_cell(f"# {page['title']}{lead}{dl}")]
    page['tabs'], page['sources'], page['tests'], page['tab_outputs'] = len(runs), 0, 0, 0
    for i, oc in enumerate(orig.cells):
        if i in runs:
            md, n = tab_set(runs[i], src/'_tabs', ctx); page['tab_outputs'] += n
            cells.append(nbformat.v4.new_markdown_cell(md)); continue
        if id(oc) in in_run: continue
        if i in cards and _re_hide.search(oc.source):  # exported but hidden: machinery a reader need not see
            for c in cards[i]: cells.append(nbformat.v4.new_markdown_cell(_card(c, docs_of, ctx, where)))
            continue
        if i in cards:  # an exported cell: its code, then its API entries
            code, names = _directives(oc.source)[1], defined_names(oc.source)
            anchor = f"src-{_slug(names[0]) if names else i}"
            for n in names: ctx.source_of.setdefault(f'{mod}.{n}', f"{page['doc']}.html#{anchor}")
            cells.append(nbformat.v4.new_markdown_cell(f'<span id="{anchor}"></span>'))
            cells.append(_code_cell(code, meta={'mystnb': {}})); page['sources'] += 1
            for c in cards[i]: cells.append(nbformat.v4.new_markdown_cell(_card(c, docs_of, ctx, where)))
            continue
        c = proc_at.get(i)
        if c is None: continue  # dropped by nbdev: `#| hide`, `default_exp`, the title
        if c.cell_type == 'raw' or c.source.startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
        if c.cell_type == 'markdown':
            c.source = ctx.linkify_md(c.source, where); cells.append(c); continue
        d, c.source = _directives(c.source)
        if d.get('include') == 'false': continue
        _clean_outputs(c)
        if id(c) in docs_of: cells.append(nbformat.v4.new_markdown_cell(_card(c, docs_of, ctx, where))); continue
        tags, meta = set(c.metadata.get('tags', [])), {}
        if d.get('echo') == 'false' or not c.source.strip(): tags.add('remove-input')
        if d.get('output') == 'false': tags.add('remove-output')
        if not c.source.strip() and not c.outputs: continue
        if 'remove-input' not in tags and is_test_cell(c.source): tags.add('hide-cell'); meta = _fold; page['tests'] += 1
        for o in c.outputs:
            if 'text/markdown' in o.get('data', {}):
                o['data']['text/markdown'] = ctx.linkify_md(''.join(o['data']['text/markdown']), where)
        c.metadata = {**({'tags': sorted(tags)} if tags else {}), **meta}
        cells.append(c)
    if page['doc'] == 'index':  # the navigation: the top menu holds the sections, each section's page its pages
        toc = '\n'.join(f'{title} <{name}>' for name, title, _ in SECTIONS if name == 'api' or any(p['section'] == title for p in pages))
        cells.append(nbformat.v4.new_markdown_cell(f'```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toc}\n```'))
    nb.cells = cells
    nb.metadata = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                   'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}
    return nb

def _card(c, docs_of, ctx, where) -> str:
    "The API entry of a show_doc cell: ours from introspection, anything else as nbdev rendered it."
    name, obj = docs_of[id(c)]
    md = api_entry(name, obj, ctx)
    if md is None:  # not ours (or not importable): nbdev's own rendering
        md = '\n\n'.join(nbdev_md(''.join(o['data']['text/markdown'])) for o in c.outputs if 'text/markdown' in o.get('data', {}))
        md = ctx.linkify_md(md, where)
    return md

def _short(title:str) -> str:
    "Navigation label: the title, or its part before the colon ('Data: from posts to ...' -> 'Data')."
    return title.split(':')[0].strip()

def section_page(title:str, intro:str, pages:list[dict]) -> str:
    "A section's page (MyST): its intro, each page's label linked with its summary, and the toctree the menu is made of."
    items = '\n'.join(f"- [{p['short']}]({p['doc']}.ipynb)" + (f": {p['description']}" if p['description'] else '') for p in pages)
    toc = '\n'.join(f"{p['short']} <{p['doc']}>" for p in pages)
    return f'# {title}\n\n{intro}\n\n{items}\n\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toc}\n```\n'

def linkcode_urls(ctx:Ctx) -> dict:
    "Where the site shows the source of each documented object (for sphinx.ext.linkcode's [source] links): a page and anchor."
    res = {}
    for full in ctx.documented:
        parts = full.split('.')  # a method's source is its own `@patch` cell, else its class's cell
        for k in range(len(parts), 2, -1):
            if '.'.join(parts[:k]) in ctx.source_of: res[full] = ctx.source_of['.'.join(parts[:k])]; break
    return res

def _public(name:str) -> bool: return not any(p.startswith('_') and not p.startswith('__') for p in name.split('.'))

def hidden_api(pages:list[dict], origs:dict, ctx:Ctx) -> list[tuple[str, object]]:
    "`(full name, object)` of each public name defined in an exported `#| hide` cell and given no show_doc anywhere."
    res = []
    for pg in pages:
        if not pg['mod']: continue
        for c in origs[pg['nb']].cells:
            if c.cell_type != 'code' or not (_re_export.search(c.source) and _re_hide.search(c.source)): continue
            for name in defined_names(c.source):
                full, obj = f"{pg['mod']}.{name}", _resolve(name, pg['mod'])
                if (_public(name) and not name.split('.')[-1].startswith('__') and obj is not None
                        and full not in ctx.documented and obj_module(obj, ctx.lib) == pg['mod']):
                    ctx.document(full, pg['doc']); res.append((full, obj))
    return res

def api_index(ctx:Ctx, pages:list[dict]) -> str:
    "The API index page: every documented name, its module (linked to its chapter) and its one-line summary, linked."
    doc2title = {p['doc']: p['short'] for p in pages}
    rows = []
    for full, doc in ctx.documented.items():
        mod, name = '.'.join(full.split('.')[:2]), '.'.join(full.split('.')[2:])
        first = (_doc(_resolve(name, mod), name).strip().split('\n') or [''])[0].replace('|', '\\|')
        rows.append(f"| {{py:obj}}`{name} <{full}>` | [{mod}]({doc}.ipynb) | {ctx.linkify_code(first, mod)} |")
    return ('# API\n\n```{container} lead\nEvery public function, class and method of newsclf, by module, '
            'in the order the pages introduce them.\n```\n\n:::{container} api-index\n| Name | Module | Summary |\n'
            '| --- | --- | --- |\n' + '\n'.join(rows) + '\n:::\n' + _hidden_entries(ctx))

def _hidden_entries(ctx:Ctx) -> str:
    "The API entries of public names whose code their page hides (machinery a chapter need not show)."
    if not ctx.hidden: return ''
    ctx.page_ids, entries = set(), []
    for full, obj in ctx.hidden:
        mod, name = '.'.join(full.split('.')[:2]), '.'.join(full.split('.')[2:])
        ctx.mod = mod; entries.append(api_entry(name, obj, ctx))
    return ('\n## Entries of hidden code\n\nPublic names whose code their page does not show (the notebook has it):\n\n'
            + '\n\n'.join(e for e in entries if e) + '\n')

def write(path:Path, text:str):
    "Write only what changed, so that Sphinx rebuilds only the pages that changed."
    if not path.exists() or path.read_text(encoding='utf-8') != text: path.write_text(text, encoding='utf-8')

def prepare(force:bool=False, draft:bool=False) -> list[dict]:
    "Process the notebooks with nbdev and write docs/_src; return the pages in navigation order."
    t = time.perf_counter()
    proc = proc_nbs(force=force, n_workers=0)  # in this process: twice as fast as spawning workers for a few notebooks
    print(f'nbdev processed the notebooks into {proc.relative_to(root)}/ in {time.perf_counter()-t:.1f} s')
    pages, nbs, origs = [], {}, {}
    for p in notebooks():
        rel = p.relative_to(root/'nbs')
        nb = nbformat.read(proc/rel, as_version=4)
        fm = front_matter(nb)
        doc = '_'.join(rel.parent.parts + (Path(fm.get('output-file', p.stem)).stem,)) if p.name != 'index.ipynb' else 'index'
        title = fm.get('title', p.stem)
        pages.append(dict(nb=rel.as_posix(), doc=doc, title=title, short=_short(title),
                          section=section_of(p), mod=None if doc == 'index' else
                          (f"{settings()['lib_name']}.{default_exp(p)}" if default_exp(p) else None),
                          description=(fm.get('description') or '').strip()))
        nbs[rel.as_posix()], origs[rel.as_posix()] = nb, nbformat.read(p, as_version=4)
    ctx = Ctx(pages, draft)
    for rel, o in origs.items():  # nbdev turns the title cell into the title and summary and drops the rest of it
        first = next((c for c in o.cells if c.cell_type == 'markdown'), None)
        if first is not None and len([b for b in first.source.strip().split('\n\n') if b.strip()]) > 2:
            ctx.problems.append(f'{rel}: its title cell holds more than the title and summary, which nbdev drops: '
                                'put the rest in a cell of its own')
    for pg in pages:  # first pass: what is documented where, so that links can point to it
        for _, name, obj in show_doc_targets(nbs[pg['nb']], pg['mod']):
            mod = obj_module(obj, ctx.lib)
            if mod: ctx.document(f'{mod}.{name}', pg['doc'])
    ctx.hidden = hidden_api(pages, origs, ctx)  # public names whose code a page hides: their entries go on the API page
    src.mkdir(parents=True, exist_ok=True)
    keep = {'_pages.json', '_linkcode.json', '_tabs', '_notebooks'} | {f'{name}.md' for name, *_ in SECTIONS}
    for pg in pages:
        nb = convert(nbs[pg['nb']], origs[pg['nb']], pg, ctx, pages)
        write(src/f"{pg['doc']}.ipynb", nbformat.writes(nb)); keep.add(f"{pg['doc']}.ipynb")
        dst = src/'_notebooks'/pg['nb']  # the notebook itself, for the page's download link
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists() or dst.read_bytes() != (root/'nbs'/pg['nb']).read_bytes(): shutil.copy2(root/'nbs'/pg['nb'], dst)
    write(src/'api.md', api_index(ctx, pages))
    for name, title, intro in SECTIONS[:-1]:
        ps = [p for p in pages if p['section'] == title]
        if ps: write(src/f'{name}.md', section_page(title, intro, ps))
        elif (src/f'{name}.md').exists(): (src/f'{name}.md').unlink()
    for f in (root/'nbs').rglob('*'):  # images and other files the notebooks refer to
        rel = f.relative_to(root/'nbs')
        if f.is_file() and f.suffix != '.ipynb' and not any(q.startswith(('.', '_')) for q in rel.parts):
            (src/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, src/rel); keep.add(rel.parts[0])
    for f in src.iterdir():
        if f.name not in keep: shutil.rmtree(f) if f.is_dir() else f.unlink()
    write(src/'_pages.json', json.dumps(pages, indent=1))
    write(src/'_linkcode.json', json.dumps(linkcode_urls(ctx), indent=1))
    ctx.problems = list(dict.fromkeys(ctx.problems))
    if ctx.problems and draft: print('--draft: these links are plain text for now:\n  ' + '\n  '.join(ctx.problems))
    elif ctx.problems: sys.exit('Broken links in the notebooks (python docs/build.py --draft turns them into text):\n  ' + '\n  '.join(ctx.problems))
    print(f'wrote {len(pages)} pages to {src.relative_to(root)}/ in {time.perf_counter()-t:.1f} s')
    return pages

def build(clean:bool=False, draft:bool=False):
    t = time.perf_counter()
    if clean: shutil.rmtree(docs/'_build', ignore_errors=True); shutil.rmtree(src, ignore_errors=True)
    prepare(force=clean, draft=draft)
    shutil.rmtree(out, ignore_errors=True)  # no page of a notebook since removed stays behind (Sphinx's cache is in doctrees)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-n', '-q', '-j', 'auto',
           '-c', str(docs), '-d', str(docs/'_build'/'doctrees'), str(src), str(out)]
    r = subprocess.run(cmd, cwd=root)
    if r.returncode:
        pages = json.loads((src/'_pages.json').read_text())
        sys.exit(f'sphinx-build failed (exit {r.returncode}): see the warnings above. The pages come from: ' +
                 ', '.join(f"{src.relative_to(root)}/{p['doc']}.ipynb <- nbs/{p['nb']}" for p in pages))
    print(f'built {out.relative_to(root)}/index.html in {time.perf_counter()-t:.1f} s')

if __name__ == '__main__': build(clean='--clean' in sys.argv, draft='--draft' in sys.argv)
