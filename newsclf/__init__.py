__version__ = "0.0.1"
# The one hand-written module (nbdev keeps only the version line above up to date).
# `from newsclf import NewsClassifier, load_posts` works, yet `import newsclf` loads nothing: each name is imported from
# its module on first use, so a command pays for no module it does not use. The names are those a user of the README
# needs; every one is documented in its chapter or library page.
_NAMES = dict(load_posts='corpus', Posts='corpus', DataError='corpus', NEWSGROUPS='corpus', TUTORIAL_GROUPS='corpus',
              Vocab='data', tokenize='data', by_date_split='data', TrainConfig='train', TrainingError='train',
              plot_history='train', NewsClassifier='classifier', TokenConfig='classifier', PRESETS='classifier',
              calibrated_fit='classifier', ModelError='persist', metrics='evaluate', load_results='benchmark')
__all__ = list(_NAMES)

def __getattr__(name):
    if name not in _NAMES: raise AttributeError(f"module 'newsclf' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f'newsclf.{_NAMES[name]}'), name)

def __dir__(): return sorted([*globals(), *_NAMES])
