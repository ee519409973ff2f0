"""Text for readers built from the data: every value escaped, every number formatted by its template."""

from __future__ import annotations

import html

from IPython.display import Markdown


def escape(text: object) -> str:
    """HTML-escape text from the data before it goes into Markdown.

    >>> escape("St Alban's <b>")
    'St Alban&#x27;s &lt;b&gt;'
    """
    return html.escape(str(text), quote=True)


def md(template: str, **values: object) -> Markdown:
    """Markdown from a template; every text value is escaped, numbers formatted by the template.

    >>> md("**{name}**: {v:+.2f}", name="A & B", v=0.1).data
    '**A &amp; B**: +0.10'
    """
    safe = {k: (escape(v) if isinstance(v, str) else v) for k, v in values.items()}
    return Markdown(template.format(**safe))


def note(text: str) -> Markdown:
    """A note for the reader (nothing when ``text`` is empty).

    >>> note("Showing URN 2 instead.").data
    '> Showing URN 2 instead.'
    """
    return Markdown(f"> {escape(text)}" if text else "")
