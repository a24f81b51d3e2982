"""What the PDF tests share: the fonts a document's pages use, and whether each is embedded
(a font that is not embedded prints blank where the viewer lacks it)."""

import io

from pypdf import PdfReader


def fonts(content: bytes) -> list[tuple[str, bool]]:
    """(name, embedded) of every font the pages use."""
    out = []
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).get_object().values():
            font = ref.get_object()
            descendant = font.get("/DescendantFonts")
            target = descendant[0].get_object() if descendant else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append((str(font.get("/BaseFont")), embedded))
    return out
