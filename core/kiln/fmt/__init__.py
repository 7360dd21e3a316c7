"""``packer fmt``'s canonical layout: hclwrite's ``Format`` (HCL v2.6.0, as in Packer 1.6.6).

``format_source(text)`` returns the formatted text. Like hclwrite it works on tokens and changes only
the blanks between them, so it never changes what a template means, and it does not need the text to
parse (``kiln fmt`` refuses files that do not parse before it formats them, as Packer does).

Modules: ``tokens`` (hclsyntax's token stream, comments included), ``layout`` (indentation, spacing and
alignment rules), ``graphemes`` (the column count hclwrite aligns by), ``files`` (which files ``fmt``
formats, and how it reports and writes them).
"""

from __future__ import annotations

from kiln.fmt.layout import format_tokens, render
from kiln.fmt.tokens import scan

__all__ = ["format_source"]


def format_source(text: str) -> str:
    """``text`` in hclwrite's canonical layout."""
    tokens = scan(text)
    format_tokens(tokens)
    return render(tokens)
