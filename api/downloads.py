"""File downloads: a Content-Disposition any client reads, whatever characters the name holds."""

import re
from urllib.parse import quote


def attachment(filename: str) -> str:
    """An ASCII fallback name and the exact one in RFC 5987 form (a header is Latin-1 only, so a
    user id with other characters cannot go in as it is)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
