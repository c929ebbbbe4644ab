"""``settleroom backup`` and ``settleroom restore``: a portable copy of one instance.

A backup is two folders. The data folder holds the database (a logical dump, table by
table) and the document blobs (already ciphertext), each file listed with its SHA-256 in
``manifest.json``. The key folder (``--keys-to``; by default ``keys/`` inside the data
folder) holds the key material: the instance's signing keys and HMAC secret, and for the
local key provider each case's key-encryption keys in a file of their own, sealed under the
master key, which is never written to a backup. No file holds both data and keys, so the
two folders can be stored, shipped and destroyed apart.
"""
