"""Format sniffing, text decoding and the safety checks every reader relies on.

The format of an input is decided by its content, not its name: a ZIP package holding
``word/document.xml`` is a .docx, one holding ``xl/workbook.xml`` an .xlsx, ``%PDF-`` a PDF,
the OLE2 signature a Word 97 .doc (or a legacy .xls, which is refused with a message); anything
else is text. The name only shapes the message when the content is unusable.

Packages are checked before any XML parser sees them: total uncompressed size, per-entry
compression ratio and entry count (zip bombs), every entry's CRC, and no ``<!DOCTYPE``/``<!ENTITY``
in any XML part (entity-expansion bombs, external entities). Nothing here imports a heavy library except
``charset_normalizer``, and only for text that is not UTF-8.
"""

from __future__ import annotations

import codecs
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from auditor.model import Location

if TYPE_CHECKING:
    import zipfile

MB = 1024 * 1024
MAX_TEXT_BYTES = 64 * MB  # a text export larger than this is refused without being read
MAX_FILE_BYTES = 200 * MB  # .docx/.xlsx/.pdf/.doc files larger than this are refused
MAX_UNCOMPRESSED_BYTES = 200 * MB  # sum of a package's uncompressed entry sizes
MAX_COMPRESSION_RATIO = 200  # per entry (uncompressed / compressed), for entries over 1 MB
RATIO_FLOOR_BYTES = 1 * MB
MAX_ZIP_ENTRIES = 10_000
MAX_SHEET_XML_BYTES = 32 * MB  # .xlsx: uncompressed worksheet XML, all sheets together
SNIFF_BYTES = 4096

