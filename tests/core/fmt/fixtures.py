"""HCL2 sources for ``kiln fmt``'s differential tests: one or more per hclwrite rule, plus a generator
that perturbs the blanks of formatted sources (Packer's output must equal kiln's on each)."""

from __future__ import annotations

import random

from kiln.fmt import format_source
from kiln.fmt.tokens import scan

FIXTURES: dict[str, str] = {
    # alignment of "=" in runs of single-line attributes
    "align_run": 'a = 1\nbbb = 2\ncc="x"\n',
    "align_broken_by_blank": "a = 1\nbbbbbb = 2\n\nc = 3\ndd = 4\n",
    "align_broken_by_comment_line": "a = 1\n# note\nbbbbbb = 2\n",
    "align_broken_by_block": "a = 1\nb {\nxx = 1\ny = 2\n}\nccccc = 3\n",
    "align_broken_by_multiline_value": "a = [\n1,\n]\nbbbb = 2\nc = {\nk = 1\n}\ndd = 3\n",
    "align_nested_blocks": 'source "null" "x" {\ncommunicator = "none"\nx {\ny {\nzz = 1\nz = 2\n}\n}\n}\n',
    "align_unicode_names": 'é = 1\nnaïve = 2\ncafé = "ça"\n',
    "align_long_name": "a = 1\nthis_is_a_rather_long_attribute_name = 2\nb = 3\n",
    # indentation by bracket nesting
    "indent_blocks": "a {\nb {\nc {\nd = 1\n}\n}\n}\n",
    "indent_over_indented": "        a {\n            b = 1\n        }\n",
    "indent_tabs": "a {\n\tb = 1\n\t\tc = 2\n}\n",
    "indent_object_over_lines": "x = {\na = 1\nbb = {\nc = 2\n}\n}\n",
    "indent_tuple_over_lines": "x = [\n1,\n[\n2,\n3\n],\n]\n",
    "indent_two_openers_one_line": "x = [{\na = 1\n}]\ny = {a = [\n1,\n]}\n",
    "indent_call_over_lines": 'x = concat(\n["a"],\n["b"],\n)\ny = format("%s",\nvar.x)\n',
    "indent_closer_first": "x = {\na = 1 }\nb = 2\n",
    "indent_unbalanced_lines": "x = [1,\n2,\n3]\n",
    # spacing between tokens
    "space_operators": "a = 1+2*3/4%5-6\nb = x==y\nc = x!=y\nd = x<y\ne = x<=y\nf = x>y\ng = x>=y\nh = x&&y||z\n",
    "space_unary": "a = -1\nb = !x\nc = -x\nd = [-1, - 2]\ne = (-1)\nf = 1 - -1\ng = x * -1\nh = !!x\n",
    "space_minus_contexts": "a = x-1\nb = f(x)-1\nc = [1]-1\nd = x ? -1 : -2\ne = {k = -1}\nf = 3 >= -1\ng = true && -1\n",
    "space_conditional": "a = x?y:z\nb = x ? y : z ? w : v\n",
    "space_calls": "a = max( 1 , 2 )\nb = f ()\nc = f(g(h(1)))\nd = f(a...)\ne = f(a, b...)\n",
    "space_index_splat": "a = x[0]\nb = x[ 0 ][1]\nc = x.*.y\nd = x[*].y\ne = x[\"k\"]\nf = x.0.y\ng = [1,2][0]\nh = f(x)[0]\n",
    "space_attr_access": "a = var . x\nb = local.a.b.c\nc = data.x.y.z\n",
    "space_objects": "a = {a=1}\nb = {}\nc = { }\nd = {a=1,b=2}\ne = {\"k\"=1}\nf = {(var.k)=1}\ng = {a:1}\n",
    "space_tuples": "a = [1,2,3]\nb = []\nc = [ ]\nd = [1,[2,[3]]]\ne = [1,2,]\n",
    "space_for_expressions": "a = [for x in var.l: x]\nb = [for i,x in var.l: x if i>0]\nc = {for k,v in var.m: k=>v}\n"
                             "d = {for k,v in var.m: k=>v...}\ne = [for x in [1,2]: x]\nf = [for x in{a=1}: x]\n",
    "space_parens": "a = (1+2)*3\nb = ((1))\nc = ( x )\n",
    "space_numbers": "a = 1.5\nb = 1e10\nc = 1.5E-3\nd = 0\ne = 1.0e+2\n",
    "space_bools_null": "a = true\nb = false\nc = null\n",
    "space_block_labels": 'source   "a"    "b"   {\n}\nbuild{\n}\nlocals   {\n}\nvariable x {\n}\n',
    "space_single_line_block": "a { b = 1 }\nc {}\nd { }\n",
    "space_keyword_in": "a = [for in in var.x: in]\nb = [for x in var.in: x]\n",
    # template strings
    "template_interpolation": 'a = "${var.x}"\nb = "a ${ var.x } b"\nc = "${var.x}${var.y}"\nd = "x${ upper( "y" ) }z"\n',
    "template_directives": 'a = "%{ if var.x }yes%{ else }no%{ endif }"\nb = "%{for x in var.l}${x},%{endfor}"\n',
    "template_strip_markers": 'a = "${~ var.x ~}"\nb = "%{~ if true ~}x%{~ endif ~}"\n',
    "template_escapes": 'a = "$${literal} %%{literal} \\"q\\" \\\\ \\n \\t \\u00e9"\nb = "$"\nc = "100%"\nd = "$$"\n',
    "template_object_interp": 'a = "${ {a=1} }"\nb = "${{a=1}}"\n',
    "template_nested": 'a = "${"${"x"}"}"\nb = "${f("a${var.b}c")}"\n',
    "template_spaces_inside_literal": 'a = "  lots   of   space  "\nb = "tab\there"\n',
    # heredocs
    "heredoc_plain": "a = <<EOF\n  keep   this\n    and this\nEOF\nb = 1\n",
    "heredoc_indented": "x {\na = <<-EOT\n      indented\n    text\n    EOT\nbb = 2\n}\n",
    "heredoc_interpolation": "a = <<EOF\nhello ${ var.name }\n%{ if true }yes%{ endif }\nEOF\n",
    "heredoc_in_call": 'a = trimspace(<<EOF\n  x\nEOF\n)\nb = 1\n',
    "heredoc_marker_indented": "a {\n  b = <<EOT\n  text\n  EOT\n}\n",
    "heredoc_empty": "a = <<EOF\nEOF\n",
    "heredoc_two": "a = <<A\nx\nA\nbb = <<B\ny\nB\n",
    "heredoc_dollar_percent": "a = <<EOF\ncost: 5$ and 10% $${x} %%{y}\nEOF\n",
    # comments of all three kinds
    "comment_hash": "# top\na = 1 # trailing\nbb = 2 # another\n",
    "comment_slashes": "// top\na = 1 // trailing\n",
    "comment_block": "/* top */\na = 1 /* after */\n/*\n multi\n line\n*/\nb = 2\n",
    "comment_align_run": 'a = 1 # x\nbbbbb = "long" # y\nc = true # z\n\nd = 1 # w\n',
    "comment_align_blocks": "x {\na = 1 # c\n}\ny = 2 # d\n",
    "comment_after_block_open": "x { # open\na = 1\n} # close\n",
    "comment_in_tuple": "a = [\n1, # one\n22, # two\n]\n",
    "comment_only_lines_indented": "x {\n# inside\n     // also\n/* and */\na = 1\n}\n",
    "comment_block_midline": "a = /* mid */ 1\nb = [1, /* two */ 2]\n",
    "comment_between_attrs": "a = 1\n# c\n\n# d\nb = 2\n",
    "comment_at_eof_no_newline": "a = 1 # end",
    "comment_hash_inside_block_comment": "/* # not a line comment */\na = 1\n",
    # blank lines, trailing whitespace, file ends
    "blank_lines_many": "a = 1\n\n\n\nb = 2\n\n\n",
    "trailing_spaces": "a = 1   \nb = 2\t\n  \n",
    "no_final_newline": "a = 1",
    "trailing_spaces_at_eof": "a = 1   ",
    "leading_blank_lines": "\n\n\na = 1\n",
    "empty": "",
    "only_newlines": "\n\n",
    "only_spaces": "   ",
    "only_comment": "# just a comment\n",
    "crlf": "a = 1\r\nbb = 2\r\nx {\r\nc=3\r\n}\r\n",
    "crlf_heredoc": "a = <<EOF\r\n  x\r\nEOF\r\nb = 1\r\n",
    "bom": "\ufeffa = 1\nbb = 2\n",
    # real-world Packer templates
    "packer_full": '''packer {
required_plugins {
amazon = {
version = ">= 0.0.1"
source = "github.com/hashicorp/amazon"
}
}
}

variable "region" {
  type =  string
  default = "us-east-1"
  sensitive = false
}

variable "tags" {
type = map(string)
default = {
Name = "x"
"Other key" = "y"
}
}

locals {
timestamp = regex_replace(timestamp(), "[- TZ:]", "")
names = [for n in var.names: upper(n)]
}

source "amazon-ebs" "example" {
ami_name = "learn-packer-${local.timestamp}"
instance_type = "t2.micro"
region = var.region
source_ami_filter {
filters = {
name = "ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*"
root-device-type = "ebs"
virtualization-type = "hvm"
}
most_recent = true
owners = ["099720109477"]
}
ssh_username = "ubuntu"
}

build {
sources = ["source.amazon-ebs.example"]

provisioner "shell" {
inline = [
"echo Installing Redis",
"sleep 30",
]
}

post-processor "manifest" {}
}
''',
    "pkrvars_style": 'region = "eu-west-1"\ninstance_count = 3\nami_tags = {a="b"}\nlist = ["a","b"]\n',
    "dynamic_block": 'source "null" "x" {\ndynamic "tag" {\nfor_each = var.tags\ncontent {\nkey = tag.key\nvalue = tag.value\n}\n}\n}\n',
    "type_constraints": "variable \"x\" {\ntype = object({a=string, b=list(number)})\n}\nvariable \"y\" {\ntype = map(any)\n}\n",
    "long_line_expression": "a = var.x == \"a\" ? \"first\" : var.x == \"b\" ? \"second\" : var.y != null ? var.y : \"last\"\n",
    "object_multi_line_commas": "a = {\nx = 1,\nyy = 2,\n}\nb = {\nk: 1\nkk: 2\n}\n",
    "attr_value_ends_line_with_open_bracket": "a = [1,\n2]\nbbbb = 3\n",
    "mixed_everything": 'x "y" {\na = 1 # one\nbbb = [1, 2] // two\nc = {\nd = "${e}"\n}\nf = <<EOF\n  g\nEOF\nh = -1\n}\n',
}

