"""How many columns hclwrite gives a text: its count of grapheme clusters (go-textseg, Unicode 12).

hclwrite aligns ``=`` and comments by these counts, so a name or a string with combining marks,
emoji sequences, flags or Hangul jamo counts as the user sees it. This follows UAX #29's extended
grapheme cluster rules (GB3-GB13) with the character properties taken from ``unicodedata`` and a
compact table of pictographic ranges, the Prepend characters, the spacing marks UAX #29 leaves out,
and the marks Unicode assigned after version 12 (Python's tables are newer than Go's; with a Python
newer than 3.11, marks of Unicode 15 and later may still join where Packer's do not).
"""

from __future__ import annotations

import unicodedata

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _SPACING, _L, _V, _T, _LV, _LVT, _PICT, _OTHER, _PREPEND = range(15)

# Grapheme_Cluster_Break=Prepend in Unicode 12 (format characters and a few vowel signs written first)
_PREPEND_CHARS = frozenset([0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x08E2, 0x0D4E,
                            0x110BD, 0x110CD, 0x111C2, 0x111C3, 0x11A3A, 0x11A84, 0x11A85, 0x11A86, 0x11A87,
                            0x11A88, 0x11A89, 0x11D46])
# Spacing marks (Mc) that UAX #29 leaves out of SpacingMark: a cluster may end before them
# Marks and format characters assigned after Unicode 12 (Python's tables know them, Go's textseg does
# not: there they are unassigned, so they break clusters). Made from Perl's Unicode 14 tables: the
# characters not in Age=12.0 that this module would not count as ordinary; the emoji among them were
# already pictographic (reserved) in Unicode 12 and are left out.
_AFTER_12 = (
    (0x0890, 0x0891), (0x0898, 0x089F), (0x08CA, 0x08D2), (0x0B55, 0x0B55), (0x0C3C, 0x0C3C), (0x0D81, 0x0D81),
    (0x1715, 0x1715), (0x180F, 0x180F), (0x1ABF, 0x1ACE), (0x1DFA, 0x1DFA), (0xA82C, 0xA82C), (0x10EAB, 0x10EAC),
    (0x10F82, 0x10F85), (0x11070, 0x11070), (0x11073, 0x11074), (0x110C2, 0x110C2), (0x111CE, 0x111CF),
    (0x11930, 0x11935), (0x11937, 0x11938), (0x1193B, 0x1193E), (0x11940, 0x11940), (0x11942, 0x11943),
    (0x16FE4, 0x16FE4), (0x16FF0, 0x16FF1), (0x1CF00, 0x1CF2D), (0x1CF30, 0x1CF46), (0x1E2AE, 0x1E2AE),
)
_NOT_SPACING = frozenset([0x102B, 0x102C, 0x1038, 0x1062, 0x1063, 0x1064, 0x1067, 0x1068, 0x1069, 0x106A,
                          0x106B, 0x106C, 0x106D, 0x1083, 0x1087, 0x1088, 0x1089, 0x108A, 0x108B, 0x108C,
                          0x108F, 0x109A, 0x109B, 0x109C, 0x1A61, 0x1A63, 0x1A64, 0xAA7B, 0xAA7D, 0x11720,
                          0x11721])

_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)


def _kind(c: str) -> int:
    cp = ord(c)
    if cp < 0x7F:
        return _CR if cp == 13 else _LF if cp == 10 else _CONTROL if cp < 0x20 else _OTHER
    if cp == 0x200D:
        return _ZWJ
    if cp == 0x200C or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F or 0xFF9E <= cp <= 0xFF9F:
        return _EXTEND
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _T
    if cp in _PREPEND_CHARS:
        return _PREPEND
    if 0x0890 <= cp <= 0x1E2AE and any(lo <= cp <= hi for lo, hi in _AFTER_12):
        return _OTHER
    cat = unicodedata.category(c)
    if cat in ("Mn", "Me"):
        return _EXTEND
    if cat == "Mc" or cp in (0x0E33, 0x0EB3):  # and Thai's and Lao's vowel sign AM
        return _OTHER if cp in _NOT_SPACING else _SPACING
    if cat in ("Cc", "Zl", "Zp", "Cs", "Cf"):
        return _CONTROL
    for lo, hi in _PICTOGRAPHIC:
        if cp < lo:
            break
        if cp <= hi:
            return _PICT
    return _OTHER


def columns(text: str) -> int:
    """The number of extended grapheme clusters in ``text``."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    count = 0
    prev = -1
    pict_zwj = False  # GB11: an ExtPict Extend* ZWJ sequence just ended
    in_pict = False
    ri_run = 0
    for c in text:
        k = _kind(c)
        if prev < 0 or not _joins(prev, k, pict_zwj and k == _PICT, ri_run):
            count += 1
        if k == _PICT:
            in_pict = True
        elif k == _ZWJ:
            pict_zwj = in_pict
            in_pict = False
        elif k != _EXTEND:
            in_pict = False
            pict_zwj = False
        ri_run = ri_run + 1 if k == _RI else 0
        prev = k
    return count


def _joins(prev: int, k: int, after_pict_zwj: bool, ri_run: int) -> bool:
    if prev == _CR and k == _LF:
        return True
    if prev in (_CR, _LF, _CONTROL) or k in (_CR, _LF, _CONTROL):
        return False
    if prev == _L and k in (_L, _V, _LV, _LVT):
        return True
    if prev in (_LV, _V) and k in (_V, _T):
        return True
    if prev in (_LVT, _T) and k == _T:
        return True
    if k in (_EXTEND, _ZWJ, _SPACING) or prev == _PREPEND:
        return True
    if prev == _ZWJ and after_pict_zwj:
        return True
    return prev == _RI and k == _RI and ri_run % 2 == 1