Format = Literal["docx", "xlsx", "pdf", "doc", "text"]
OFFICE_SUFFIXES = {".docx": "Word (.docx)", ".docm": "Word (.docm)", ".xlsx": "Excel (.xlsx)",
                   ".xlsm": "Excel (.xlsm)", ".pdf": "PDF", ".doc": "Word 97 (.doc)", ".xls": "Excel 97 (.xls)"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ACCEPTED_ENCODINGS = {  # what charset-normalizer may name for a Chinese draft; decoded as the value
    "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "hz": "hz",
    "big5": "big5", "big5hkscs": "big5hkscs", "cp950": "cp950",
    "utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
    "utf_32": "utf-32", "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be", "utf_8": "utf-8",
}
XML_BOMBS = tuple(
    marker.encode(enc) for marker in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
)


class FormatError(Exception):
    """A problem found while sniffing or checking an input; ``read_document`` turns it into a
    ``ReadError`` with the path."""

    def __init__(self, message: str, loc: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc


class NotUnderstood(FormatError):
    """A file that reads, but whose layout the product cannot explain with confidence: no profile
    fits it, or what would be read would put a header field or a grid header into an indicator
    row. It is reported (located, in zh and en) and not audited, never audited as if empty."""

    def __init__(self, zh: str, en: str, loc: Location | None = None) -> None:
        super().__init__(f"未能识别版式：{zh} / layout not understood: {en}", loc)
        self.zh, self.en = zh, en


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What an input is: its format, its size, and the first bytes read to decide."""

    format: Format
    size: int
    head: bytes


def suffix_kind(path: Path) -> str | None:
    """The Office/PDF kind the file's name promises, if any (for messages)."""
    return OFFICE_SUFFIXES.get(path.suffix.lower())


def sniff(path: Path) -> Sniffed:
    """Decide an input's format from its first bytes (and, for a ZIP, its entry names)."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise FormatError("是目录，不是文件 / is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise FormatError("不是普通文件（设备、管道或套接字） / not a regular file")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise FormatError("文件为空 / empty file")
    if head.startswith(ZIP_MAGICS):
        return Sniffed(_zip_kind(path), info.st_size, head)
    if b"%PDF-" in head[:1024]:
        return Sniffed("pdf", info.st_size, head)
    if head.startswith(OLE2_MAGIC):
        return Sniffed(_ole_kind(path, info.st_size), info.st_size, head)
    if head.lstrip().startswith(b"{\\rtf"):
        raise FormatError("RTF 文档暂不支持，请在 Word 中另存为 .docx / RTF is not supported: save it as .docx")
    return Sniffed("text", info.st_size, head)


def _zip_kind(path: Path) -> Format:
    import zipfile  # only packages (.docx, .xlsx) need it

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise FormatError(
            "文件已损坏或不完整（ZIP 结构无效） / damaged or truncated file (not a valid ZIP package)"
        ) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        raise FormatError("PowerPoint 文件不是预算草稿 / a PowerPoint file is not a draft")
    if "[Content_Types].xml" in names:
        raise FormatError("不是 Word 或 Excel 文档（缺少 word/document.xml 与 xl/workbook.xml）"
                          " / an Office package without word/document.xml or xl/workbook.xml")
    raise FormatError("是 ZIP 压缩包，不是 Word/Excel 文档；请解压后再审核 / a ZIP archive, not a .docx/.xlsx: unpack it first")


def _ole_kind(path: Path, size: int) -> Format:
    """An OLE2 compound file: Word 97, Excel 97, or an encrypted OOXML package."""
    with path.open("rb") as handle:
        data = handle.read(min(size, MAX_FILE_BYTES))

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        raise FormatError("文件已加密（设有打开密码），请去除密码后再审核 / password-protected file: remove the password first")
    if has("WordDocument"):
        return "doc"
    if has("Workbook") or has("Book"):
        raise FormatError("旧版 Excel（.xls）暂不支持，请另存为 .xlsx / legacy .xls is not supported: save it as .xlsx")
    raise FormatError("无法识别的 OLE2 复合文档（不是 Word 97 .doc） / unrecognised OLE2 compound file (not a Word 97 .doc)")


# -- packages ---------------------------------------------------------------------------------
def check_package(path: Path, kind: Format) -> None:
    """Refuse a ZIP package that would expand past the limits or whose XML declares a DTD.

    Sizes come from the central directory; Python's ``zipfile`` never yields more bytes than an
    entry declares, so the declared sizes bound what the parsers can receive.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise FormatError(f"包内条目过多（{len(entries)} 个，上限 {MAX_ZIP_ENTRIES}） / too many entries in the package")
            total = 0
            sheets = 0
            for entry in entries:
                total += entry.file_size
                if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
                    raise FormatError(
                        f"压缩比超过 {MAX_COMPRESSION_RATIO}:1，疑似压缩炸弹，已拒绝"
                        f" / expands more than {MAX_COMPRESSION_RATIO}:1: suspected zip bomb, refused",
                        Location(ref=entry.filename),
                    )
                if entry.filename.startswith("xl/worksheets/"):
                    sheets += entry.file_size
            if total > MAX_UNCOMPRESSED_BYTES:
                raise FormatError(
                    f"解压后超过 {MAX_UNCOMPRESSED_BYTES // MB} MB（{total // MB} MB），疑似压缩炸弹，已拒绝"
                    f" / uncompressed size over {MAX_UNCOMPRESSED_BYTES // MB} MB ({total // MB} MB): refused as a possible zip bomb"
                )
            if kind == "xlsx" and sheets > MAX_SHEET_XML_BYTES:
                raise FormatError(
                    f"工作表过大（解压后 {sheets // MB} MB，上限 {MAX_SHEET_XML_BYTES // MB} MB） / worksheets too large"
                )
            for entry in entries:  # every entry once: CRCs checked, XML parts scanned
                try:
                    _scan_entry(archive, entry, xml=_is_xml(entry.filename))
                except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                    raise FormatError(
                        f"文件已损坏（{_zip_detail(error)}） / damaged package ({_zip_detail(error)})",
                        Location(ref=entry.filename),
                    ) from None
    except FormatError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError) as error:
        raise FormatError(
            f"文件已损坏或不完整（{_zip_detail(error)}） / damaged or truncated package ({_zip_detail(error)})"
        ) from None


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


def _scan_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, xml: bool) -> None:
    """Stream one entry (``zipfile`` checks its CRC at the end); refuse an XML part that declares
    a DTD or entities."""
    tail = b""
    with archive.open(entry) as handle:
        while chunk := handle.read(1 << 20):
            if not xml:
                continue
            window = tail + chunk
            if any(marker in window for marker in XML_BOMBS):
                raise FormatError(
                    "含有 DTD/实体声明（可能是 XML 炸弹），已拒绝"
                    " / declares a DTD or entities (possible XML bomb): refused",
                    Location(ref=entry.filename),
                )
            tail = window[-32:]