FIXTURES.update({
    "comment_align_unicode": 'a = 1 # x\nbbbb = "ǘ" # y\ncc = "😀👍🏽🇩🇪" # z\nd = "한국어" # w\ne = "é" # v\n'
                             'f = "👨‍👩‍👧" # u\ng = "\\u00e9x" # t\nh = "ᄀ각" # s\n',
    "crlf_comments": "a = 1 # c\r\nbb = 2 // d\r\n/* e */\r\nc = 3\r\n",
    "interp_over_lines": 'a = "${\n1}"\nb = <<EOF\n${\nvar.x\n}\nEOF\n',
    "heredoc_in_aligned_run": "a = 1\nbbbbbbbbb = <<EOF\nx\nEOF\nc = 2 # k\ndd = 3 # l\n",
    "comment_block_then_line": "a = 1 /* x */ # y\nbb = 2 # z\n",
    "single_line_block_attr": "x { a = 1 }\nyy = 2\n",
    "equals_in_value": "a = b == c\nbb = { c = 1 }\n",
})

# Sources Packer refuses to format (they do not parse): kiln must refuse each too.
BAD: dict[str, str] = {
    "missing_value": "a = \n",
    "unclosed_brace": "x {\na = 1\n",
    "extra_brace": "a = 1\n}\n",
    "unclosed_string": 'a = "x\n',
    "semicolon": "a = 1;\n",
    "single_quotes": "a = 'x'\n",
    "redefined": "a = 1\na = 2\n",
    "two_on_a_line": "a = 1 b = 2\n",
    "unterminated_block_comment": "a = 1 /* x\n",
    "heredoc_no_marker": "a = <<EOF\nx\n",
    "heredoc_marker_at_eof": "a = <<EOF\nx\nEOF",
    "open_at_eof": "a = {",
    "binary_at_eof": "a = 1 +\n",
    "tuple_without_comma": "a = [1 2]\n",
    "object_without_separator": "a = {a = 1 b = 2}\n",
    "single_line_block_two_args": "x { a = 1\nb = 2 }\n",
    "unclosed_interp": 'a = "${x"\n',
    "bad_for": "a = [for x in y]\n",
    "block_no_body": 'source "a" "b"\n',
    "bitwise": "a = 1 & 2\n",
    "ampersand_label": "x & {\n}\n",
}


