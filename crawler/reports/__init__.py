"""The domain rules of annual reports: titles, schema, versions, changes, regions."""