def find_broken_part(path: Path) -> FormatError | None:
    """After a parser failed on a checked package: the first XML part that is not well-formed,
    as a located error (``word/document.xml``, line and column), or None. The parts were scanned
    for DTDs already, so expat sees no entity declarations."""
    import zipfile
    from xml.parsers import expat

    try:
        with zipfile.ZipFile(path) as archive:
            for entry in archive.infolist():
                if not _is_xml(entry.filename):
                    continue
                parser = expat.ParserCreate()
                try:
                    with archive.open(entry) as handle:
                        while chunk := handle.read(1 << 20):
                            parser.Parse(chunk, False)
                        parser.Parse(b"", True)
                except expat.ExpatError as error:
                    where = f"第{error.lineno}行第{error.offset + 1}列"
                    reason = expat.errors.messages.get(error.code, str(error))
                    return FormatError(
                        f"{where} XML 格式错误 / malformed XML at line {error.lineno}, column {error.offset + 1}: {reason}",
                        Location(ref=entry.filename),
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        return None
    return None


def _zip_detail(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text[:120]


# -- text ---------------------------------------------------------------------------------------
def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text export: UTF-8 (BOM or not), UTF-16/32 with BOM, else what charset-normalizer
    finds when it is a Chinese or Unicode encoding (GB18030/GBK, Big5, BOM-less UTF-16).
    Returns the text and the encoding used; raises ``FormatError`` located at the first line that
    is not UTF-8 when the encoding cannot be told."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _strict(data, "utf-32"), "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    else:
        if "\x00" in text:
            raise FormatError("看起来是二进制文件，不是文本 / looks like a binary file, not text")
        return text, "utf-8"
    line = data[:first_bad].count(b"\n") + 1
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best else None
    codec = ACCEPTED_ENCODINGS.get(guess or "")
    if codec is None and _reads_as_chinese(data):
        codec = "gb18030"  # a short GBK file is often guessed as Korean: these are Chinese drafts
    if codec is None:
        detail = f"检测结果：{guess} / detected: {guess}" if guess else "无法识别 / undetectable"
        raise FormatError(
            f"不是 UTF-8 文本，也无法确定为 UTF-16 或 GB18030/GBK（{detail}）；请另存为 UTF-8"
            f" / not UTF-8 text, and not recognisably UTF-16 or GB18030/GBK: save it as UTF-8",
            Location(line=line),
        )
    text = _strict(data, codec)
    if "\x00" in text:
        raise FormatError("看起来是二进制文件，不是文本 / looks like a binary file, not text")
    return text, codec


def _reads_as_chinese(data: bytes) -> bool:
    """Whether the bytes decode strictly as GB18030 into mostly Chinese text (ideographs and
    Chinese punctuation among the non-ASCII characters, no control characters)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide or any(c < " " and c not in "\t\r\n" for c in text):
        return False
    chinese = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    return chinese >= 0.9 * len(wide)


def _strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1 if codec.startswith(("utf-8", "gb", "big5", "hz", "cp")) else None
        raise FormatError(
            f"文本编码错误：按 {codec} 解码失败 / invalid {codec} text", Location(line=line) if line else None
        ) from None