def _join_safe(a: str, b: str) -> bool:
    """Whether two token texts scan as the same two tokens without a blank between them."""
    toks = scan(a + b)
    return [x.text for x in toks[:-1]] == [a, b]


# A token lexed inside a template or heredoc owns its blanks (they are literal text): never touch them.
_TEXT = {"QuotedLit", "StringLit", "CQuote", "CHeredoc"}
_TEMPLATE_OPEN = {"OQuote", "QuotedLit", "StringLit", "TemplateSeqEnd", "OHeredoc"}


def perturb(text: str, rnd: random.Random) -> str:
    """``text`` with its blanks between tokens changed at random (none, several spaces, tabs), extra blank
    lines and trailing blanks; the tokens and so the meaning stay the same."""
    tokens = scan(text)
    out: list[str] = []
    prev = None
    for tok in tokens:
        spaces = " " * tok.spaces
        movable = prev is not None and tok.kind not in _TEXT and not (
            tok.kind in ("TemplateInterp", "TemplateControl") and prev.kind in _TEMPLATE_OPEN)
        if prev is None and tok.kind not in _TEXT:
            movable = True
        if movable:
            choice = rnd.random()
            if choice < 0.3:
                spaces = ""
            elif choice < 0.6:
                spaces = " " * rnd.randint(1, 4)
            elif choice < 0.7:
                spaces = "\t"
            if not spaces and prev is not None and not _join_safe(prev.text, tok.text):
                spaces = " "
        out.append(spaces + tok.text)
        if tok.kind == "Newline" and prev is not None and prev.kind == "Newline" and rnd.random() < 0.3:
            out.append("\n")
        prev = tok
    return "".join(out)


