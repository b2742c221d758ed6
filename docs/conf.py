# Sphinx configuration of the newsclf site. Build it with `python docs/build.py`, which writes the sources into
# docs/_src (notebooks processed by nbdev) and runs Sphinx on them with this file.
import json
from configparser import ConfigParser
from pathlib import Path

here = Path(__file__).resolve().parent
_cfg = ConfigParser(); _cfg.read(here.parent/'settings.ini'); _s = _cfg['DEFAULT']

project = _s['lib_name']
author = _s['author']
copyright = _s['copyright']
release = version = _s['version']
html_title = project

extensions = ['myst_nb', 'sphinx.ext.linkcode', 'sphinx_copybutton', 'sphinx_design']
exclude_patterns = ['_build', '**.ipynb_checkpoints', '_pages.json', '_linkcode.json',
                    '_notebooks']  # the notebooks as they are in nbs/, for each page's download link
master_doc = 'index'
nitpicky = True                               # a link to an API entry that does not exist fails the build (-W)...
nitpick_ignore_regex = [('py:class', r'.*')]  # ...but type annotations (np.ndarray, torch.Tensor) need not link anywhere
suppress_warnings = ['myst.header',  # a notebook may go from its title (H1) straight to an H3
                     'misc.highlighting_failure']  # code Pygments cannot parse is shown unhighlighted

# Notebooks: never executed here; the site shows the outputs saved in them.
nb_execution_mode = 'off'
nb_output_stderr = 'remove'                   # warnings and progress bars are noise on a web page
nb_merge_streams = True
nb_render_markdown_format = 'myst'          # Markdown outputs (IPython.display.Markdown) as MyST: their tables render
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'fieldlist']
myst_heading_anchors = 3
myst_dmath_double_inline = True

# API entries: `name(arg: type = default)` as written in the source, one argument per line when it is long.
add_module_names = False
toc_object_entries = False                    # the in-page contents lists a chapter's sections, not its API entries
python_maximum_signature_line_length = 72
python_display_short_literal_types = True

_links = json.loads((here/'_src'/'_linkcode.json').read_text()) if (here/'_src'/'_linkcode.json').exists() else {}
def linkcode_resolve(domain, info):
    "An API entry's [source]: the cell of the chapter that shows its code (docs/build.py found it), not a web address."
    if domain == 'py': return _links.get(f"{info['module']}.{info['fullname']}")

# Copy buttons on code, not on outputs or prompts.
copybutton_selector = 'div[class*="highlight-"]:not(.output) div.highlight pre'
copybutton_exclude = '.linenos, .gp, .go'

html_theme = 'pydata_sphinx_theme'
html_static_path = ['_static']
html_css_files = ['newsclf.css']
html_js_files = ['newsclf.js']
html_favicon = '_static/favicon.svg'
html_show_sourcelink = False
html_copy_source = False
html_use_index = False                        # no page links to a general index; search finds API entries
html_sidebars = {'**': []}
html_context = {'default_mode': 'auto'}  # light or dark, as the reader's system prefers
html_theme_options = {
    'logo': {'text': project},
    'navbar_align': 'left',
    'header_links_before_dropdown': 8,
    'navbar_end': ['theme-switcher', 'navbar-icon-links'],
    'secondary_sidebar_items': ['page-toc'],
    'show_toc_level': 2,
    'footer_start': ['copyright'],
    'footer_end': [],
    'icon_links': [{'name': 'GitHub', 'url': _s['git_url'], 'icon': 'fa-brands fa-github'}],
    'show_prev_next': True,
}

# Math: MathJax 3 served with the site (the files come with the sphinx-mathjax-offline package), nothing from a CDN.
mathjax_path = 'mathjax/tex-chtml.js'

def _copy_mathjax(app, exc):
    import importlib.util, shutil
    if exc is None and app.builder.format == 'html':
        pkg = Path(importlib.util.find_spec('sphinx-mathjax-offline').origin).parent
        shutil.copytree(pkg/'static'/'mathjax', Path(app.outdir)/'_static'/'mathjax', dirs_exist_ok=True)

def setup(app):
    app.connect('build-finished', _copy_mathjax)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
