-- A bulk import drops the secondary indexes of the article tables and builds them again once
-- the rows are in. Their definitions wait here meanwhile, dropped in the same transaction and
-- deleted with each rebuild: an import stopped half way (killed, its connection lost) leaves
-- them to the next import to build, never simply gone.
CREATE TABLE import_dropped_indexes (
    name       text PRIMARY KEY,
    definition text NOT NULL
);