def generated(n: int, seed: int = 166) -> dict[str, str]:
    rnd = random.Random(seed)
    names = sorted(FIXTURES)
    out = {}
    for i in range(n):
        base = names[i % len(names)]
        out[f"gen{i:03d}_{base}"] = perturb(format_source(FIXTURES[base]), rnd)
    return out


FIXTURES.update({
    "indent_asymmetric_brackets": "x = [[\n[\n1\n]]\n]\ny = 2\n",
    "comment_after_empty_block_aligned": 'blk {} # c\nval = 1 # d\nlonger_name = "s" # e\n',
    "comment_after_multiline_parens": 'a = 1 # c\nb = (\n"v"\n) # d\nc = "w" # e\n',
    "comment_inside_empty_collections": "x {\nobj = {\n# nothing\n}\nlist = [\n// nothing\n]\n}\n",
    "heredoc_blocks_around": 'x {\nbody = <<EOT\n  a = b\nEOT\nother = <<-EOT\n  c\n  EOT\n}\ny {\nk="v"\n}\n',
    "heredoc_object_interp": "x {\nv = <<-EOT\n  ${{ key = 1 }}\n  ${a}${b}${ c } ${d}\n  EOT\n}\n",
    "call_args_lines_with_minus": "v = f(\n1,\n- 2,\na*b,\n)\n",
    "interp_over_lines_in_block": 'x {\nv = "${\nvar.a\n}"\n}\n',
})


