"""Parsing Go text/template source into a node tree (the subset Packer templates use)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.gotemplate.lexer import Item, ParseError, Token, lex


@dataclass(eq=False)
class Operand:
    kind: str  # field var dot ident literal pipe nil
    pos: int
    text: str
    value: Any = None  # field/var/ident name, literal value, or a nested Pipe
    chain: list[str] = field(default_factory=list)  # ".A.B" after a term


@dataclass(eq=False)
class Command:
    operands: list[Operand]
    pos: int

    @property
    def text(self) -> str:
        return " ".join(o.text for o in self.operands)


@dataclass(eq=False)
class Pipe:
    cmds: list[Command]
    decl: list[str] = field(default_factory=list)
    assign: bool = False  # "=" rather than ":="


@dataclass(eq=False)
class Node:
    pos: int
    end: int


@dataclass(eq=False)
class TextNode(Node):
    raw: str = ""
    trim_left: bool = False
    trim_right: bool = False
    left_owner: Node | None = None
    right_owner: Node | None = None


@dataclass(eq=False)
class ActionNode(Node):
    pipe: Pipe | None = None  # None for a comment


@dataclass(eq=False)
class BranchNode(Node):
    kind: str = "if"  # if | with | range
    pipe: Pipe | None = None
    body: list[Node] = field(default_factory=list)
    else_body: list[Node] = field(default_factory=list)


BUILTINS = frozenset({"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index",
                      "print", "printf", "println", "html", "urlquery", "js", "slice"})


class Parser:
    def __init__(self, src: str, funcs: Collection[str] | None) -> None:
        self.src = src
        self.funcs = funcs  # None: any identifier is accepted as a function name
        self.items = lex(src)
        self.i = 0
        self.vars: list[str] = ["$"]
        self.owner: dict[int, Node] = {}
        self.texts: dict[int, TextNode] = {}

    def parse(self) -> list[Node]:
        nodes, stop = self.parse_list(())
        if stop is not None:
            raise ParseError(f"unexpected {{{{{stop.tokens[0].text}}}}}", stop.pos)
        self._link_trims()
        return nodes

    def parse_list(self, stops: tuple[str, ...]) -> tuple[list[Node], Item | None]:
        nodes: list[Node] = []
        while self.i < len(self.items):
            idx, item = self.i, self.items[self.i]
            self.i += 1
            if item.kind == "text":
                t = TextNode(item.pos, item.end, item.text)
                self.texts[idx] = t
                nodes.append(t)
                continue
            if item.kind == "comment":
                nodes.append(ActionNode(item.pos, item.end))
                self.owner[idx] = nodes[-1]
                continue
            if not item.tokens:
                raise ParseError("missing value for command", item.pos)
            head = item.tokens[0]
            if head.kind == "keyword" and head.text in ("else", "end"):
                if head.text in stops:
                    self.i = idx  # the caller consumes it
                    return nodes, item
                raise ParseError(f"unexpected {{{{{head.text}}}}}", item.pos)
            if head.kind == "keyword" and head.text in ("if", "with", "range"):
                nodes.append(self._branch(idx, item, head.text))
                continue
            if head.kind == "keyword":
                raise ParseError(f"{{{{{head.text}}}}} is not supported in Packer templates", item.pos)
            node = ActionNode(item.pos, item.end, self._pipeline(item.tokens, item, decl_ok=True))
            self.owner[idx] = node
            nodes.append(node)
        return nodes, None

    def _branch(self, idx: int, item: Item, kind: str, skip: int = 1) -> BranchNode:
        depth = len(self.vars)
        node = BranchNode(item.pos, item.end, kind, self._pipeline(item.tokens[skip:], item, decl_ok=True,
                                                                  range_decl=kind == "range"))
        self.owner[idx] = node
        node.body, stop = self.parse_list(("else", "end"))
        if stop is None:
            raise ParseError("unexpected EOF", len(self.src))
        del self.vars[depth:]
        self.owner[self.i] = node
        self.i += 1
        if stop.tokens[0].text == "else":
            rest = stop.tokens[1:]
            if rest and rest[0].kind == "keyword" and rest[0].text in ("if", "with") and kind != "range":
                # "{{else if x}}": a nested branch that shares this one's {{end}}
                inner = self._branch(self.i - 1, stop, rest[0].text, skip=2)
                inner.pos = stop.pos
                node.else_body, node.end = [inner], inner.end
                return node
            if rest:
                raise ParseError(f"unexpected {rest[0].text!r} in else".replace("'", '"'), stop.pos)
            node.else_body, stop = self.parse_list(("end",))
            if stop is None:
                raise ParseError("unexpected EOF", len(self.src))
            del self.vars[depth:]
            self.owner[self.i] = node
            self.i += 1
        if len(stop.tokens) > 1:
            raise ParseError(f"unexpected {stop.tokens[1].text!r} in end".replace("'", '"'), stop.pos)
        node.end = stop.end
        return node

    def _link_trims(self) -> None:
        for idx, text in self.texts.items():
            prev, nxt = self.items[idx - 1] if idx > 0 else None, self.items[idx + 1] if idx + 1 < len(self.items) else None
            if prev is not None and prev.rtrim:
                text.trim_left, text.left_owner = True, self.owner.get(idx - 1)
            if nxt is not None and nxt.ltrim:
                text.trim_right, text.right_owner = True, self.owner.get(idx + 1)

    # -- pipelines ---------------------------------------------------------------------------------------
    def _pipeline(self, toks: list[Token], item: Item, *, decl_ok: bool, range_decl: bool = False) -> Pipe:
        pipe, i = self._pipe(toks, 0, item, decl_ok=decl_ok, range_decl=range_decl)
        if i < len(toks):
            raise ParseError(f"unexpected {toks[i].text!r} in operand".replace("'", '"'), toks[i].pos)
        return pipe

    def _pipe(self, toks: list[Token], i: int, item: Item, *, decl_ok: bool,
              range_decl: bool = False) -> tuple[Pipe, int]:
        decl: list[str] = []
        assign = False
        if decl_ok and i + 1 < len(toks) and toks[i].kind == "var":
            if toks[i + 1].kind in ("declare", "assign"):
                decl, assign = [toks[i].text], toks[i + 1].kind == "assign"
                i += 2
            elif range_decl and i + 3 < len(toks) and toks[i + 1].kind == "comma" \
                    and toks[i + 2].kind == "var" and toks[i + 3].kind == "declare":
                decl = [toks[i].text, toks[i + 2].text]
                i += 4
        cmds: list[Command] = []
        while True:
            cmd, i = self._command(toks, i, item)
            if cmds and cmd.operands[0].kind not in ("ident", "field", "var", "dot") or (
                    cmds and cmd.operands[0].kind == "dot" and not cmd.operands[0].chain):
                raise ParseError(f"non executable command in pipeline stage {len(cmds) + 1}", cmd.pos)
            cmds.append(cmd)
            if i < len(toks) and toks[i].kind == "pipe":
                i += 1
                continue
            break
        for name in decl:
            if assign:
                self._check_var(name, item.pos)
            else:
                self.vars.append(name)
        return Pipe(cmds, decl, assign), i

    def _command(self, toks: list[Token], i: int, item: Item) -> tuple[Command, int]:
        operands: list[Operand] = []
        while i < len(toks) and toks[i].kind not in ("pipe", "rparen"):
            op, i = self._operand(toks, i, item)
            operands.append(op)
        if not operands:
            raise ParseError("missing value for command", item.pos)
        return Command(operands, operands[0].pos), i

    def _operand(self, toks: list[Token], i: int, item: Item) -> tuple[Operand, int]:
        t = toks[i]
        i += 1
        if t.kind == "lparen":
            pipe, i = self._pipe(toks, i, item, decl_ok=True)
            if i >= len(toks) or toks[i].kind != "rparen":
                raise ParseError("unclosed left paren", t.pos)
            i += 1
            op = Operand("pipe", t.pos, self.src[t.pos:toks[i - 1].pos + 1], pipe)
        elif t.kind in ("string", "number", "bool"):
            op = Operand("literal", t.pos, t.text, t.value)
        elif t.kind == "ident":
            if self.funcs is not None and t.text not in self.funcs and t.text not in BUILTINS:
                raise ParseError(f'function "{t.text}" not defined', t.pos)
            op = Operand("ident", t.pos, t.text, t.text)
        elif t.kind == "var":
            self._check_var(t.text, t.pos)
            op = Operand("var", t.pos, t.text, t.text)
        elif t.kind in ("field", "dot", "nil"):
            op = Operand(t.kind, t.pos, t.text, t.value)
        else:
            raise ParseError(f"unexpected {t.text!r} in operand".replace("'", '"'), t.pos)
        while i < len(toks) and toks[i].kind == "field" and not toks[i].space_before:
            if op.kind in ("literal", "ident", "nil"):
                raise ParseError(f"unexpected . after term {op.text!r}".replace("'", '"'), toks[i].pos)
            op.chain.append(toks[i].value)
            op.text += toks[i].text
            i += 1
        return op, i

    def _check_var(self, name: str, pos: int) -> None:
        if name not in self.vars:
            raise ParseError(f'undefined variable "{name}"', pos)


def parse(src: str, funcs: Collection[str] | None = None) -> list[Node]:
    return Parser(src, funcs).parse()
