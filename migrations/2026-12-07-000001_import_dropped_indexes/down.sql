DROP TABLE import_dropped_indexes;