FIXTURES.update({
    "ident_unicode": "cafe\u0301 = 1\nb = 2 # c\n\u216b = 3\na\u00b7 = 4\na\u203fb = 5\n\u00aa = 6\n\u00fc = 7\n",
    "tabs_and_crlf": "a\t=\t1\r\nbb\t= [1,\t2]\r\n",
    "crlf_heredoc_interp": "a = <<EOF\r\n  x ${y}\r\nEOF\r\nb = \"s\"\r\n",
    "heredoc_directive_lines": "a = <<EOF\n%{ for x in y ~}\n  ${x}\n%{ endfor ~}\nEOF\n",
    "comment_in_multiline_tuple": "a = [\n1, /* c */\n2\n]\n",
    "comment_at_eof_after_block": "x {\n} # c",
    "comment_leading_the_line": "/* c */ a = 1\nbbbbbbbbbbbbbb = 2\n",
    "long_line": "a = [" + ", ".join(str(i) for i in range(300)) + "]\n",
    "bom_crlf": "\ufeffa = 1\r\nbb = 2\r\n",
    "columns_of_scripts": 'a = "\u6f22\u5b57" # c\nb = "\u0928\u092e\u0938\u094d\u0924\u0947" # d\n'
                          'c = "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35" # e\nd = "\u1100\u1161\u11a8" # f\nee = 1 # g\n',
    "columns_of_emoji": 'a = "\U0001f3f3\ufe0f\u200d\U0001f308" # c\nb = "\U0001f1fa\U0001f1f8\U0001f1ec\U0001f1e7" # d\n'
                        'c = "\U0001f44b\U0001f3ff\U0001f44b" # e\nd = "1\ufe0f\u20e3#\ufe0f\u20e3" # f\nee = 1 # g\n',
    "columns_of_odd_characters": 'a = "\u00a0\t" # c\nb = 1 # d\x07\ncc = 2 # e\rx\nd = "x\u0301\u0302" # f\n',
    "heredoc_in_interpolation": 'a = "${<<EOF\nx\nEOF\n}"\n',
    "template_edge_escapes": 'a = "${{}}"\nb = "x$"\nc = "%"\nd = "%%{x}"\ne = <<EOF\n\\n $$ %% $${\nEOF\n',
})
BAD["ident_superscript"] = "a\u00b2 = 1\n"  # "²" is a number, not ID_Continue

