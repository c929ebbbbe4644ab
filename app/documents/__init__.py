"""Documents: streamed, content-typed, sealed uploads; versions; per-recipient watermarked
downloads; the per-case watermark channels."""
