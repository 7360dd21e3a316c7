"""hclwrite's ``format`` (HCL v2.6.0, the version Packer 1.6.6 is built with) over ``tokens``' stream.

Formatting changes only the blanks before tokens, in three passes over the lines of the file:

* indentation: two spaces per open bracket level, counted per line (a line that opens several brackets
  indents the next lines once, and the line that closes them all dedents once);
* spacing: between two tokens of a line, one space or none by the kinds of the two tokens (and of the
  one before, to tell a negation from a subtraction);
* alignment: the ``=`` of consecutive single-line attributes, then the trailing ``#``/``//`` comments
  of consecutive lines, start in one column.

Each line is split into up to three cells: ``lead``, ``assign`` (from the ``=`` of an attribute whose
value closes every bracket it opens) and ``comment`` (a trailing line comment). A heredoc's text lies
inside its line's lead, between tokens that never take spaces, so it comes out as it went in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln.fmt import tokens as t
from kiln.fmt.graphemes import columns
from kiln.fmt.tokens import Token

_NIL = Token("Nil", "", 0)

_OPENERS = {t.OBRACE, t.OBRACK, t.OPAREN, t.CONTROL, t.INTERP}
_CLOSERS = {t.CBRACE, t.CBRACK, t.CPAREN, t.SEQ_END}
_TEMPLATE_TEXT = {t.QUOTED_LIT, t.STRING_LIT}
# after these a minus is a negation
_NEGATION_AFTER = {
    "Nil", t.OPAREN, t.OBRACE, t.OBRACK, t.EQUAL, t.COLON, t.COMMA, t.QUESTION,
    t.PLUS, t.STAR, t.SLASH, t.PERCENT, t.MINUS,
    t.EQUAL_OP, t.NOT_EQUAL, t.GT, t.GE, t.LT, t.LE,
    t.AND, t.OR, t.BANG,
}


def _change(tok: Token) -> int:
    return 1 if tok.kind in _OPENERS else -1 if tok.kind in _CLOSERS else 0


def _ends_line(tok: Token) -> bool:
    return tok.kind == t.NEWLINE or (tok.kind == t.COMMENT and tok.text.endswith("\n"))


@dataclass
class _Line:
    lead: list[Token]
    assign: list[Token] | None = None
    comment: list[Token] | None = field(default=None)


def _width(cell: list[Token] | None) -> int:
    return sum(tok.spaces + columns(tok.text) for tok in cell) if cell else 0


def format_tokens(tokens: list[Token]) -> None:
    """Rewrite ``spaces`` of every token but EOF, in place."""
    lines = _lines(tokens)
    _indent(lines)
    _space(lines)
    _align(lines)


def _lines(tokens: list[Token]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for i, tok in enumerate(tokens):
        if tok.kind == t.EOF:
            lines.append(_Line(tokens[start:i]))
            start = -1
            break
        if _ends_line(tok):
            lines.append(_Line(tokens[start : i + 1]))
            start = i + 1
    if start >= 0:  # a fragment without EOF
        lines.append(_Line(tokens[start:]))
    for line in lines:
        lead = line.lead
        if not lead:
            continue
        if len(lead) > 1 and lead[-1].kind == t.COMMENT:
            line.comment = lead[-1:]
            line.lead = lead = lead[:-1]
        for i, tok in enumerate(lead):
            if i > 0 and tok.kind == t.EQUAL:
                if sum(_change(x) for x in lead[i:]) == 0:
                    line.assign = lead[i:]
                    line.lead = lead[:i]
                break
    return lines


def _indent(lines: list[_Line]) -> None:
    indents: list[int] = []
    for line in lines:
        if not line.lead:
            continue
        first = line.lead[0]
        if first.kind == t.NEWLINE:
            first.spaces = 0
            continue
        net = 0
        for tok in line.lead:
            net += _change(tok)
            if tok.kind == t.OHEREDOC:
                break
        for tok in line.assign or ():
            net += _change(tok)
        if net > 0:
            first.spaces = 2 * len(indents)
            indents.append(net)
            continue
        closed = -net
        while closed > 0 and indents:
            if closed > indents[-1]:
                closed -= indents.pop()
            elif closed < indents[-1]:
                indents[-1] -= closed
                closed = 0
            else:
                indents.pop()
                closed = 0
        first.spaces = 2 * len(indents)


def _space(lines: list[_Line]) -> None:
    for line in lines:
        _space_cell(line.lead)
        if line.assign:
            line.assign[0].spaces = 1
            _space_cell(line.assign)


def _space_cell(cell: list[Token]) -> None:
    last = len(cell) - 1
    for i, tok in enumerate(cell):
        if i == last:
            break  # the token after the cell's last is hclwrite's placeholder
        after = cell[i + 1]
        after.spaces = 1 if _space_after(tok, cell[i - 1] if i > 0 else _NIL, after) else 0


def _space_after(subject: Token, before: Token, after: Token) -> bool:
    sk, ak = subject.kind, after.kind
    if ak in (t.NEWLINE, "Nil"):
        return False
    if sk == t.IDENT and ak == t.OPAREN:
        return False
    if sk == t.DOT or ak == t.DOT:
        return False
    if ak in (t.COMMA, t.ELLIPSIS):
        return False
    if sk == t.COMMA:
        return True
    if sk in _TEMPLATE_TEXT or sk in (t.OQUOTE, t.OHEREDOC) or ak in _TEMPLATE_TEXT or ak in (t.CQUOTE, t.CHEREDOC):
        return False
    if sk == t.IDENT and subject.text == "in" and before.kind == t.IDENT:
        return True
    if ak == t.OBRACK and (sk in (t.IDENT, t.NUMBER) or _change(subject) < 0):
        return False
    if sk == t.MINUS:
        return before.kind not in _NEGATION_AFTER
    if sk == t.OBRACE or ak == t.CBRACE:
        return not (sk == t.OBRACE and ak == t.CBRACE)
    if sk in (t.INTERP, t.CONTROL) and ak == t.OBRACE:
        return True
    if sk == t.CBRACE and ak == t.SEQ_END:
        return True
    if sk == t.SEQ_END and ak in (t.INTERP, t.CONTROL):
        return False
    if _change(subject) > 0:
        return False
    if _change(after) < 0:
        return False
    return True


def _align(lines: list[_Line]) -> None:
    def close(chain: list[_Line], width: int, cell: str) -> None:
        for ln in chain:
            used = _width(ln.lead) + (_width(ln.assign) if cell == "comment" else 0)
            first = ln.assign if cell == "assign" else ln.comment
            assert first
            first[0].spaces = width - used + 1

    for cell in ("assign", "comment"):
        chain: list[_Line] = []
        width = 0
        for line in lines:
            if getattr(line, cell) is None:
                if chain:
                    close(chain, width, cell)
                chain, width = [], 0
                continue
            chain.append(line)
            used = _width(line.lead) + (_width(line.assign) if cell == "comment" else 0)
            width = max(width, used)
        if chain:
            close(chain, width, cell)


def render(tokens: list[Token]) -> str:
    return "".join(" " * tok.spaces + tok.text for tok in tokens)