FIXTURES.update({
    "call_trailing_comma": "a = f(1,)\n",
    "block_label_ident_mixed": 'x a "b" {\n}\n',
    "object_key_number": "a = {1 = 2}\n",
    "object_key_template": 'a = {"${x}" = 2}\n',
})
BAD.update({
    "double_comma_tuple": "a = [1,,2]\n",
    "double_comma_object": "a = {a = 1,, b = 2}\n",
    "dot_dot": "a = x..y\n",
    "open_index": "a = x[\n",
    "half_conditional": "a = 1 ? 2\n",
    "bang_alone": "a = !\n",
    "empty_interp": 'a = "${}"\n',
    "if_without_endif": 'a = "%{ if x }y"\n',
    "endif_alone": 'a = "%{ endif }"\n',
    "for_without_endfor": 'a = "%{ for x in y }z"\n',
    "heredoc_no_newline": "a = <<EOF",
    "unclosed_label": 'x "a {\n}\n',
    "labels_then_equals": 'x "a" "b" = 1\n',
    "quoted_attr_name": '"quoted" = 1\n',
    "dotted_attr_name": "a.b = 1\n",
    "number_attr_name": "1 = 2\n",
    "two_blocks_one_line": "x { } y { }\n",
    "extra_close": "x {\n}}\n",
    "paren_tuple": "a = (1, 2)\n",
    "for_if_empty": "a = [for x in y: x if]\n",
    "object_for_without_arrow": "a = {for x in y: x}\n",
    "tuple_for_with_arrow": "a = [for x in y: x => x]\n",
    "splat_open": "a = x[*][\n",
    "ellipsis_mid": "a = f(x...,y)\n",
    "exponent_alone": "a = 1e\n",
    "hex": "a = 0x10\n",
    "bad_escape": 'a = "\\q"\n',
    "bad_unicode_escape": 'a = "\\u12"\n',
    "minus_alone": "a = -\n",
    "tilde": "a = ~x\n",
    "pipe": "a = 1 | 2\n",
    "lone_cr": "a = 1\rb = 2\n",
    "equals_next_line": "a = b\n= c\n",
    "close_comment_alone": "/* a */ */\n",
    "for_missing_in": "a = [for x y: x]\n",
    "attr_after_single_line_block": "x { a = 1 } b = 2\n",
    "nested_single_line_block": "x { y { a = 1 } }\n",
    "directive_unclosed_in_heredoc": "a = <<EOF\n%{ if true }\nEOF\n",
    "interp_unclosed_in_heredoc": "a = <<EOF\n${x\nEOF\n",
    "strip_marker_alone": 'a = "${~}"\n',
    "else_twice": 'a = "%{ if x }a%{ else }b%{ else }c%{ endif }"\n',
    "colon_attr": "a: 1\n",
    "question_chain": "a = x ? y : z ? w\n",
    "section_sign": "a = 1 \u00a7\n",
    "nul_char": "a = 1\x00\n",
    "label_at_eof": 'x "a',
    "label_line_end": 'x "a\n',
    "label_interp_line_end": 'x "a${b}\n}\n',
    "second_label_line_end": 'x "a" "b\n{\n}\n',
    "single_line_block_newline": "x { a = 1\n}\n",
    "single_line_block_other": "x { a = 1 ) }\n",
    "single_line_block_label": 'x { y "l" }\n',
    "single_line_block_number": "x { 1 = 2 }\n",
})

# -- random templates: structures the hand-written fixtures do not combine ----------------------------

