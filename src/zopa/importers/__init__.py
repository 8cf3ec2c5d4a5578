"""Importers: other tools' file formats in, zopa scenarios out."""
