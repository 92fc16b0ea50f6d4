"""Turn the bytes of a text file into text, with the declared encoding or a careful guess.

Why: open-data CSVs come from Excel as often as from databases. The GLA ward profiles, for
one, are Windows-1252 (the £ in "Median House Price (£)" is byte 0xA3). Reading them as
UTF-8 fails; reading a UTF-8 file as cp1252 silently produces mojibake. So a declared
encoding is applied strictly (a wrong declaration is an error that points at the byte),
and "detect" tries the encodings actually seen in UK public data before any statistical
guess: charset-normalizer alone calls the ward profiles cp1250, which turns £ into Ł.
"""
from __future__ import annotations

import codecs

DETECT_ORDER = ("utf-8", "cp1252")


class DecodeProblem(ValueError):
    """The bytes are not text in the given encoding; the message says where."""


def decode_text(data: bytes, encoding: str) -> tuple[str, str]:
    """Return (text, encoding used). `encoding` is a codec name or "detect".

    When UTF-8 is declared (or detected) a byte-order mark is dropped: Excel adds one and
    it would otherwise end up glued to the first column name.
    """
    if encoding == "detect":
        return _detect(data)
    name = codecs.lookup(encoding).name
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode(name), name
    except UnicodeDecodeError as exc:
        raise DecodeProblem(_describe(data, encoding, exc)) from None


def _detect(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, "utf-16")  # Excel's "Unicode text" export
    # cp1252 accepts almost any byte, so it is only a candidate for text without NULs
    # (NULs mean UTF-16/32 or binary, which cp1252 would turn into plausible-looking junk).
    candidates = DETECT_ORDER if b"\x00" not in data else DETECT_ORDER[:1]
    for candidate in candidates:
        try:
            return decode_text(data, candidate)
        except DecodeProblem:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DecodeProblem(
            f"cannot detect the text encoding (not {', '.join(DETECT_ORDER)}, and no confident "
            "guess); declare it in the catalogue"
        )
    return str(best), best.encoding


def _describe(data: bytes, encoding: str, exc: UnicodeDecodeError) -> str:
    start = exc.start
    before = data[max(0, start - 30):start].decode("latin-1", errors="replace")
    after = data[exc.end:exc.end + 10].decode("latin-1", errors="replace")
    bad = data[start:exc.end].hex(" ")
    hint = "cp1252" if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig") else "utf-8"
    return (
        f"cannot decode as {encoding} at byte {start} (0x{bad}) near {before + '?' + after!r}: "
        f"{exc.reason}; declare the file's real encoding (e.g. {hint}) or 'detect'"
    )
