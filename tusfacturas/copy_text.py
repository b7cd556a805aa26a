"""PostgreSQL's COPY text format, for rows written in bulk (a ledger's lines): columns apart
by tabs, rows by line ends, ``\\N`` for no value."""

import io

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_value(value):
    """``value`` (text, number, date, or None or False: no value) as a column of COPY's text format."""
    if value is None or value is False:
        return NULL
    return value.translate(_ESCAPES) if isinstance(value, str) else str(value)


class LinesReader(io.TextIOBase):
    """A file whose text is made, line by line, as it is read: COPY reads lines that are
    never all in memory at once."""

    def __init__(self, lines):
        super().__init__()
        self._lines = iter(lines)
        self._buffer = []
        self._size = 0

    def readable(self):
        return True

    # A file, not a model: no super() to call.
    def read(self, size=-1):  # pylint: disable=method-required-super
        whole = size is None or size < 0
        while whole or self._size < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer.append(line)
            self._size += len(line)
        text = "".join(self._buffer)
        if whole or len(text) <= size:
            self._buffer, self._size = [], 0
            return text
        self._buffer, self._size = [text[size:]], len(text) - size
        return text[:size]
