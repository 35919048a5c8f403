"""Sphinx configuration: Markdown pages (MyST), the reference generated from the code."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import legacy_coro  # noqa: E402  (installed in the docs env)

project = "legacy_coro"
author = "legacy_coro contributors"
copyright = "legacy_coro contributors"  # noqa: A001 (Sphinx's name)
release = version = legacy_coro.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "lcdocs",  # writes _generated/ from the code before the pages are read
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "requirements.txt", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["deflist", "colon_fence"]
smartquotes = False  # options are spelt --diff, not –diff
myst_heading_anchors = 3  # `page.md#a-heading` links are checked like page links

# Every warning is an error (tox -e docs: sphinx-build -W -n): a link to a page or an
# anchor that does not exist, a reference to a Python object that is not documented.
nitpicky = True
suppress_warnings: list = []

autodoc_typehints = "none"  # the docstrings say what each argument is
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"legacy_coro {release}"
html_show_sourcelink = False
