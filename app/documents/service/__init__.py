"""Use cases of documents, one module per verb; reads in ``app.documents.reads``.

Invariants (threats in ``inspection``, ``filenames`` and ``storage``):
- the type is decided by content; the plaintext exists only as a 0600 temp file under
  ``data_dir`` for the length of the request and is deleted in ``finally``;
- ciphertext file first, row second; the names (original and displayed) are sealed;
- every download is a new record with its own secret code, and every copy carries the
  watermark layers derived from it;
- nothing about the content (text, names) goes into audit details, logs or errors;
- an invisible document answers 404 exactly like an unknown id.
"""

from app.documents.inspection import inspect_file
from app.documents.reads import (
    Loaded,
    downloaders,
    find,
    get_channels,
    get_document,
    list_documents,
    list_downloads,
    load_visible,
)
from app.documents.service.channels import set_channels
from app.documents.service.delete import delete_document
from app.documents.service.download import download
from app.documents.service.filing import FilingSource, filing_sources
from app.documents.service.folders import (
    create_folder,
    file_document,
    list_folders,
    rename_folder,
)
from app.documents.service.productions import (
    get_production,
    index_csv,
    index_pdf,
    list_productions,
    produce,
)
from app.documents.service.replace import replace_document
from app.documents.service.upload import upload_document

__all__ = ["FilingSource", "Loaded", "create_folder", "delete_document", "download",
           "downloaders", "file_document", "filing_sources", "find", "get_channels",
           "get_document", "get_production", "index_csv", "index_pdf", "inspect_file",
           "list_documents", "list_downloads", "list_folders", "list_productions",
           "load_visible", "produce", "rename_folder",
           "replace_document", "set_channels", "upload_document"]