class _Gen:
    """A random, valid HCL2 body in a random layout (bracketed values over lines or not, comments, blank
    lines, odd spacing), for Packer to format: whatever hclwrite does with it, kiln must do too."""

    NAMES = ["a", "bb", "name", "instance_type", "x_1", "ami-name", "long_attribute_name", "é"]

    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd

    def sp(self) -> str:
        return self.r.choice(["", "", " ", " ", "  ", "\t"])

    def comment(self) -> str:
        return self.r.choice(["# c", "// note", "/* b */", "#", "# ünïcödé 😀"])

    def expr(self, depth: int, multiline: bool = True) -> str:
        r = self.r
        kinds = ["num", "str", "ref", "bool"] + (["bin", "un", "cond", "call", "tuple", "obj", "tmpl", "for",
                                                  "splat", "paren", "idx"] if depth > 0 else [])
        k = r.choice(kinds)
        s, d = self.sp, depth - 1
        if k == "num":
            return r.choice(["1", "0", "42", "1.5", "1e3", "-1"])
        if k == "str":
            return r.choice(['"x"', '""', '"with  spaces"', '"ü"', '"a\\"b"', '"$${x}"', '"100%"'])
        if k == "ref":
            return r.choice(["var.x", "local.y.z", "data.a.b.c", "x", "var.list[0]", "each.value"])
        if k == "bool":
            return r.choice(["true", "false", "null"])
        if k == "bin":
            op = r.choice(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"])
            before = (s() or " ") if op == "-" else s()  # "x-1" would be one identifier
            return f"{self.expr(d, False)}{before}{op}{s()}{self.expr(d, False)}"
        if k == "un":
            return f"{r.choice(['-', '!'])}{s()}{r.choice(['x', 'var.y', '(1)', '1'])}"
        if k == "cond":
            return f"{self.expr(d, False)}{s()}?{s()}{self.expr(d, False)}{s()}:{s()}{self.expr(d, False)}"
        if k == "paren":
            return f"({s()}{self.expr(d, False)}{s()})"
        if k == "idx":
            return f"{r.choice(['x', 'var.m', 'f()', '[1, 2]'])}[{s()}{self.expr(d, False)}{s()}]"
        if k == "splat":
            return r.choice(["x[*].id", "var.l.*.name", "x[*]", "f(x)[*].a"])
        if k == "tmpl":
            inner = self.expr(d, False)
            return r.choice([f'"a ${{{s()}{inner}{s()}}} b"', f'"${{{inner}}}"', f'"%{{ if {inner} }}y%{{ endif }}"',
                             f'"${{~{s()}{inner}{s()}~}}x"'])
        if k == "for":
            body = self.expr(d, False)
            if r.random() < 0.5:
                return f"[for{s() or ' '}v in{s() or ' '}{self.expr(d, False)}{s()}:{s()}{body}]"
            return f"{{for k,{s()}v in var.m{s()}:{s()}k{s()}=>{s()}{body}{' if v != null' if r.random() < .3 else ''}}}"
        items = [self.expr(d, multiline) for _ in range(r.randint(0, 3))]
        over_lines = multiline and items and r.random() < 0.5
        if k == "call":
            fn = r.choice(["f", "max", "concat", "format", "lookup"])
            if over_lines:
                return f"{fn}(\n" + "".join(f"{it},{self.tail()}\n" for it in items) + ")"
            return f"{fn}({s()}" + f",{s()}".join(items) + (r.choice(["", "..."]) if items else "") + f"{s()})"
        if k == "tuple":
            if over_lines:
                return "[\n" + "".join(f"{it},{self.tail()}\n" for it in items) + "]"
            return f"[{s()}" + f",{s()}".join(items) + f"{s()}]"
        pairs = [(r.choice(self.NAMES[:5] + ['"quoted key"', "(var.k)"]), it) for it in items]
        pairs = list({k: v for k, v in pairs}.items())
        if over_lines:
            eq = r.choice(["=", ":"])
            return "{\n" + "".join(f"{k}{s()}{eq}{s()}{v}{r.choice(['', ','])}{self.tail()}\n" for k, v in pairs) + "}"
        return f"{{{s()}" + f",{s()}".join(f"{k}{s()}={s()}{v}" for k, v in pairs) + f"{s()}}}"

    def tail(self) -> str:
        return f"{self.sp()} {self.comment()}" if self.r.random() < 0.25 else self.r.choice(["", " ", "  "])

    def heredoc(self) -> str:
        marker = self.r.choice(["EOF", "EOT"])
        lines = self.r.choice([["plain text", "  indented"], ["${var.x} and ${ local.y }", "%{ if true }x%{ endif }"],
                               ["", "  a = b  "]])
        if self.r.random() < 0.5:
            return f"<<-{marker}\n" + "".join(f"    {ln}\n" for ln in lines) + f"  {marker}"
        return f"<<{marker}\n" + "".join(f"{ln}\n" for ln in lines) + marker

    def body(self, depth: int, indent: str = "") -> str:
        r, out, names = self.r, [], set()
        for _ in range(r.randint(1, 6)):
            c = r.random()
            lead = r.choice(["", indent, indent + "  ", " "])
            if c < 0.5:
                name = r.choice([n for n in self.NAMES if n not in names] or ["zz"])
                names.add(name)
                if r.random() < 0.1:  # nothing may follow a heredoc's closing marker on its line
                    out.append(f"{lead}{name}{self.sp()}={self.sp()}{self.heredoc()}\n")
                else:
                    out.append(f"{lead}{name}{self.sp()}={self.sp()}{self.expr(2)}{self.tail()}\n")
            elif c < 0.7 and depth > 0:
                labels = "".join(f' "{label}"' for label in r.sample(["null", "a", "b c", "ü"], r.randint(0, 2)))
                typ = r.choice(["source", "build", "provisioner", "nested", "dynamic"])
                if r.random() < 0.2:
                    out.append(f"{lead}{typ}{labels}{self.sp()}{{{self.sp()}}}{self.tail()}\n")
                else:
                    out.append(f"{lead}{typ}{labels}{self.sp()}{{{self.tail()}\n{self.body(depth - 1, indent + '  ')}"
                               f"{lead}}}{self.tail()}\n")
            elif c < 0.8:
                out.append(f"{lead}{self.comment()}\n")
            elif c < 0.9:
                out.append("\n" * r.randint(1, 3))
            else:
                name = r.choice([n for n in self.NAMES if n not in names] or ["zz"])
                names.add(name)
                out.append(f"{lead}{name} = {self.expr(3)}\n")
        return "".join(out)


def random_templates(n: int, seed: int = 1606) -> dict[str, str]:
    rnd = random.Random(seed)
    return {f"rnd{i:03d}": _Gen(rnd).body(3) for i in range(n)}


# -- columns: strings of characters from scripts, marks, joiners and emoji, then aligned comments ---------

_SCRIPT_RANGES = [
    (0x300, 0x36F), (0x400, 0x4FF), (0x900, 0x9FF), (0x980, 0xAFF), (0xB00, 0xDFF), (0xE00, 0xEFF), (0x1000, 0x109F),
    (0x1100, 0x11FF), (0x1780, 0x17FF), (0x1A00, 0x1AFF), (0x1B00, 0x1BFF), (0xA900, 0xA9FF), (0xAA00, 0xAA7F),
    (0xAC00, 0xAD00), (0xD7B0, 0xD7FF), (0x1F300, 0x1F6FF), (0x1F900, 0x1F9FF), (0x1F1E6, 0x1F1FF), (0x200B, 0x200F),
    (0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF), (0x600, 0x6FF), (0x700, 0x8FF), (0xF00, 0xFFF), (0x20D0, 0x20FF),
    (0x590, 0x5FF), (0x11000, 0x111FF), (0x11A00, 0x11AFF), (0x11D00, 0x11DFF), (0xE0000, 0xE007F), (0xA0, 0xFF),
    (0x2600, 0x27BF), (0x1D100, 0x1D1FF), (0x3000, 0x303F), (0xFF00, 0xFFEF),
]


def unicode_columns(n: int, seed: int = 12) -> dict[str, str]:
    """Runs of attributes whose strings mix characters of many scripts, marks, joiners and emoji, each with
    a trailing comment: the comments' column is the longest line's count of grapheme clusters."""
    import unicodedata

    rnd = random.Random(seed)
    out = {}
    for f in range(n):
        lines = []
        for i in range(6):
            text = ""
            for _ in range(rnd.randint(1, 5)):
                c = chr(rnd.randint(*rnd.choice(_SCRIPT_RANGES)))
                if unicodedata.category(c) not in ("Cs", "Cn", "Co", "Zl", "Zp") and c not in '"\\$%\x85':
                    text += c
            lines.append(f'a{i} = "{text}" # c')
        out[f"uni{f:03d}"] = "\n".join(lines) + "\n"
    return out
