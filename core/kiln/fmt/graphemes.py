"""How many columns hclwrite gives a text: its count of grapheme clusters (go-textseg, Unicode 12).

hclwrite aligns ``=`` and comments by these counts, so a name or a string with combining marks,
emoji sequences, flags or Hangul jamo counts as the user sees it. This follows UAX #29's extended
grapheme cluster rules (GB3-GB13) with the character properties taken from ``unicodedata`` and a
compact table of pictographic ranges: exact for the marks, joiners, flags and Hangul a template
holds; rare characters whose Grapheme_Cluster_Break property the categories do not tell
(Prepend, a few Other_Grapheme_Extend spacing marks) may count one column apart from Go's.
"""

from __future__ import annotations

import unicodedata

_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _SPACING, _L, _V, _T, _LV, _LVT, _PICT, _OTHER = range(14)

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
    cat = unicodedata.category(c)
    if cat in ("Mn", "Me"):
        return _EXTEND
    if cat == "Mc":
        return _SPACING
    if cat in ("Cc", "Zl", "Zp", "Cs") or (cat == "Cf" and cp not in (0x0600, 0x0601, 0x0602, 0x0603, 0x0604,
                                                                       0x0605, 0x06DD, 0x070F, 0x08E2, 0x110BD)):
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
    if k in (_EXTEND, _ZWJ, _SPACING):
        return True
    if prev == _ZWJ and after_pict_zwj:
        return True
    return prev == _RI and k == _RI and ri_run % 2 == 1
