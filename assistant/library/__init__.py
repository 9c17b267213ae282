"""The library: reading articles, chunking, embedding, and the catalog, keyword and vector indexes."""
