"""Read a response the way a person does: its visible text, not its markup."""

from html.parser import HTMLParser

_INVISIBLE = {"script", "style", "template", "head"}
# Text in neighbouring inline elements runs on ("<time>…</time>, <a>…</a>"); anything
# else starts a new run of text.
_INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "img", "mark", "small", "span", "strong", "sub", "sup", "time"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in _INVISIBLE:
            self._hidden_depth += 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _INVISIBLE and self._hidden_depth:
            self._hidden_depth -= 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(response_or_html) -> str:
    """The page's text with whitespace (non-breaking spaces included) collapsed to single spaces."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    parser = _TextExtractor()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())
