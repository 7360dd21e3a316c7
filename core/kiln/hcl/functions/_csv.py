"""Go's ``encoding/csv`` reader (default settings): records, empty-line skipping, quote rules and
``ParseError`` messages, which csvdecode shows to users."""

from __future__ import annotations


class CSVError(Exception):
    pass


def _parse_error(start_line: int, line: int, col: int, err: str) -> CSVError:
    if start_line != line:
        return CSVError(f"record on line {start_line}; parse error on line {line}, column {col}: {err}")
    return CSVError(f"parse error on line {line}, column {col}: {err}")


_BARE = 'bare " in non-quoted-field'
_QUOTE = 'extraneous or missing " in quoted-field'


class Reader:
    def __init__(self, text: str, fields_per_record: int = 0) -> None:
        self.lines = text.splitlines(keepends=True) if text else []
        self.pos = 0
        self.num_line = 0
        self.fields_per_record = fields_per_record

    def _read_line(self) -> str | None:
        if self.pos >= len(self.lines):
            return None
        line = self.lines[self.pos]
        self.pos += 1
        self.num_line += 1
        # splitlines also splits on \r, \v, \f...: Go only splits on \n; glue those pieces back
        while not line.endswith("\n") and self.pos < len(self.lines):
            line += self.lines[self.pos]
            self.pos += 1
        if line.endswith("\r\n"):
            line = line[:-2] + "\n"
        elif line.endswith("\r") and self.pos >= len(self.lines):
            line = line[:-1]
        return line

    def read(self) -> list[str] | None:
        """The next record, or None at the end of input."""
        while True:
            line = self._read_line()
            if line is None:
                return None
            if line not in ("\n", ""):
                break
        rec_line = self.num_line
        fields: list[str] = []
        col = 1  # 1-based byte column of the start of ``line``'s remainder
        rest = line
        while True:
            if not rest.startswith('"'):
                end = rest.find(",")
                field = rest if end < 0 else rest[:end]
                field = field[:-1] if end < 0 and field.endswith("\n") else field
                q = field.find('"')
                if q >= 0:
                    raise _parse_error(rec_line, self.num_line, col + len(field[:q].encode()), _BARE)
                fields.append(field)
                if end < 0:
                    break
                col += len(rest[: end + 1].encode())
                rest = rest[end + 1 :]
                continue
            # quoted field
            rest = rest[1:]
            col += 1
            buf: list[str] = []
            while True:
                q = rest.find('"')
                if q >= 0:
                    buf.append(rest[:q])
                    col += len(rest[: q + 1].encode())
                    rest = rest[q + 1 :]
                    nxt = rest[:1]
                    if nxt == '"':
                        buf.append('"')
                        rest = rest[1:]
                        col += 1
                        continue
                    if nxt == ",":
                        rest = rest[1:]
                        col += 1
                        fields.append("".join(buf))
                        break
                    if rest in ("\n", ""):
                        fields.append("".join(buf))
                        return self._check(fields, rec_line)
                    raise _parse_error(rec_line, self.num_line, col - 1, _QUOTE)
                if rest:
                    buf.append(rest)
                    nxt_line = self._read_line()
                    if nxt_line is None:
                        raise _parse_error(rec_line, self.num_line, col + len(rest.encode()), _QUOTE)
                    rest = nxt_line
                    col = 1
                    continue
                raise _parse_error(rec_line, self.num_line, col, _QUOTE)
        return self._check(fields, rec_line)

    def _check(self, fields: list[str], rec_line: int) -> list[str]:
        if self.fields_per_record > 0 and len(fields) != self.fields_per_record:
            raise CSVError(f"record on line {rec_line}: wrong number of fields")
        if self.fields_per_record == 0:
            self.fields_per_record = len(fields)
        return fields
